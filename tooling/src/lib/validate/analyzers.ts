// The analyzers `npm run validate` runs after the schemas on every unit: the mesh policy rules
// (docs/rules.md), the schemas of exercise.yaml and the call graph, and the exercise expectations checked
// with the simulator (docs/simulate.md).
import type { Analyzer } from './index.ts';
import { meshAnalyzer } from '../analyzers/index.ts';
import { exerciseExpectationAnalyzer } from '../simulate/analyzer.ts';
import { projectFilesAnalyzer } from './project-files.ts';

export const defaultAnalyzers: Analyzer[] = [meshAnalyzer, projectFilesAnalyzer, exerciseExpectationAnalyzer];
