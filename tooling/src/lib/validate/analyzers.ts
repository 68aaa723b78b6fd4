// The analyzers `npm run validate` runs after the schemas on every unit: the mesh policy rules
// (docs/rules.md) and the exercise expectations checked with the simulator (docs/simulate.md).
import type { Analyzer } from './index.ts';
import { meshAnalyzer } from '../analyzers/index.ts';
import { exerciseExpectationAnalyzer } from '../simulate/analyzer.ts';

export const defaultAnalyzers: Analyzer[] = [meshAnalyzer, exerciseExpectationAnalyzer];
