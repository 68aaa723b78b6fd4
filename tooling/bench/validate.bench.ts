// `npm run bench`: how fast `npm run validate` is, so later work can be compared against it. Not a test.
// (a) 10,000 VirtualServices and DestinationRules in one file: resources/s for a whole process, start-up included;
// (b) generated repositories of N clusters: wall time of a full validate (kustomize renders included).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { $ } from 'zx';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcher = join(repo, 'tooling/bin/toolkit.mjs');
const tsx = join(repo, 'node_modules/.bin/tsx');
/** kubeconform -strict on these machines: 10,000 Istio resources in 1.5 s (from the issue). */
const KUBECONFORM_RATE = 6_700;
const TARGET = 3 * KUBECONFORM_RATE;

function virtualService(i: number): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: svc-${i}
  namespace: bench
spec:
  hosts:
  - svc-${i}
  http:
  - match:
    - headers:
        end-user:
          exact: user-${i % 7}
    fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: 7s
    route:
    - destination:
        host: svc-${i}
        subset: v2
  - match:
    - uri:
        prefix: /api/${i}
    fault:
      abort:
        percentage:
          value: 50
        httpStatus: 500
    route:
    - destination:
        host: svc-${i}
        subset: v3
  - route:
    - destination:
        host: svc-${i}
        subset: v1
      weight: 90
    - destination:
        host: svc-${i}
        subset: v3
      weight: 10
`;
}

function destinationRule(i: number): string {
  return `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: svc-${i}
  namespace: bench
spec:
  host: svc-${i}
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
`;
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A small repository of the real layout: bookinfo app, a few exercises, and N cluster folders. */
function generateRepo(dir: string, clusters: number): void {
  const services = ['productpage', 'details', 'ratings', 'reviews'];
  const base = join(dir, 'apps/bookinfo/base');
  const versions = ['v1', 'v2', 'v3'];
  for (const s of services) {
    // Every service has pods for every subset the generated DestinationRules name.
    write(join(base, `deployment-${s}.yaml`), versions.map((v) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${s}-${v}
  labels: {app: ${s}, version: ${v}}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${s}, version: ${v}}
  template:
    metadata:
      labels: {app: ${s}, version: ${v}}
    spec:
      containers:
      - name: ${s}
        image: docker.io/istio/examples-bookinfo-${s}-v1:1.20.2
        ports:
        - containerPort: 9080
        resources:
          requests: {cpu: 10m, memory: 64Mi}
          limits: {cpu: 200m, memory: 256Mi}
`).join('---\n'));
    write(join(base, `service-${s}.yaml`), `apiVersion: v1
kind: Service
metadata:
  name: ${s}
  labels: {app: ${s}}
spec:
  ports:
  - port: 9080
    name: http
  selector:
    app: ${s}
`);
  }
  write(join(base, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: bookinfo
resources:
${services.flatMap((s) => [`- deployment-${s}.yaml`, `- service-${s}.yaml`]).join('\n')}
`);
  const exercises = ['route-v1', 'shift-50-v3', 'fault-delay'];
  exercises.forEach((id, n) => {
    const ex = join(dir, 'exercises', id);
    write(join(ex, 'virtual-service-all.yaml'), services.map((s, i) => virtualService(n * 10 + i).replace(/svc-\d+/g, s)).join('---\n'));
    write(join(ex, 'destination-rule-all.yaml'), services.map((s, i) => destinationRule(n * 10 + i).replace(/svc-\d+/g, s)).join('---\n'));
    write(join(ex, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: bookinfo
resources:
- ../../apps/bookinfo/base
- virtual-service-all.yaml
- destination-rule-all.yaml
`);
  });
  for (let c = 0; c < clusters; c++) {
    write(join(dir, `clusters/cluster-${c}/exercise/kustomization.yaml`), `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../../exercises/${exercises[c % exercises.length]}
`);
  }
}

async function timeProcess(command: string, args: string[], cwd: string, quiet = false): Promise<{ seconds: number; status: number | null; stdout: string }> {
  const run = $({ cwd, env: { ...process.env, KUBECONFORM: '' }, nothrow: true, quiet: true });
  const start = process.hrtime.bigint();
  const out = await run`${command} ${args}`;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.exitCode !== 0 && !(quiet && out.exitCode === 1)) process.stderr.write(`${command} ${args.join(' ')} exited ${out.exitCode}:\n${out.stdout.slice(-2000)}${out.stderr.slice(-2000)}\n`);
  return { seconds, status: out.exitCode, stdout: out.stdout };
}

