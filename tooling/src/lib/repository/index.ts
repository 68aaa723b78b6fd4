// The repository rules as one validate analyzer (see rules.ts).
import type { Analyzer } from '../analyzers/types.ts';
import { checkClusterPaths } from './cluster-paths.ts';
import { scanExercisesPerRun } from '../exercises.ts';
import { checkExerciseCatalog } from './exercise-catalog.ts';

export { REPOSITORY_RULES } from './rules.ts';
export { checkClusterPaths } from './cluster-paths.ts';

export const repositoryAnalyzer: Analyzer = async (unit, ctx) => [...checkClusterPaths(unit), ...(await checkExerciseCatalog(unit, ctx.root, () => scanExercisesPerRun(ctx)))];
