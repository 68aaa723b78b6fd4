// The one way this project makes an ajv instance, for the schemas it writes itself: Flagger's kinds
// (validate/flagger.ts) and exercise.yaml / callgraph.yaml (file-schemas.ts). The kinds of
// @kubernetes-models/* come with their own compiled validators and do not pass through here.
//
// `validateSchema: false`: ajv would otherwise compile JSON Schema's meta-schema in every instance to check
// each schema before compiling it, about 0.1 s of CPU per command for schemas that never change at run time.
// test/lib/ajv.test.ts checks every one of them against the meta-schema instead.
import AjvModule from 'ajv';

/** An ajv instance as its callers see it: `V` is their type of a compiled validator. */
export interface SchemaCompiler<V> {
  compile(schema: unknown): V;
}

type AjvClass = new (options: Record<string, unknown>) => SchemaCompiler<never>;

/** A new ajv instance with `options`, not checking schemas against the meta-schema (see above). */
export function newAjv<V>(options: Record<string, unknown>): SchemaCompiler<V> {
  // ajv is CommonJS: under Node's ESM loader its class is the default export's `default`.
  const mod = AjvModule as unknown as AjvClass & { default?: AjvClass };
  const Ajv = mod.default ?? mod;
  return new Ajv({ ...options, validateSchema: false });
}
