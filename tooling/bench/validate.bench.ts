// `npm run bench`: how fast the toolkit is, so later work can be compared against it. Not a test: it prints
// figures and checks nothing. See --help, and docs/validate.md ("Speed") for what the figures mean.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chooseKustomize, describeKustomize, DEVEL_V5 } from '../src/lib/kustomize.ts';
import { DEFAULT_SCHEMA_LOCATIONS, findKubeconform } from '../src/lib/validate/kubeconform.ts';
import { istioFile, repositoryWithClusters } from './generate.ts';

const HELP = `Usage: npm run bench [-- --quick] [--runs <n>] [--clusters <n,n,...>]

A benchmark, not a test: it prints figures and checks none of them.

  1. Full-repository validate (node tooling/bin/toolkit.mjs validate), wall time cold (empty render
     cache) and warm (nothing changed since the last run), with kustomize builds and distinct inputs.
  2. Validate of this repository with N added clusters (copies of clusters/workshop), cold and warm:
     wall time, kustomizations, distinct inputs and builds run.
  3. kustomize builds per command, cold and warm: validate, render, simulate and promote --dry-run.
  4. 10,000 Istio resources in one file: the toolkit as a process (node tooling/bin/toolkit.mjs validate
     FILE), and kubeconform -strict on the same file when a kubeconform binary is on PATH or in KUBECONFORM.

Options:
  --quick              one run each, clusters 1 and 10, 2,000 resources instead of 10,000 (under a minute
                       on an idle 2-core machine)
  --runs <n>           runs per figure, the median is shown (default 3)
  --clusters <n,...>   added-cluster counts (default 1,10,100)
  -h, --help           show this help

The kustomize is the one the toolkit chooses (KUSTOMIZE, a v5 on PATH, kubectl, then the npm package);
the first line names it. Builds are counted by naming, in KUSTOMIZE, a wrapper script that logs each build
and runs that kustomize. Section 1's times are taken without the wrapper, as a user runs validate, and its
builds counted in one more cold and warm run through it. Every figure uses its own empty render cache (TOOLKIT_RENDER_CACHE).`;

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, runs: { type: 'string' }, clusters: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const quick = values.quick ?? false;
const runs = Number(values.runs ?? (quick ? 1 : 3));
const sizes = (values.clusters ?? (quick ? '1,10' : '1,10,100')).split(',').map(Number);
if (!(runs >= 1) || sizes.some((n) => !Number.isInteger(n) || n < 0)) {
  console.error('--runs takes a number >= 1 and --clusters a comma-separated list of counts.');
  process.exit(2);
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcher = join(repo, 'tooling/bin/toolkit.mjs');
const work = mkdtempSync(join(tmpdir(), 'toolkit-bench-'));
const buildLog = join(work, 'builds.log');

/** A kustomize that logs each build to buildLog, then runs the one the toolkit chose. */
function countingKustomize(): string {
  const k = chooseKustomize({ warn: (line) => console.log(line) });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const run = `${quote(k.command)} ${k.args.map(quote).join(' ')} "$@"`;
  const script = join(work, 'kustomize');
  // An unstamped build answers `(devel)`, as the binary does, so the toolkit runs its v5 check through the
  // wrapper too: that build is not logged. A script's answers are never remembered, so the check runs in
  // every wrapped run (about 0.05 s each, inside sections 2 and 3's times).
  const version = k.version === DEVEL_V5 ? '(devel)' : k.version;
  writeFileSync(script, [
    '#!/bin/sh',
    `if [ "$1" = version ]; then echo ${quote(version)}; exit 0; fi`,
    'shift',
    `case "$1" in */kustomize-v5-check-*) ;; *) echo "$1" >> ${quote(buildLog)} ;; esac`,
    `exec ${run}`,
    '',
  ].join('\n'));
  chmodSync(script, 0o755);
  console.log(`kustomize: ${describeKustomize(k)} (${k.command}, from ${k.source})`);
  return script;
}

const kustomize = countingKustomize();
let caches = 0;
const freshCache = () => join(work, `cache-${caches++}`);

function builds(): number {
  try {
    return readFileSync(buildLog, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

interface Timed {
  seconds: number;
  status: number | null;
  stdout: string;
  builds: number;
}

/** Runs `command args` in `cwd` with its own render cache; `wrapped`: through the counting kustomize. */
function time(args: string[], cwd: string, cache: string, command = process.execPath, wrapped = true): Timed {
  rmSync(buildLog, { force: true });
  const start = process.hrtime.bigint();
  const out = spawnSync(command, args, {
    cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, KUBECONFORM: '', KUSTOMIZE: wrapped ? kustomize : (process.env.KUSTOMIZE ?? ''), TOOLKIT_RENDER_CACHE: cache, GITHUB_TOKEN: '', GH_TOKEN: '' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.status !== 0 && out.status !== 1) process.stderr.write(`${args.join(' ')} exited ${out.status}:\n${out.stderr.slice(-2000)}\n`);
  return { seconds, status: out.status, stdout: out.stdout, builds: builds() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function table(head: string[], rows: (string | number)[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] as number) : String(c).padStart(widths[i] as number))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

interface RenderCounts {
  requested: number;
  distinct: number;
  builds: number;
  cached: number;
}

/**
 * validate --output json in `dir`, cold then warm (median of `runs` each): seconds and the render counts.
 * `direct`: timed without the counting wrapper (its shell costs a little per build), and the builds counted
 * in one more cold and warm pair through it.
 */
function validateColdWarm(dir: string, direct = false): { cold: number; warm: number; coldCounts: RenderCounts; warmCounts: RenderCounts; coldBuilds: number; warmBuilds: number } {
  const args = [launcher, 'validate', '--output', 'json', '--no-kubeconform'];
  const counts = (t: Timed) => (JSON.parse(t.stdout) as { summary: { kustomize: RenderCounts } }).summary.kustomize;
  const cold: Timed[] = [];
  const warm: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const cache = freshCache();
    cold.push(time(args, dir, cache, process.execPath, !direct));
    warm.push(time(args, dir, cache, process.execPath, !direct));
  }
  let counted = [cold[0] as Timed, warm[0] as Timed];
  if (direct) {
    const cache = freshCache();
    counted = [time(args, dir, cache), time(args, dir, cache)];
  }
  return {
    cold: median(cold.map((t) => t.seconds)), warm: median(warm.map((t) => t.seconds)),
    coldCounts: counts(cold[0] as Timed), warmCounts: counts(warm[0] as Timed),
    // Counted by the wrapper, not by the toolkit: what kustomize really ran.
    coldBuilds: (counted[0] as Timed).builds, warmBuilds: (counted[1] as Timed).builds,
  };
}

try {
  // The bundle is built once, outside the figures.
  time([launcher, 'validate', '--help'], repo, freshCache());

  console.log(`\n1. Full-repository validate (${runs === 1 ? 'one run' : `median of ${runs}`})`);
  const full = validateColdWarm(repo, true);
  table(['cache', 'seconds', 'kustomizations', 'distinct', 'builds', 'from cache'], [
    ['cold', full.cold.toFixed(2), full.coldCounts.requested, full.coldCounts.distinct, full.coldBuilds, full.coldCounts.cached],
    ['warm', full.warm.toFixed(2), full.warmCounts.requested, full.warmCounts.distinct, full.warmBuilds, full.warmCounts.cached],
  ]);

  console.log('\n2. Validate with N added clusters (copies of clusters/workshop)');
  const rows: (string | number)[][] = [];
  for (const n of sizes) {
    const dir = join(work, `repo-${n}`);
    repositoryWithClusters(repo, dir, n);
    const r = validateColdWarm(dir);
    rows.push([n, r.coldCounts.requested, r.coldCounts.distinct, r.coldBuilds, r.cold.toFixed(2), r.warmBuilds, r.warm.toFixed(2)]);
    rmSync(dir, { recursive: true, force: true });
  }
  table(['clusters', 'kustomizations', 'distinct', 'builds cold', 'cold s', 'builds warm', 'warm s'], rows);

  console.log('\n3. kustomize builds per command');
  const clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', repo, clone]);
  const commands: [string, string[], string][] = [
    ['render baseline', ['render', 'baseline'], repo],
    ['simulate workshop', ['simulate', 'workshop'], repo],
    ['promote fault-abort --dry-run', ['promote', 'fault-abort', '--dry-run'], clone],
  ];
  // validate's row is section 1's first run.
  const perCommand: (string | number)[][] = [['validate', full.coldBuilds, full.cold.toFixed(2), full.warmBuilds, full.warm.toFixed(2)]];
  for (const [label, args, cwd] of commands) {
    const cache = freshCache();
    const cold = time([launcher, ...args], cwd, cache);
    const warm = time([launcher, ...args], cwd, cache);
    perCommand.push([label, cold.builds, cold.seconds.toFixed(2), warm.builds, warm.seconds.toFixed(2)]);
  }
  table(['command', 'builds cold', 'cold s', 'builds warm', 'warm s'], perCommand);

  const pairs = quick ? 1_000 : 5_000;
  const file = join(work, 'istio.yaml');
  const resources = istioFile(file, pairs);
  console.log(`\n4. ${resources} VirtualServices and DestinationRules in one file (${runs === 1 ? 'one run' : `median of ${runs}`})`);
  const rate = (seconds: number) => Math.round(resources / seconds);
  const toolkit = median(Array.from({ length: runs }, () => time([launcher, 'validate', file, '--no-kubeconform', '--no-analyzers'], repo, freshCache()).seconds));
  const figures: (string | number)[][] = [['node tooling/bin/toolkit.mjs validate FILE --no-analyzers', toolkit.toFixed(2), rate(toolkit)]];
  const withAnalyzers = median(Array.from({ length: runs }, () => time([launcher, 'validate', file, '--no-kubeconform'], repo, freshCache()).seconds));
  figures.push(['node tooling/bin/toolkit.mjs validate FILE (with analyzers)', withAnalyzers.toFixed(2), rate(withAnalyzers)]);
  const kubeconform = findKubeconform(process.env);
  if (kubeconform) {
    const kc = median(Array.from({ length: runs }, () => time(['-strict', '-summary', ...DEFAULT_SCHEMA_LOCATIONS.flatMap((l) => ['-schema-location', l]), file], repo, freshCache(), kubeconform).seconds));
    figures.push([`kubeconform -strict (${kubeconform})`, kc.toFixed(2), rate(kc)]);
  }
  table(['process', 'seconds', 'resources/s'], figures);
  if (!kubeconform) console.log('(no kubeconform on PATH or in KUBECONFORM: its row is left out)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
