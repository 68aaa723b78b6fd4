// GitHub's own recorded answers (the npm package @octokit/fixtures: requests made against api.github.com and
// stored with their status, headers and body) replayed over HTTP on 127.0.0.1 to the toolkit's GitHub client.
// Each test makes the call the recording made, checks the toolkit sent what the recording fixes, and that it
// reads the recorded answer right; then it asks the stand-in the same and checks it answers in GitHub's shape.
//
// Calls of tooling/src/lib/github.ts with a recording here: repos.get (getDefaultBranch), issues.addLabels,
// issues.getLabel and issues.createLabel (ensureLabel), and a 422 of createLabel (errors).
// Calls with no recording in @octokit/fixtures 23 (so not replayed): pulls.list, pulls.create, pulls.update,
// issues.listComments, issues.createComment, issues.updateComment, repos.listPullRequestsAssociatedWithCommit,
// and a 404 of issues.getLabel. Its one pagination recording (paginate-issues) lists issues, which the toolkit
// never does, so Link-header pagination stays covered by the stand-in tests only.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHub, GitHubApiError, type GitHub } from '../../tooling/src/lib/github.ts';
import { fastClient, startGitHubStandIn, type GitHubStandIn } from '../helpers/github-stand-in.ts';

/** One recorded exchange, as @octokit/fixtures stores it (normalized-fixture.json). */
interface Recording {
  method: string;
  path: string;
  body?: unknown;
  status: number;
  response: unknown;
  headers: Record<string, string | number>;
}

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

const OWNER = 'octokit-fixture-org';

