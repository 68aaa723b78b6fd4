// The analyzers `npm run validate` runs after the schemas on every unit. Other parts of the toolkit
// (mesh policy analyzers, exercise checks) add theirs here so the CLI needs no change to pick them up.
import type { Analyzer } from './index.ts';

export const defaultAnalyzers: Analyzer[] = [];
