// A small HTTP server on 127.0.0.1 that answers like GitHub's REST API for the endpoints promotions use:
// repository, pulls (list/create/update) and issue labels. Tests point Octokit's baseUrl at it, inject
// failures (5xx, 401, 404, 422, secondary rate limits) and read the recorded requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  labels: string[];
}

export interface Failure {
  status: number;
  times: number;
  match?: (method: string, path: string) => boolean;
  message?: string;
  headers?: Record<string, string>;
  /** A whole JSON answer instead of `{ message }`, e.g. an empty list with status 200. */
  body?: unknown;
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  token: string;
  requests: RecordedRequest[];
  pulls: FakePull[];
  /** The next `times` requests (matching `match`, if given) answer `status`. */
  fail(status: number, times?: number, options?: Omit<Failure, 'status' | 'times'>): void;
  /** Drops the failures not yet used up. */
  clearFailures(): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';

export async function startFakeGitHub(options: { owner?: string; repo?: string; token?: string; defaultBranch?: string } = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'workshop-org';
  const repo = options.repo ?? 'mesh-workshop';
  const token = options.token ?? 'ghp_faketoken0123456789abcdefSECRET';
  const defaultBranch = options.defaultBranch ?? 'main';
  const requests: RecordedRequest[] = [];
  const pulls: FakePull[] = [];
  const failures: Failure[] = [];
  let url = '';

  const send = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '4999', ...headers });
    res.end(JSON.stringify(data));
  };
  const htmlBase = () => `${url}/${owner}/${repo}`;
  const pullJson = (p: FakePull) => ({
    url: `${url}/repos/${owner}/${repo}/pulls/${p.number}`,
    html_url: `${htmlBase()}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    draft: p.draft,
    labels: p.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed' })),
    head: { ref: p.head, label: `${owner}:${p.head}`, repo: { full_name: `${owner}/${repo}` } },
    base: { ref: p.base, label: `${owner}:${p.base}`, repo: { full_name: `${owner}/${repo}` } },
  });

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : undefined;
  }

  function handle(method: string, path: string, query: Record<string, string>, body: Record<string, unknown> | undefined, res: ServerResponse): void {
    const repoPath = `/repos/${owner}/${repo}`;
    if (!path.startsWith(`/repos/`)) return send(res, 404, { message: 'Not Found', documentation_url: DOCS });
    if (path === repoPath || path.startsWith(`${repoPath}/`)) {
      const rest = path.slice(repoPath.length);
      if (method === 'GET' && rest === '') {
        return send(res, 200, { id: 1, name: repo, full_name: `${owner}/${repo}`, default_branch: defaultBranch, html_url: htmlBase(), private: true });
      }
      if (method === 'GET' && rest === '/pulls') {
        const state = query.state ?? 'open';
        const head = query.head;
        const list = pulls.filter((p) => (state === 'all' || p.state === state) && (!head || `${owner}:${p.head}` === head));
        return send(res, 200, list.map(pullJson));
      }
      if (method === 'POST' && rest === '/pulls') {
        const b = body ?? {};
        if (typeof b.head !== 'string' || typeof b.base !== 'string' || typeof b.title !== 'string') {
          return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'missing_field' }], documentation_url: DOCS });
        }
        if (pulls.some((p) => p.state === 'open' && p.head === b.head)) {
          return send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${b.head}.` }],
            documentation_url: DOCS,
          });
        }
        const pull: FakePull = {
          number: pulls.length + 1, state: 'open', title: b.title, body: typeof b.body === 'string' ? b.body : '',
          head: b.head, base: b.base, draft: Boolean(b.draft), labels: [],
        };
        pulls.push(pull);
        return send(res, 201, pullJson(pull));
      }
      const one = /^\/pulls\/(\d+)$/.exec(rest);
      if (one) {
        const pull = pulls.find((p) => p.number === Number(one[1]));
        if (!pull) return send(res, 404, { message: 'Not Found', documentation_url: DOCS });
        if (method === 'GET') return send(res, 200, pullJson(pull));
        if (method === 'PATCH') {
          const b = body ?? {};
          if (typeof b.title === 'string') pull.title = b.title;
          if (typeof b.body === 'string') pull.body = b.body;
          if (typeof b.base === 'string') pull.base = b.base;
          if (b.state === 'closed' || b.state === 'open') pull.state = b.state;
          return send(res, 200, pullJson(pull));
        }
      }
      const labels = /^\/issues\/(\d+)\/labels$/.exec(rest);
      if (labels && method === 'POST') {
        const pull = pulls.find((p) => p.number === Number(labels[1]));
        if (!pull) return send(res, 404, { message: 'Not Found', documentation_url: DOCS });
        const names = Array.isArray(body?.labels) ? (body.labels as unknown[]).filter((l): l is string => typeof l === 'string') : [];
        for (const n of names) if (!pull.labels.includes(n)) pull.labels.push(n);
        return send(res, 200, pull.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed' })));
      }
    }
    return send(res, 404, { message: 'Not Found', documentation_url: DOCS });
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const path = parsed.pathname;
      const query = Object.fromEntries(parsed.searchParams.entries());
      let body: unknown;
      try {
        body = await readBody(req);
      } catch {
        return send(res, 400, { message: 'Problems parsing JSON', documentation_url: DOCS });
      }
      requests.push({ method, path, query, authorization: req.headers.authorization, body });
      const failure = failures.find((f) => f.times > 0 && (!f.match || f.match(method, path)));
      if (failure) {
        failure.times--;
        const message = failure.message ?? ({ 401: 'Bad credentials', 403: 'Resource not accessible by personal access token', 404: 'Not Found', 422: 'Validation Failed' } as Record<number, string>)[failure.status] ?? 'Server Error';
        return send(res, failure.status, failure.body ?? { message, documentation_url: DOCS }, failure.headers);
      }
      if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}`) {
        return send(res, 401, { message: 'Bad credentials', documentation_url: DOCS });
      }
      handle(method, path, query, body as Record<string, unknown> | undefined, res);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    owner,
    repo,
    token,
    requests,
    pulls,
    fail(status, times = 1, opts = {}) {
      failures.push({ status, times, ...opts });
    },
    clearFailures() {
      failures.length = 0;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