/** The recordings of one scenario, read from the package's files (its nock-based mock() cannot see fetch). */
function scenario(name: string): Recording[] {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`@octokit/fixtures/scenarios/api.github.com/${name}/normalized-fixture.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Recording[];
}

function pick(name: string, method: string, path: string): Recording {
  const found = scenario(name).find((r) => r.method.toUpperCase() === method && r.path === path);
  if (!found) throw new Error(`@octokit/fixtures ${name} has no recording of ${method} ${path}`);
  return found;
}

/** Hop-by-hop and length headers are the local server's own business; the rest goes out as recorded. */
const OWN_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding']);

let server: Server | undefined;
let standIn: GitHubStandIn | undefined;

/**
 * Serves `answers` in order, one per request, as recorded (status, headers, body), with api.github.com in
 * headers pointed at this server. Records what the client sent; a request beyond the list gets a 500.
 */
async function replay(answers: Recording[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let url = '';
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', path: req.url ?? '', body: text ? JSON.parse(text) as unknown : undefined });
      const answer = answers[seen.length - 1];
      if (!answer) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"no recording left"}');
        return;
      }
      const headers = Object.fromEntries(Object.entries(answer.headers)
        .filter(([k]) => !OWN_HEADERS.has(k.toLowerCase()))
        .map(([k, v]) => [k, String(v).replaceAll('https://api.github.com', url)]));
      res.writeHead(answer.status, headers).end(answer.response === undefined ? '' : JSON.stringify(answer.response));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen };
}

function client(url: string, repo: string): GitHub {
  return createGitHub({ token: 'ghp_recordedreplay', owner: OWNER, repo, baseUrl: url, retries: 0, ...fastClient() });
}

/** The request as the recording fixes it: method, path and JSON body (recorded as "" when there was none). */
const sent = (r: Recording): Seen => ({ method: r.method.toUpperCase(), path: r.path, body: r.body === '' ? undefined : r.body });

/** The stand-in's answer to the same call, read over HTTP like any client. */
async function standInAnswer(gh: GitHubStandIn, method: string, path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, data: await res.json() as unknown };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await standIn?.close();
  standIn = undefined;
});

describe('GitHub recordings from @octokit/fixtures, replayed to the toolkit', () => {
  it('get-repository: reads default_branch from GitHub\'s repository answer', async () => {
    const rec = pick('get-repository', 'GET', '/repos/octokit-fixture-org/hello-world');
    const { url, seen } = await replay([rec]);
    const branch = await client(url, 'hello-world').getDefaultBranch();
    expect(seen).toEqual([sent(rec)]);
    expect(branch).toBe((rec.response as { default_branch: string }).default_branch);
    expect(branch).toBe('master');
  });

  it('add-labels-to-issue: sends the label names as recorded and returns the names GitHub answered', async () => {
    const rec = pick('add-labels-to-issue', 'POST', '/repos/octokit-fixture-org/add-labels-to-issue/issues/1/labels');
    const { url, seen } = await replay([rec]);
    const names = await client(url, 'add-labels-to-issue').addLabels(1, ['Foo', 'bAr', 'baZ']);
    expect(seen).toEqual([sent(rec)]);
    // Case kept as GitHub answered it, in its order.
    expect(names).toEqual((rec.response as Array<{ name: string }>).map((l) => l.name));
    expect(names).toEqual(['Foo', 'bAr', 'baZ']);
  });

  it('labels: a label GitHub answers 200 for is "exists", and nothing is created', async () => {
    const rec = pick('labels', 'GET', '/repos/octokit-fixture-org/labels/labels/test-label');
    const { url, seen } = await replay([rec]);
    expect(await client(url, 'labels').ensureLabel('test-label', '663399', 'promotion PRs')).toBe('exists');
    expect(seen).toEqual([sent(rec)]);
  });

  // GitHub's 404 for a missing label is not recorded; this one is written after GitHub's basic error.
  const noLabel = (name: string): Recording => ({
    method: 'get', path: `/repos/${OWNER}/${name}`, status: 404,
    response: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/labels#get-a-label' },
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

  it('labels: a missing label is created with the recorded name and color, and GitHub\'s 201 is "created"', async () => {
    const rec = pick('labels', 'POST', '/repos/octokit-fixture-org/labels/labels');
    const { url, seen } = await replay([noLabel('labels/labels/test-label'), rec]);
    expect(await client(url, 'labels').ensureLabel('test-label', '663399', 'promotion PRs')).toBe('created');
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /repos/octokit-fixture-org/labels/labels/test-label', 'POST /repos/octokit-fixture-org/labels/labels']);
    // The recording fixes name and color; the toolkit also sends a description, which the recording has not.
    expect(seen[1]!.body).toEqual({ ...(rec.body as object), description: 'promotion PRs' });
  });

  it('errors: GitHub\'s 422 for an invalid label color fails ensureLabel with the status and GitHub\'s details', async () => {
    const rec = pick('errors', 'POST', '/repos/octokit-fixture-org/errors/labels');
    const { url, seen } = await replay([noLabel('errors/labels/foo'), rec]);
    const error = await client(url, 'errors').ensureLabel('foo', 'invalid', '').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    const e = error as GitHubApiError;
    expect(e.status).toBe(422);
    // "Validation Failed" with the error's code (GitHub's errors[] here carry a code and no message).
    expect(e.message).toContain('Validation Failed (invalid)');
    expect(e.alreadyExists).toBe(false);
    expect(seen[1]).toEqual({ ...sent(rec), body: { ...(rec.body as object), description: '' } });
  });
});

/** Every key of `recorded` is in `ours` with the same JSON type (null in either matches anything), recursively. */
function missingKeys(recorded: unknown, ours: unknown, at = ''): string[] {
  if (recorded === null || ours === null) return [];
  if (Array.isArray(recorded)) {
    if (!Array.isArray(ours)) return [`${at || '/'}: array in GitHub's answer, ${typeof ours} in the stand-in's`];
    return recorded.length > 0 && ours.length > 0 ? missingKeys(recorded[0], ours[0], `${at}/0`) : [];
  }
  if (typeof recorded !== typeof ours) return [`${at || '/'}: ${typeof recorded} in GitHub's answer, ${typeof ours} in the stand-in's`];
  if (typeof recorded !== 'object') return [];
  const o = ours as Record<string, unknown>;
  return Object.entries(recorded as Record<string, unknown>).flatMap(([k, v]) =>
    (k in o ? missingKeys(v, o[k], `${at}/${k}`) : [`${at}/${k}: in GitHub's answer, not in the stand-in's`]));
}

describe('the stand-in answers the recorded calls in GitHub\'s recorded shape', () => {
  it('has every key GitHub\'s recorded repository and add-labels answers have, with the same types', async () => {
    const repoRec = pick('get-repository', 'GET', '/repos/octokit-fixture-org/hello-world');
    standIn = await startGitHubStandIn({ owner: OWNER, repo: 'hello-world' });
    const repoAnswer = await standInAnswer(standIn, 'GET', repoRec.path);
    expect(repoAnswer.status).toBe(repoRec.status);
    expect(missingKeys(repoRec.response, repoAnswer.data)).toEqual([]);
    await standIn.close();

    const labelRec = pick('add-labels-to-issue', 'POST', '/repos/octokit-fixture-org/add-labels-to-issue/issues/1/labels');
    standIn = await startGitHubStandIn({ owner: OWNER, repo: 'add-labels-to-issue' });
    standIn.pulls.push({ number: 1, state: 'open', title: 't', body: '', head: 'h', base: 'main', draft: false, labels: [] });
    const labelAnswer = await standInAnswer(standIn, 'POST', labelRec.path, labelRec.body);
    expect(labelAnswer.status).toBe(labelRec.status);
    expect(missingKeys(labelRec.response, labelAnswer.data)).toEqual([]);
    // The field the toolkit reads, in the same order GitHub answered.
    expect((labelAnswer.data as Array<{ name: string }>).map((l) => l.name)).toEqual((labelRec.response as Array<{ name: string }>).map((l) => l.name));
  });

  it('has every key GitHub\'s recorded label answer has, for reading and for creating a label', async () => {
    const get = pick('labels', 'GET', '/repos/octokit-fixture-org/labels/labels/test-label');
    const post = pick('labels', 'POST', '/repos/octokit-fixture-org/labels/labels');
    standIn = await startGitHubStandIn({ owner: OWNER, repo: 'labels' });
    const created = await standInAnswer(standIn, 'POST', post.path, post.body);
    expect(created.status).toBe(post.status);
    expect(missingKeys(post.response, created.data)).toEqual([]);
    const read = await standInAnswer(standIn, 'GET', get.path);
    expect(read.status).toBe(get.status);
    expect(missingKeys(get.response, read.data)).toEqual([]);
  });
});
