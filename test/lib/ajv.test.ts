// The schemas this project writes are compiled without ajv's meta-schema check (lib/ajv.ts says why), so
// the check happens here: each one is a valid JSON Schema, as ajv's default instance would require.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { newAjv } from '../../tooling/src/lib/ajv.ts';
import { callGraphSchema, exerciseSchema } from '../../tooling/src/lib/file-schemas.ts';
import { FLAGGER_SCHEMAS } from '../../tooling/src/lib/validate/flagger.ts';

const schemas: [string, unknown][] = [
  ['exercise.yaml', exerciseSchema()],
  ['callgraph.yaml', callGraphSchema()],
  ...Object.entries(FLAGGER_SCHEMAS).map(([kind, schema]): [string, unknown] => [`Flagger ${kind}`, schema]),
];

describe('the schemas compiled through newAjv', () => {
  const checker = new Ajv({ strict: false });

  for (const [name, schema] of schemas) {
    it(`${name} is valid against JSON Schema's meta-schema`, () => {
      expect(checker.validateSchema(schema as object), JSON.stringify(checker.errors)).toBe(true);
    });
  }

  it('the meta-schema check used above rejects a broken schema, which newAjv alone would not report', () => {
    const broken = { type: 'object', minProperties: -1 };
    expect(checker.validateSchema(broken)).toBe(false);
    expect(checker.errors?.[0]).toMatchObject({ instancePath: '/minProperties' });
    expect(() => newAjv<unknown>({ strict: false }).compile(broken)).not.toThrow();
  });
});
