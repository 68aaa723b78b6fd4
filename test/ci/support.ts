// Test support for the CI commands: a real temporary git repository made from the catalog fixture, and a
// small HTTP server on 127.0.0.1 that answers the few GitHub REST calls the post-merge comment makes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATALOG_REPO = fileURLToPath(new URL('../fixtures/workflows/catalog-repo', import.meta.url));

export interface TempRepo {
  dir: string;
  git: (...args: string[]) => string;
  /** Rewrites a cluster's pointer line to `exerciseId` (the fixture's one pointer line). */
  point: (cluster: string, exerciseId: string) => void;
  write: (path: string, text: string) => void;
  /** Commits everything and returns the new commit's SHA. */
  commit: (message: string) => string;
  remove: () => void;
}

export function tempRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'ci-repo-'));
  cpSync(CATALOG_REPO, dir, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    }).trim();
  git('init', '--quiet', '--initial-branch=main');
  const repo: TempRepo = {
    dir,
    git,
    point(cluster, exerciseId) {
      const file = join(dir, 'clusters', cluster, 'exercise', 'kustomization.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/exercises\/[a-z0-9-]+/, `exercises/${exerciseId}`));
    },
    write(path, text) {
      writeFileSync(join(dir, path), text);
    },
    commit(message) {
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return repo;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** Pull requests GitHub associates with each commit SHA. */
  pullsByCommit: Map<string, { number: number; merged_at: string | null; merge_commit_sha: string | null }[]>;
  comments: Map<number, FakeComment[]>;
  /** When set, every request answers with this status. */
  failWith?: number;
  close: () => Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/** Starts the fake API for repository `owner/repo`. */
export async function fakeGitHub(): Promise<FakeGitHub> {
  let nextId = 100;
  const state = {
    requests: [] as RecordedRequest[],
    pullsByCommit: new Map<string, { number: number; merged_at: string | null; merge_commit_sha: string | null }[]>(),
    comments: new Map<number, FakeComment[]>(),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const path = (req.url ?? '').split('?')[0] as string;
      state.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (fake.failWith) return send(fake.failWith, { message: 'Resource not accessible by integration' });
      let m = /^\/repos\/owner\/repo\/commits\/([0-9a-f]{40})\/pulls$/.exec(path);
      if (m && req.method === 'GET') {
        const pulls = (state.pullsByCommit.get(m[1] as string) ?? []).map((p) => ({
          ...p, title: `Pull request ${p.number}`, body: null, state: 'closed', draft: false, labels: [],
          head: { ref: `promote/lab/${p.number}`, repo: { full_name: 'owner/repo' } }, base: { ref: 'main' },
          html_url: `https://github.test/owner/repo/pull/${p.number}`,
        }));
        return send(200, pulls);
      }
      m = /^\/repos\/owner\/repo\/issues\/(\d+)\/comments$/.exec(path);
      if (m) {
        const number = Number(m[1]);
        const list = state.comments.get(number) ?? [];
        if (req.method === 'GET') return send(200, list);
        if (req.method === 'POST') {
          const id = nextId++;
          const comment = { id, body: (body as { body: string }).body, html_url: `https://github.test/owner/repo/pull/${number}#issuecomment-${id}` };
          state.comments.set(number, [...list, comment]);
          return send(201, comment);
        }
      }
      m = /^\/repos\/owner\/repo\/issues\/comments\/(\d+)$/.exec(path);
      if (m && req.method === 'PATCH') {
        for (const list of state.comments.values()) {
          const comment = list.find((c) => c.id === Number(m?.[1]));
          if (comment) {
            comment.body = (body as { body: string }).body;
            return send(200, comment);
          }
        }
      }
      return send(404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeGitHub = {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    pullsByCommit: state.pullsByCommit,
    comments: state.comments,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}
