// The analyzers `npm run validate` runs after the schemas on every unit: the mesh policy rules
// (docs/rules.md), the schemas of exercise.yaml and the call graph, the exercise expectations checked with
// the simulator (docs/simulate.md) and the repository rules (clusters that sync another cluster's folder,
// exercise catalog problems).
import type { Analyzer } from './index.ts';
import { meshAnalyzer } from '../analyzers/index.ts';
import { exerciseExpectationAnalyzer } from '../simulate/analyzer.ts';
import { repositoryAnalyzer } from '../repository/index.ts';
import { projectFilesAnalyzer } from './project-files.ts';

export const defaultAnalyzers: Analyzer[] = [meshAnalyzer, projectFilesAnalyzer, exerciseExpectationAnalyzer, repositoryAnalyzer];
