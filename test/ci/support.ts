// Test support for the CI commands: a real temporary git repository made from the catalog fixture.
// (GitHub is the one stand-in in test/helpers/github-stand-in.ts.)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitEnv } from '../helpers/git-repo.ts';

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
      env: { ...process.env, ...gitEnv },
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
