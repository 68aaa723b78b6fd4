// `npm run cluster -- bootstrap`: with stand-in kind, kubectl and flux executables on PATH that record their
// arguments, it runs exactly the planned commands in order; without them it prints the plan and runs nothing.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cluster } from '../../tooling/src/cli/cluster.ts';
import { ARGOCD_INSTALL_URL, FLUX_VERSION } from '../../tooling/src/lib/cluster/bootstrap.ts';
import { captureIo } from '../helpers/io.ts';
import { copyRepo } from './support.ts';

let copy: { root: string; cleanup: () => Promise<void> };
let bin: string;
let log: string;

/** A stand-in that appends its name and arguments (unit-separated) to $STANDIN_LOG and exits $STANDIN_FAIL_<name> or 0. */
async function standIn(name: string): Promise<void> {
  const script = `#!/bin/sh
printf '%s' "${name}" >> "$STANDIN_LOG"
for a in "$@"; do printf '\\037%s' "$a" >> "$STANDIN_LOG"; done
printf '\\n' >> "$STANDIN_LOG"
if [ "$STANDIN_FAIL" = "${name} $1" ]; then echo "${name}: simulated failure" >&2; exit 3; fi
echo "${name} ok"
`;
  await writeFile(join(bin, name), script);
  await chmod(join(bin, name), 0o755);
}

async function calls(): Promise<string[][]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => l.split('\x1f'));
}

