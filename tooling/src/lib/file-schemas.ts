// JSON Schemas for the repository's own files, `exercises/<id>/exercise.yaml` and
// `apps/bookinfo/callgraph.yaml`, compiled with ajv in strict mode: every object lists its fields and
// `additionalProperties: false`, so a typo (`latencyMS:`) is an error instead of a silently dropped
// expectation. Checks a schema cannot say (an id equal to its folder, `shows.from` naming a called
// service) stay in exercises.ts and simulate/callgraph.ts. Built on first use: exercises.ts imports the
// checker that imports this module, so nothing here may read OUTCOMES while the modules load.
import { EXERCISE_ID, OUTCOMES } from './exercises.ts';

type Schema = Record<string, unknown>;

const text: Schema = { type: 'string', pattern: '\\S' };
const strings: Schema = { type: 'array', items: { type: 'string' } };
const outcome = (): Schema => ({ enum: [...OUTCOMES] });
/** Query parameters the app sends: YAML may read `page: 1` as a number; the simulator compares text. */
const query: Schema = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };
const closed = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', additionalProperties: false, required, properties });

export const exerciseSchema = (): Schema =>
  closed(
  {
    id: { type: 'string', pattern: EXERCISE_ID.source },
    title: text,
    // The seed's section: "3.1" or 4 (YAML reads an unquoted 4 as a number).
    section: { type: ['string', 'number'], pattern: '\\S' },
    order: { type: 'integer' },
    summary: text,
    afterMerge: closed({ do: strings, observe: strings }, ['do', 'observe']),
    expect: {
      type: 'array',
      items: closed(
        {
          user: { type: 'string', minLength: 1 },
          outcomes: {
            type: 'array',
            items: closed(
              {
                outcome: outcome(),
                probability: { type: 'number', minimum: 0, maximum: 1 },
                latencyMs: { ...closed({ min: { type: 'number', minimum: 0 }, max: { type: 'number', minimum: 0 } }), minProperties: 1 },
              },
              ['outcome', 'probability'],
            ),
          },
        },
        ['user', 'outcomes'],
      ),
    },
  },
  ['id', 'title', 'section', 'order', 'summary', 'afterMerge', 'expect'],
);

const call = (): Schema =>
  closed(
  {
    service: text,
    path: text,
    method: text,
    query,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    timeoutMs: { type: 'number', exclusiveMinimum: 0 },
    attempts: { type: 'integer', minimum: 1, maximum: 10 },
    forwardHeaders: strings,
    onFailure: outcome(),
  },
  ['service', 'onFailure'],
);

const version = (): Schema => ({
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    calls: { type: 'array', items: call() },
    shows: { anyOf: [outcome(), closed({ from: text }, ['from'])] },
  },
});

const callGraphSpec = (): Schema =>
  closed(
  {
    versionLabel: text,
    entry: closed({ service: text, namespace: text, path: text, method: text, query, userHeader: text, onFailure: outcome() }, ['service']),
    services: { type: 'object', additionalProperties: { type: 'object', additionalProperties: version() } },
  },
  ['entry', 'services'],
);

/** The whole file; the envelope is optional so that a bare `{ spec }` (tests, tools) is checked too. */
export const callGraphSchema = (): Schema =>
  closed(
  {
    apiVersion: { const: 'simulate.mesh-workshop.dev/v1alpha1' },
    kind: { const: 'CallGraph' },
    metadata: closed({ name: text }),
    spec: callGraphSpec(),
  },
  ['spec'],
);
