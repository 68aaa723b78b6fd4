// Says why a Flagger resource fails one of its CRD's oneOf rules. ajv reports a failed oneOf as one error per
// alternative plus "must match exactly one schema"; for the two oneOfs a person meets (an analysis sets
// interval, threshold and exactly one progression; an AlertProvider sets type and exactly one of address and
// secretRef) this names the missing or surplus fields instead, with a fix.
import { ANALYSIS_PROGRESSIONS, CRD_DURATION_PATTERN } from './flagger.ts';
import { parseGoDuration } from '../go-duration.ts';
import { valueAt } from './messages.ts';
import type { ErrorList } from './strict.ts';

type AjvError = ErrorList[number] & { schemaPath?: string };

const missing = (instancePath: string, key: string): AjvError => ({ instancePath, keyword: 'required', params: { missingProperty: key } });
const explained = (instancePath: string, message: string, hint: string): AjvError => ({ instancePath, keyword: 'exactlyOne', params: { hint }, message });
const list = (keys: readonly string[]) => keys.map((k) => `\`${k}\``).join(', ');

function explainAnalysis(path: string, value: Record<string, unknown>): AjvError[] {
  const out: AjvError[] = [];
  for (const key of ['interval', 'threshold']) if (value[key] === undefined) out.push(missing(path, key));
  const set = ANALYSIS_PROGRESSIONS.filter((k) => value[k] !== undefined);
  if (set.length === 0) {
    out.push(
      explained(
        path,
        `"analysis" sets none of ${list(ANALYSIS_PROGRESSIONS)}; Flagger's CRD requires exactly one.`,
        'Add `stepWeight: 10` with `maxWeight: 50` for a canary release, or `iterations: 10` for A/B testing or blue/green.',
      ),
    );
  } else if (set.length > 1) {
    out.push(
      explained(
        path,
        `"analysis" sets ${list(set)}; Flagger's CRD allows exactly one of ${list(ANALYSIS_PROGRESSIONS)}.`,
        `Keep one of them: \`iterations\` for A/B testing or blue/green, \`stepWeight\` or \`stepWeights\` for a canary release.`,
      ),
    );
  }
  return out;
}

function explainAlertProvider(path: string, value: Record<string, unknown>): AjvError[] {
  const out: AjvError[] = [];
  if (value.type === undefined) out.push(missing(path, 'type'));
  const hasAddress = value.address !== undefined;
  const hasSecret = value.secretRef !== undefined;
  if (hasAddress && hasSecret) {
    out.push(
      explained(path, 'an AlertProvider sets both `address` and `secretRef`; its CRD allows exactly one.', 'Keep `secretRef` (the hook URL stays out of git) and delete `address`.'),
    );
  } else if (!hasAddress && !hasSecret) {
    out.push(
      explained(path, 'an AlertProvider needs the hook URL: `address`, or `secretRef` naming a Secret with an `address` key.', 'Add `secretRef: {name: <secret>}` or `address: https://...`.'),
    );
  }
  return out;
}

/** The same length written as the CRD's pattern takes it: whole minutes, else whole seconds (rounded up). */
export function crdDurationFor(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return `${value}s`;
  if (typeof value !== 'string') return undefined;
  const parsed = parseGoDuration(value.trim());
  if (!parsed.ok || parsed.ns <= 0n) return undefined;
  const minute = 60_000_000_000n;
  const second = 1_000_000_000n;
  if (parsed.ns % minute === 0n) return `${parsed.ns / minute}m`;
  return `${(parsed.ns + second - 1n) / second}s`;
}

function explainDuration(error: AjvError, data: unknown): AjvError {
  const value = valueAt(data, error.instancePath);
  const field = error.instancePath.slice(error.instancePath.lastIndexOf('/') + 1);
  const better = crdDurationFor(value);
  return explained(
    error.instancePath,
    `"${field}" is ${JSON.stringify(value)}; Flagger's CRD takes a duration that starts with whole minutes or seconds (pattern ${CRD_DURATION_PATTERN}): no hours, no decimals.`,
    better ? `Write \`${field}: ${better}\`.` : `Write it as whole minutes or seconds, e.g. \`${field}: 1m\` or \`${field}: 30s\`.`,
  );
}

/** Replaces the oneOf errors of an analysis or an AlertProvider spec with what is missing or surplus. */
export function explainFlaggerErrors(errors: ErrorList, data: unknown, kind: string): ErrorList {
  const replaced: { schemaPath: string; errors: AjvError[] }[] = [];
  errors = (errors as AjvError[]).map((e) => (e.keyword === 'pattern' && e.params.pattern === CRD_DURATION_PATTERN ? explainDuration(e, data) : e));
  for (const error of errors as AjvError[]) {
    if (error.keyword !== 'oneOf' || !error.schemaPath) continue;
    const value = valueAt(data, error.instancePath);
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const v = value as Record<string, unknown>;
    if (kind === 'Canary' && /^\/spec\/analysis$/.test(error.instancePath)) replaced.push({ schemaPath: error.schemaPath, errors: explainAnalysis(error.instancePath, v) });
    else if (kind === 'AlertProvider' && error.instancePath === '/spec') replaced.push({ schemaPath: error.schemaPath, errors: explainAlertProvider(error.instancePath, v) });
  }
  if (replaced.length === 0) return errors;
  const inside = (e: AjvError) => replaced.some((r) => e.schemaPath === r.schemaPath || e.schemaPath?.startsWith(`${r.schemaPath}/`));
  return [...(errors as AjvError[]).filter((e) => !inside(e)), ...replaced.flatMap((r) => r.errors)];
}
