// Every exercise id and cluster name that a CLI's --help text uses in an example exists in this repository,
// so a facilitator who copies an example gets a promotion, not "Unknown exercise".
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadClusters } from '../../tooling/src/lib/clusters.ts';
import { loadExercises } from '../../tooling/src/lib/exercises.ts';
import type { Io } from '../../tooling/src/lib/cli.ts';
import { captureIo } from '../helpers/io.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI_DIR = new URL('../../tooling/src/cli/', import.meta.url);

interface Mention {
  kind: 'exercise' | 'cluster' | 'target';
  name: string;
  line: string;
}

/** The ids an example names: `npm run promote -- <id> --cluster <name>`, `npm run render|simulate -- <target>`, `exercises/<id>`. */
export function mentionsIn(help: string): Mention[] {
  const out: Mention[] = [];
  for (const line of help.split('\n')) {
    const cmd = /npm run (promote|render|simulate) -- (.*)$/.exec(line);
    if (cmd) {
      const words = (cmd[2] as string).split(/\s+/).filter(Boolean);
      const first = words.find((w, i) => !w.startsWith('-') && !w.startsWith('<') && !(i > 0 && (words[i - 1] as string).startsWith('--')));
      if (first && /^[a-z0-9-]+$/.test(first)) out.push({ kind: cmd[1] === 'promote' ? 'exercise' : 'target', name: first, line });
      words.forEach((w, i) => {
        if (w === '--cluster' && words[i + 1]) out.push({ kind: 'cluster', name: words[i + 1] as string, line });
      });
    }
    for (const m of line.matchAll(/\bexercises\/([a-z0-9-]+)/g)) out.push({ kind: 'exercise', name: m[1] as string, line });
  }
  return out;
}

describe('--help examples', () => {
  it('finds the ids in example lines', () => {
    expect(mentionsIn('  npm run promote -- shift-v1 --all-clusters\n  npm run promote -- --next --cluster workshop-b\n  npm run render -- workshop | kubectl')).toEqual([
      { kind: 'exercise', name: 'shift-v1', line: '  npm run promote -- shift-v1 --all-clusters' },
      { kind: 'cluster', name: 'workshop-b', line: '  npm run promote -- --next --cluster workshop-b' },
      { kind: 'target', name: 'workshop', line: '  npm run render -- workshop | kubectl' },
    ]);
    expect(mentionsIn('Usage: npm run promote -- <exercise-id> [options]')).toEqual([]);
  });

  it('name only exercises and clusters that exist, in every CLI', async () => {
    const [exercises, clusters] = await Promise.all([loadExercises(REPO), loadClusters(REPO)]);
    const exerciseIds = new Set(exercises.map((e) => e.id));
    const clusterNames = new Set(clusters.map((c) => c.name));
    const files = (await readdir(CLI_DIR)).filter((f) => f.endsWith('.ts')).sort();
    expect(files).toContain('promote.ts');
    const missing: string[] = [];
    let promoteMentions = 0;
    for (const file of files) {
      const mod = (await import(new URL(file, CLI_DIR).href)) as { main: (argv: string[], io: Io) => Promise<number> };
      const io = captureIo(REPO, {});
      expect(await mod.main(['--help'], io), `${file} --help`).toBe(0);
      for (const m of mentionsIn(io.stdoutText)) {
        if (file === 'promote.ts') promoteMentions++;
        const ok = m.kind === 'exercise' ? exerciseIds.has(m.name)
          : m.kind === 'cluster' ? clusterNames.has(m.name)
            : exerciseIds.has(m.name) || clusterNames.has(m.name);
        if (!ok) missing.push(`${file}: ${m.kind} "${m.name}" in "${m.line.trim()}"`);
      }
    }
    expect(missing).toEqual([]);
    // The promote help has examples with ids; the check above would pass vacuously without them.
    expect(promoteMentions).toBeGreaterThanOrEqual(3);
  });
});