beforeAll(async () => {
  copy = await copyRepo();
  bin = await mkdtemp(join(tmpdir(), 'standins-'));
  log = join(bin, 'calls.log');
  for (const tool of ['kind', 'kubectl', 'flux']) await standIn(tool);
  expect(await cluster(['add', 'laptop', '--profile', 'local', '--engine', 'flux'], captureIo(copy.root))).toBe(0);
  expect(await cluster(['add', 'lab', '--profile', 'cloud', '--engine', 'argocd'], captureIo(copy.root))).toBe(0);
});
afterAll(async () => {
  await copy.cleanup();
  await rm(bin, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ PATH: bin, STANDIN_LOG: log, ...extra });

describe('npm run cluster -- bootstrap', () => {
  it('creates the kind cluster, installs Flux, applies the cluster and waits, in that order', async () => {
    await rm(log, { force: true });
    const io = captureIo(copy.root, env());
    expect(await cluster(['bootstrap', 'laptop'], io)).toBe(0);
    expect(await calls()).toEqual([
      ['kind', 'create', 'cluster', '--name', 'laptop', '--config', 'kind/cluster.yaml'],
      ['flux', 'install', `--version=${FLUX_VERSION}`, '--context', 'kind-laptop'],
      ['kubectl', '--context', 'kind-laptop', 'apply', '-k', 'clusters/laptop/flux'],
      ['kubectl', '--context', 'kind-laptop', '-n', 'flux-system', 'wait', 'kustomization/exercise', '--for=condition=Ready', '--timeout=30m'],
    ]);
    expect(io.stderrText).toContain('[1/4] Create the kind cluster laptop');
    expect(io.stdoutText).toContain('kind ok');
    expect(io.stdoutText).toMatch(/Open http:\/\/localhost:8080\/productpage$/);
  });

  it('installs Argo CD on the given context: health check before the app of apps, then waits for it', async () => {
    await rm(log, { force: true });
    const io = captureIo(copy.root, env());
    expect(await cluster(['bootstrap', 'lab', '--context', 'gke_lab'], io)).toBe(0);
    const ctx = ['kubectl', '--context', 'gke_lab'];
    expect(await calls()).toEqual([
      [...ctx, 'create', 'namespace', 'argocd'],
      [...ctx, 'apply', '-n', 'argocd', '--server-side', '--force-conflicts', '-f', ARGOCD_INSTALL_URL],
      [...ctx, 'wait', '--for=condition=Established', 'crd/applications.argoproj.io', 'crd/appprojects.argoproj.io', '--timeout=120s'],
      [...ctx, '-n', 'argocd', 'patch', 'configmap', 'argocd-cm', '--type', 'merge', '--patch-file', 'clusters/lab/argocd/bootstrap/argocd-cm-health.yaml'],
      [...ctx, 'apply', '-k', 'clusters/lab/argocd/bootstrap'],
      [...ctx, '-n', 'argocd', 'wait', 'application/workshop', '--for=jsonpath={.status.health.status}=Healthy', '--timeout=30m'],
    ]);
    expect(io.stdoutText).toMatch(/get service istio-ingressgateway` \(EXTERNAL-IP\)/);
  });

  it('stops at the first failing step, names it, and runs nothing after it', async () => {
    await rm(log, { force: true });
    const io = captureIo(copy.root, env({ STANDIN_FAIL: 'kubectl --context' }));
    expect(await cluster(['bootstrap', 'laptop'], io)).toBe(1);
    expect((await calls()).map((c) => c[0])).toEqual(['kind', 'flux', 'kubectl']);
    expect(io.stderrText).toContain('error: Step 3 (Apply the Git source and the Kustomizations) failed with exit code 3.');
    expect(io.stderrText).toContain('kubectl: simulated failure');
  });

  it('prints the commands and runs nothing when the tools are missing, or with --dry-run', async () => {
    await rm(log, { force: true });
    const empty = join(bin, 'empty');
    await mkdir(empty, { recursive: true });
    const missing = captureIo(copy.root, { PATH: empty, STANDIN_LOG: log });
    expect(await cluster(['bootstrap', 'laptop'], missing)).toBe(0);
    expect(missing.stderrText).toContain('kind, flux, kubectl not found on PATH: printing the commands instead of running them.');
    expect(missing.stdoutText.split('\n').slice(1, 5)).toEqual([
      'kind create cluster --name laptop --config kind/cluster.yaml   # Create the kind cluster laptop (ports from kind/cluster.yaml)',
      `flux install --version=${FLUX_VERSION} --context kind-laptop   # Install the Flux controllers ${FLUX_VERSION}`,
      'kubectl --context kind-laptop apply -k clusters/laptop/flux   # Apply the Git source and the Kustomizations',
      "kubectl --context kind-laptop -n flux-system wait kustomization/exercise --for=condition=Ready --timeout=30m   # Wait until the exercise Kustomization is ready (istio -> mesh-addons / bookinfo -> exercise)",
    ]);
    const dry = captureIo(copy.root, env());
    expect(await cluster(['bootstrap', 'lab', '--dry-run', '-o', 'json'], dry)).toBe(0);
    expect(JSON.parse(dry.stdoutText)).toMatchObject({ name: 'lab', engine: 'argocd', profile: 'cloud', run: false, missingTools: [] });
    expect(await calls()).toEqual([]);
  });

  it('installs the versions the README\u2019s bootstrap pins, and the README shows the laptop quick start', async () => {
    const readme = await readFile(join(copy.root, 'README.md'), 'utf8');
    expect(readme).toContain(`flux install --version=${FLUX_VERSION}`);
    expect(readme).toContain(ARGOCD_INSTALL_URL);
    expect(readme).toContain('npm run cluster -- bootstrap my-laptop\n');
    expect(readme).toContain('--config kind/cluster.yaml');
    expect(readme).toContain('http://localhost:8080/productpage');
  });

  it('asks which engine for a cluster that has both, and refuses one it does not have', async () => {
    const both = captureIo(copy.root, env());
    expect(await cluster(['bootstrap', 'workshop'], both)).toBe(2);
    expect(both.stderrText).toMatch(/Pass --engine flux or --engine argocd/);
    const absent = captureIo(copy.root, env());
    expect(await cluster(['bootstrap', 'laptop', '--engine', 'argocd'], absent)).toBe(2);
    expect(absent.stderrText).toMatch(/clusters\/laptop has no argocd\/ folder/);
    expect(await cluster(['bootstrap', 'nowhere'], captureIo(copy.root, env()))).toBe(1);
  });

  it('names a cluster folder that has no exercise pointer as unknown, with the clusters there are, not a crash', async () => {
    await mkdir(join(copy.root, 'clusters/half/flux'), { recursive: true });
    try {
      const io = captureIo(copy.root, env());
      expect(await cluster(['bootstrap', 'half'], io)).toBe(1);
      expect(io.err[0]).toBe('error: Unknown cluster "half".');
      expect(io.err[1]).toMatch(/^hint: Clusters are the folders under clusters\/: .*laptop/);
    } finally {
      await rm(join(copy.root, 'clusters/half'), { recursive: true, force: true });
    }
  });
});