/** `fn` run `n` times, one after another (runs must not overlap: they are timed). */
async function repeat<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] as number) : String(c).padStart(widths[i] as number))).join('  ');
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_CLUSTERS ?? '1,10,100').split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'validate-bench-'));
try {
  // (a) one file of 10,000 resources.
  const count = 5_000;
  const file = join(work, 'istio-10k.yaml');
  const docs: string[] = [];
  for (let i = 0; i < count; i++) docs.push(virtualService(i), destinationRule(i));
  writeFileSync(file, docs.join('---\n'));
  // The same resources in flow style (one JSON document each), which block-yaml.ts leaves to js-yaml.
  const flowFile = join(work, 'istio-10k-flow.yaml');
  writeFileSync(flowFile, `${docs.map((d) => JSON.stringify(yaml.load(d))).join('\n---\n')}\n`);
  const resources = docs.length;
  console.log(`Validating ${resources} VirtualServices and DestinationRules (${runs} runs each, median):`);
  const widths = [46, 9, 13, 9];
  console.log(row(['process', 'seconds', 'resources/s', 'target'], widths));
  const cases: [string, string, string[]][] = [
    ['npm run validate -- <file> --no-analyzers', 'npm', ['run', '--silent', 'validate', '--', file, '--no-kubeconform', '--no-analyzers']],
    ['node tooling/bin/toolkit.mjs validate (no npm)', process.execPath, [launcher, 'validate', file, '--no-kubeconform', '--no-analyzers']],
    ['  the same, flow style', process.execPath, [launcher, 'validate', flowFile, '--no-kubeconform', '--no-analyzers']],
    // The default run adds the mesh analyzers; what they cost on this set is the difference to the first row.
    ['npm run validate -- <file> (with analyzers)', 'npm', ['run', '--silent', 'validate', '--', file, '--no-kubeconform']],
  ];
  // What every run pays before the first resource: npm, Node's start and loading the validator.
  const fixed = median((await repeat(runs, () => timeProcess('npm', ['run', '--silent', 'validate', '--', '--help'], repo))).map((r) => r.seconds));
  console.log(row(['npm run validate -- --help (start-up alone)', fixed.toFixed(2), '', ''], widths));
  for (const [label, command, args] of cases) {
    const times = (await repeat(runs, () => timeProcess(command, args, repo, true))).map((r) => r.seconds);
    const t = median(times);
    const rate = Math.round(resources / t);
    console.log(row([label, t.toFixed(2), rate, rate >= TARGET ? 'met' : `${TARGET}`], widths));
  }
  // The same work inside one process, start-up excluded, for comparing the validator itself.
  const inProcess = `import { validate } from ${JSON.stringify(join(repo, 'tooling/src/lib/validate/index.ts'))};
const t0 = performance.now();
const r = await validate({ root: ${JSON.stringify(repo)}, paths: [${JSON.stringify(file)}], kubeconform: { binary: false } });
const t1 = performance.now();
console.log(JSON.stringify({ ms: t1 - t0, resources: r.summary.resources, valid: r.summary.valid }));`;
  const script = join(work, 'in-process.mts');
  writeFileSync(script, inProcess);
  const inner = (await repeat(runs, () => timeProcess(tsx, [script], repo))).map((r) => JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { ms: number; valid: number });
  const ms = median(inner.map((r) => r.ms));
  console.log(row(['validate() in process, start-up excluded', (ms / 1000).toFixed(2), Math.round(resources / (ms / 1000)), ''], widths));
  if (inner.some((r) => r.valid !== resources)) console.log('warning: not every generated resource validated clean');

  // One document with very many findings: each finding's line is looked up in the same document.
  const fields = 20_000;
  const noisy = join(work, 'configmap-unknown-fields.yaml');
  writeFileSync(noisy, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: noisy\ndata:\n  a: b\n${Array.from({ length: fields }, (_, i) => `field${i}: x\n`).join('')}`);
  const noisyRuns = await repeat(runs, () => timeProcess(process.execPath, [launcher, 'validate', noisy, '--no-kubeconform', '--output', 'json'], repo, true));
  const found = (JSON.parse(noisyRuns[0]?.stdout ?? '{}') as { findings?: unknown[] }).findings?.length ?? 0;
  console.log(row([`one ConfigMap with ${fields} unknown fields`, median(noisyRuns.map((r) => r.seconds)).toFixed(2), '', ''], widths));
  if (found !== fields) console.log(`warning: expected ${fields} findings, got ${found}`);

  // (b) full validate of generated repositories.
  console.log(`\nFull validate of a generated repository (kustomize renders included, ${runs === 1 ? 'one run' : `median of ${Math.min(runs, 2)}`}):`);
  const w2 = [10, 14, 11, 9, 8];
  console.log(row(['clusters', 'kustomizations', 'resources', 'seconds', 'errors'], w2));
  const rules = new Set<string>();
  for (const n of sizes) {
    const dir = join(work, `repo-${n}`);
    generateRepo(dir, n);
    const times: number[] = [];
    let summary = { units: 0, resources: 0, errors: 0 };
    for (let i = 0; i < Math.min(runs, 2); i++) {
      // Findings are expected: the generated exercises are not tuned to every analyzer; time is what counts.
      const out = await timeProcess(process.execPath, [launcher, 'validate', '--output', 'json', '--no-kubeconform'], dir, true);
      times.push(out.seconds);
      const parsed = JSON.parse(out.stdout) as { summary: typeof summary; findings: { rule: string; severity: string }[] };
      summary = parsed.summary;
      for (const f of parsed.findings) if (f.severity === 'error') rules.add(f.rule);
    }
    console.log(row([n, summary.units, summary.resources, median(times).toFixed(2), summary.errors], w2));
  }
  if (rules.size) console.log(`(error findings in the generated repositories come from: ${[...rules].sort().join(', ')})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
