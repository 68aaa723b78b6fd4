// Strictness for validators that allow unknown fields: runs a compiled validator over a Proxy of the
// resource and records which keys it reads on each object. A key the validator never looked at is unknown.
//
// Why this works: ajv's generated code reads every declared property (`data.fault !== undefined`) on an
// object it checks, and enumerates the keys of maps (additionalProperties / patternProperties). So for each
// object it reached, the read keys are exactly the declared properties; an object it reached but read
// nothing from is free-form (x-kubernetes-preserve-unknown-fields, Helm values) and stays unchecked.

/** What the validator did to one object of the resource. */
interface Access {
  keys: Set<string>;
  /** The validator listed the keys itself: a map whose keys are data, never unknown. */
  enumerated: boolean;
}

export interface UnknownField {
  /** RFC 6901 pointer to the unknown field. */
  pointer: string;
  field: string;
  /** Fields the schema declares on that object, for did-you-mean hints. */
  known: string[];
}

export type ErrorList = readonly { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[];
export type RawValidator = (data: unknown) => ErrorList | null;

export function escapePointer(segment: string): string {
  // Almost no key needs escaping; skipping the regexes is a measurable share of the fast path.
  if (!segment.includes('~') && !segment.includes('/')) return segment;
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** Wraps `root` so that reads and key listings are recorded per underlying object. */
function track(root: object): { proxy: object; access: WeakMap<object, Access> } {
  const access = new WeakMap<object, Access>();
  const proxies = new WeakMap<object, object>();
  const wrap = (target: object): object => {
    const existing = proxies.get(target);
    if (existing) return existing;
    const record: Access = { keys: new Set(), enumerated: false };
    access.set(target, record);
    const proxy = new Proxy(target, {
      get(obj, key) {
        const value = Reflect.get(obj, key) as unknown;
        if (typeof key === 'string') record.keys.add(key);
        return isObject(value) ? wrap(value) : value;
      },
      has(obj, key) {
        if (typeof key === 'string') record.keys.add(key);
        return Reflect.has(obj, key);
      },
      ownKeys(obj) {
        record.enumerated = true;
        return Reflect.ownKeys(obj);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  return { proxy: wrap(root), access };
}

/** A validator plus strictness: `check` returns the validator's errors and the unknown fields. */
export class StrictValidator {
  /**
   * @param extras fields the packaged schema lacks but the API has, by index-free path (`/spec`); they are
   * accepted without a type check (see KNOWN_GAPS in schemas.ts).
   */
  constructor(
    private readonly validate: RawValidator,
    private readonly extras: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
    /**
     * Index-free paths of objects that keep unknown fields (x-kubernetes-preserve-unknown-fields next to
     * declared properties, as Istio's `status`): their declared fields are checked, other keys accepted.
     */
    private readonly open: ReadonlySet<string> = new Set(),
  ) {}

  check(input: Record<string, unknown>): { errors: ErrorList; unknown: UnknownField[] } {
    const data = this.admitted(input);
    const { proxy, access } = track(data);
    const errors = this.validate(proxy) ?? [];
    const unknown: UnknownField[] = [];
    this.walk(data, '', '', access, unknown);
    return { errors, unknown };
  }

  /**
   * The resource as the API server validates it: without fields whose value is null (the API server drops
   * them: decoding into a built-in type leaves them unset, and CRD structural schemas prune nulls that are
   * not `nullable`). The same object when there is nothing to drop.
   */
  private admitted(input: Record<string, unknown>): Record<string, unknown> {
    return hasNull(input) ? (withoutNulls(input) as Record<string, unknown>) : input;
  }

  private walk(node: unknown, pointer: string, path: string, access: WeakMap<object, Access>, unknown: UnknownField[]): void {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        if (isObject(item)) this.walk(item, `${pointer}/${i}`, `${path}/[]`, access, unknown);
      });
      return;
    }
    if (!isObject(node)) return;
    const record = access.get(node);
    // Not reached: below a free-form or unknown field, or a type error stopped the validator.
    if (!record) return;
    // Reached but nothing read: free-form (x-kubernetes-preserve-unknown-fields, Helm values).
    if (!record.enumerated && record.keys.size === 0) return;
    const extra = this.extras.get(path);
    const keepsUnknown = this.open.has(path);
    for (const key of Object.keys(node)) {
      if (!record.enumerated && !record.keys.has(key) && !extra?.has(key)) {
        if (keepsUnknown) continue;
        unknown.push({ pointer: `${pointer}/${escapePointer(key)}`, field: key, known: [...record.keys].filter((k) => k !== 'toJSON').sort() });
        continue;
      }
      const child = node[key];
      if (isObject(child)) {
        const childPath = record.enumerated ? `${path}/*` : `${path}/${escapePointer(key)}`;
        this.walk(child, `${pointer}/${escapePointer(key)}`, childPath, access, unknown);
      }
    }
  }
}

function hasNull(node: unknown): boolean {
  if (node === null) return true;
  if (typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((item) => item !== null && typeof item === 'object' && hasNull(item));
  for (const key in node as Record<string, unknown>) if (hasNull((node as Record<string, unknown>)[key])) return true;
  return false;
}

/** A copy without null-valued object fields; null items of a list stay (the API rejects those). */
function withoutNulls(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(withoutNulls);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (value !== null) out[key] = withoutNulls(value);
  return out;
}
