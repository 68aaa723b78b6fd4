// Public surface of the simulator: routing model, engine, Flagger timeline, formatters, validate analyzer.
export { simulate } from './engine.ts';
export { defaultUsers } from './users.ts';
export { formatMs } from './units.ts';
export type { SimulationResult, UserResult, PredictedOutcome, RouteEdge, SimulationOptions } from './types.ts';
export { loadCallGraph, parseCallGraph, CALLGRAPH_FILE, type CallGraph } from './callgraph.ts';
export { canaryTimeline, canaryTimelines, canaryWeights, type CanaryTimeline, type CanaryStep } from './canary.ts';
export { formatResult, formatText, formatJson, formatMermaid, simulateMarkdown, toJson, OUTPUT_FORMATS, type OutputFormat } from './format.ts';
export { exerciseExpectationAnalyzer, compareExpectations, checkExercise, EXPECTATION_RULE } from './analyzer.ts';
export { buildMesh } from './mesh.ts';
export { SimulationError } from './routing.ts';
