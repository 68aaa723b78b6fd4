// Loads the product page as a browser would, N times per user, and records what each load showed and how long
// it took. A named user signs in first through Bookinfo's login form (POST `login` with `username` and
// `passwd`, relative to the page, as the form's `action='login'` is; Bookinfo answers with a redirect and its
// session cookie), and every later load sends the cookies the browser would keep.
import type { Outcome } from '../exercises.ts';
import { classifyPage } from './page.ts';

export interface Observation {
  outcome: Outcome;
  latencyMs: number;
  /** HTTP status, absent when the request itself failed (connection refused, timeout). */
  status?: number;
  error?: string;
}

export interface SampleOptions {
  url: string;
  /** null: anonymous (no login). */
  user: string | null;
  requests: number;
  concurrency: number;
  /** Per page load; a load that takes longer counts as page-error. */
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface Sample {
  user: string | null;
  observations: Observation[];
  /** Set when signing in did not take: the pages were not shown to this user. */
  loginError?: string;
}

/** `name=value` pairs from Set-Cookie headers, later ones replacing earlier ones of the same name. */
export function cookieJar(setCookies: readonly string[], jar: Map<string, string> = new Map()): Map<string, string> {
  for (const line of setCookies) {
    const pair = line.split(';', 1)[0]!.trim();
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    // Flask deletes a cookie by setting it empty with an expiry in the past.
    if (value === '' || /;\s*max-age=0\b|;\s*expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

function cookieHeader(jar: Map<string, string>): string | undefined {
  return jar.size === 0 ? undefined : [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

async function signIn(url: string, user: string, doFetch: typeof fetch, timeoutMs: number): Promise<Map<string, string>> {
  const response = await doFetch(new URL('login', url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', referer: url },
    // Bookinfo checks no password; the form requires one, so send one as a learner would.
    body: new URLSearchParams({ username: user, passwd: 'password' }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 400) throw new Error(`POST login answered HTTP ${response.status}`);
  return cookieJar(response.headers.getSetCookie());
}

async function loadOnce(url: string, jar: Map<string, string>, doFetch: typeof fetch, timeoutMs: number, now: () => number): Promise<Observation & { signedInAs?: string }> {
  const start = now();
  try {
    const cookie = cookieHeader(jar);
    const response = await doFetch(url, { headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(timeoutMs) });
    const html = await response.text();
    const view = classifyPage(response.status, html);
    return { ...view, latencyMs: now() - start, status: response.status };
  } catch (error) {
    const e = error as Error;
    const error_ = e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e.message || String(error));
    return { outcome: 'page-error', latencyMs: now() - start, error: error_ };
  }
}

/** N page loads as one user, `concurrency` at a time (each worker one browser tab). */
export async function samplePages(options: SampleOptions): Promise<Sample> {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => performance.now());
  let jar = new Map<string, string>();
  if (options.user !== null) {
    try {
      jar = await signIn(options.url, options.user, doFetch, options.timeoutMs);
    } catch (error) {
      return { user: options.user, observations: [], loginError: `signing in as ${options.user} failed: ${(error as Error).message}` };
    }
  }
  const observations: Observation[] = new Array(options.requests);
  let next = 0;
  let wrongUser: string | undefined;
  const worker = async () => {
    while (next < options.requests) {
      const i = next++;
      const { signedInAs, ...observation } = await loadOnce(options.url, jar, doFetch, options.timeoutMs, now);
      observations[i] = observation;
      if (options.user !== null && observation.status === 200 && observation.outcome !== 'page-error' && signedInAs !== options.user) {
        wrongUser ??= signedInAs === undefined ? 'the page shows nobody signed in' : `the page shows ${JSON.stringify(signedInAs)} signed in`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.requests)) }, worker));
  const sample: Sample = { user: options.user, observations };
  if (wrongUser) sample.loginError = `signing in as ${options.user} did not take: ${wrongUser}`;
  return sample;
}
