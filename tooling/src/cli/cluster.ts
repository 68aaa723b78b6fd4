// `npm run cluster -- add|list|remove|bootstrap`: a cluster per learner. `add` writes clusters/<name>/ from the
// one template, `remove` deletes the folder, `list` shows what each cluster is, and `bootstrap` prints (and,
// when the tools are there, runs) the commands that bring a cluster up on kind or a cloud.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { $ } from 'zx';
import { command, defaultIo, oneOf, runIfMain, type Io, type Parsed } from '../lib/cli.ts';
import { findCluster } from '../lib/clusters.ts';
import { ToolkitError, UsageError } from '../lib/errors.ts';
import { bootstrapPlan, missingTools, shellLine, type BootstrapPlan } from '../lib/cluster/bootstrap.ts';
import { clusterFolderFiles, describeClusters, planAddCluster } from '../lib/cluster/folder.ts';
import { LOCAL_PRODUCTPAGE_URL, PROFILES, ENGINE_CHOICES, type Engine } from '../lib/cluster/profile.ts';
import { enginesOf } from '../lib/cluster/template.ts';
import { originDrift } from '../lib/origin-drift.ts';
import { which } from '../lib/which.ts';

const HELP = `Usage: npm run cluster -- <command> [options]

Commands:
  add <name>        write clusters/<name>/ from the cluster template: the pointer, the Flux and/or
                    Argo CD objects with paths pointing at clusters/<name>, and the repository URL
                    taken from origin (or --repo-url)
  list              the clusters: engines, profile and the exercise each points at
  remove <name>     delete clusters/<name>/
  bootstrap <name>  the commands that bring the cluster up (kind, engine install, wait); runs them
                    when kind, kubectl and flux are on PATH, else prints them as with --dry-run

Options:
  --engine <e>       add: flux, argocd or both (default both); bootstrap: which one to install
                     (needed when the cluster has both)
  --profile <p>      add: local (kind, k3d, minikube: the ingress gateway gets a NodePort Service)
                     or cloud (a LoadBalancer Service; default)
  --exercise <id>    add: the exercise the pointer starts at (default: the first one)
  --repo-url <url>   add: the Git repository the engines read (default: origin's URL)
  --branch <name>    add: the branch the engines follow (default: the existing clusters' branch, or main)
  --context <ctx>    bootstrap: use this kubeconfig context instead of creating a kind cluster
  --dry-run          show what would be written, deleted or run, and change nothing
  -o, --output <f>   text (default) or json
  -h, --help         show this help
      --debug        print stack traces on errors

Examples:
  npm run cluster -- add learner-1 --profile local --engine flux
  npm run cluster -- bootstrap learner-1
  npm run cluster -- remove learner-1 --dry-run

Exit codes: 0 done, 1 failed (a step of bootstrap, an unknown cluster), 2 usage error.`;

const OPTIONS = {
  engine: { type: 'string' },
  profile: { type: 'string' },
  exercise: { type: 'string' },
  'repo-url': { type: 'string' },
  branch: { type: 'string' },
  context: { type: 'string' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

type Values = Parsed<typeof OPTIONS, true>['values'];

function onlyFor(values: Values, command: string, allowed: readonly (keyof Values)[]): void {
  const given = (Object.keys(values) as (keyof Values)[]).filter((k) => values[k] !== undefined && !allowed.includes(k) && !['output', 'help', 'debug', 'dry-run'].includes(k));
  if (given.length > 0) throw new UsageError(`--${given[0]} does not apply to \`cluster ${command}\`.`);
}

function oneName(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`\`cluster ${command}\` takes one cluster name.`, `Usage: npm run cluster -- ${command} <name>.`);
  return positionals[0] as string;
}

async function add(io: Io, values: Values, name: string, json: boolean): Promise<number> {
  onlyFor(values, 'add', ['engine', 'profile', 'exercise', 'repo-url', 'branch']);
  const engines = enginesOf(oneOf(values.engine, ENGINE_CHOICES, '--engine', 'both'));
  const profile = oneOf(values.profile, PROFILES, '--profile', 'cloud');
  const warnings: string[] = [];
  const plan = await planAddCluster(io.root, { name, engines, profile, exercise: values.exercise, repoURL: values['repo-url'], branch: values.branch }, (l) => warnings.push(l));
  const dryRun = values['dry-run'] === true;
  if (!dryRun) {
    for (const f of plan.files) {
      await mkdir(dirname(join(io.root, f.path)), { recursive: true });
      await writeFile(join(io.root, f.path), f.text, { flag: 'wx' });
    }
  }
  for (const w of warnings) io.stderr(`warning: ${w}`);
  if (json) {
    io.stdout(JSON.stringify({ action: dryRun ? 'planned' : 'added', ...plan.params, urlSource: plan.urlSource, files: plan.files.map((f) => (dryRun ? f : { path: f.path })) }, null, 2));
    return 0;
  }
  if (dryRun) {
    for (const f of plan.files) io.stdout(`--- ${f.path}\n${f.text}`);
    io.stdout(`Dry run: would write ${plan.files.length} files under clusters/${name}/ (nothing written).`);
    return 0;
  }
  io.stdout([
    `Wrote ${plan.files.length} files under clusters/${name}/ (${engines.join(' and ')}, profile ${profile}, at exercise ${plan.params.exercise}, reading ${plan.params.repoURL} ${plan.params.branch}).`,
    'Next:',
    `  npm run validate -- clusters/${name}`,
    `  git add clusters/${name} && git commit -m "Add cluster ${name}" && git push   # the engines read it from Git`,
    `  npm run cluster -- bootstrap ${name}${engines.length > 1 ? ' --engine flux   # or --engine argocd' : ''}`,
  ].join('\n'));
  return 0;
}

async function list(io: Io, values: Values, json: boolean): Promise<number> {
  onlyFor(values, 'list', []);
  const clusters = await describeClusters(io.root);
  if (json) {
    io.stdout(JSON.stringify({ clusters: clusters.map((c) => ({ name: c.name, engines: c.engines, profile: c.profile, exercise: c.exercise ?? null, error: c.error ?? null })) }, null, 2));
    return 0;
  }
  const w = Math.max(4, ...clusters.map((c) => c.name.length));
  const lines = [`${'NAME'.padEnd(w)}  ${'ENGINES'.padEnd(11)}  PROFILE  EXERCISE`];
  for (const c of clusters) lines.push(`${c.name.padEnd(w)}  ${c.engines.join(',').padEnd(11)}  ${c.profile.padEnd(7)}  ${c.exercise ?? `! ${c.error}`}`);
  if (clusters.length === 0) lines.push('(no clusters: add one with `npm run cluster -- add <name>`)');
  io.stdout(lines.join('\n'));
  return 0;
}

async function remove(io: Io, values: Values, name: string, json: boolean): Promise<number> {
  onlyFor(values, 'remove', []);
  const files = await clusterFolderFiles(io.root, name);
  const dryRun = values['dry-run'] === true;
  if (!dryRun) await rm(join(io.root, 'clusters', name), { recursive: true });
  if (json) {
    io.stdout(JSON.stringify({ action: dryRun ? 'planned' : 'removed', name, files }, null, 2));
    return 0;
  }
  io.stdout(`${dryRun ? 'Dry run: would delete' : 'Deleted'} clusters/${name}/ (${files.length} files):\n${files.map((f) => `  ${f}`).join('\n')}`);
  if (!dryRun) {
    io.stdout([
      'Next: commit and push the removal. The engine on that cluster keeps running what it last synced;',
      'delete the cluster itself (for kind: `kind delete cluster --name ' + name + '`) or uninstall the engine.',
    ].join('\n'));
  }
  return 0;
}

/** Runs one step with the command's environment, forwarding its output as it comes; resolves to its exit code. */
async function runStep(io: Io, command: string, args: string[]): Promise<number> {
  // The file missingTools found, so an empty PATH entry can never make it run one from the current folder.
  const file = which(command, { env: io.env }) ?? command;
  const child = $({ cwd: io.root, env: io.env, nothrow: true, quiet: true, stdio: ['ignore', 'pipe', 'pipe'] })`${file} ${args}`;
  child.stdout.on('data', (d: Buffer) => io.stdout(d.toString().replace(/\n$/, '')));
  child.stderr.on('data', (d: Buffer) => io.stderr(d.toString().replace(/\n$/, '')));
  const out = await child;
  return out.exitCode ?? 1;
}

async function bootstrap(io: Io, values: Values, name: string, json: boolean): Promise<number> {
  onlyFor(values, 'bootstrap', ['engine', 'context']);
  const info = findCluster(await describeClusters(io.root), name);
  if (info.engines.length === 0) throw new ToolkitError(`clusters/${name} has neither flux/ nor argocd/.`, { hint: `Write it again with \`npm run cluster -- add ${name}\`.` });
  let engine: Engine;
  if (values.engine !== undefined) {
    engine = oneOf(values.engine, ['flux', 'argocd'] as const, '--engine', 'flux');
    if (!info.engines.includes(engine)) throw new UsageError(`clusters/${name} has no ${engine}/ folder.`, `It has: ${info.engines.join(', ')}.`);
  } else if (info.engines.length === 1) {
    engine = info.engines[0] as Engine;
  } else {
    throw new UsageError(`clusters/${name} has both flux/ and argocd/: say which engine to install.`, 'Pass --engine flux or --engine argocd (one engine per cluster, never both).');
  }
  if (values.context !== undefined && !/^[A-Za-z0-9@:._/-]{1,253}$/.test(values.context)) throw new UsageError(`Invalid context name ${JSON.stringify(values.context)}.`);
  const plan = bootstrapPlan({ name, engine, profile: info.profile, context: values.context });
  const drift = await originDrift(io.root, [`clusters/${name}`]).catch(() => undefined);
  if (drift?.message) io.stderr(`warning: ${drift.message}`);
  const missing = missingTools(plan, io.env);
  const run = values['dry-run'] !== true && missing.length === 0;
  if (json) {
    io.stdout(JSON.stringify({ ...plan, run, missingTools: missing, steps: plan.steps.map((s) => ({ ...s, shell: shellLine(s) })) }, null, 2));
    if (!run) return 0;
  }
  if (!run && !json) {
    if (values['dry-run'] !== true) io.stderr(`${missing.join(', ')} not found on PATH: printing the commands instead of running them.`);
    io.stdout(describe(plan));
    return 0;
  }
  for (const [i, step] of plan.steps.entries()) {
    io.stderr(`[${i + 1}/${plan.steps.length}] ${step.title}\n$ ${shellLine(step)}`);
    const code = await runStep(io, step.command, step.args);
    if (code !== 0) {
      throw new ToolkitError(`Step ${i + 1} (${step.title}) failed with exit code ${code}.`, {
        hint: `Fix what it reports, then run the remaining steps (npm run cluster -- bootstrap ${name} --dry-run lists them)${step.command === 'kind' ? `; to reuse an existing kind cluster, pass --context kind-${name}` : ''}.`,
      });
    }
  }
  if (!json) io.stdout(`Cluster ${name} is up (${engine}, profile ${info.profile}).\n${plan.then.join('\n')}`);
  return 0;
}

function describe(plan: BootstrapPlan): string {
  return [
    `# Bootstrap cluster ${plan.name} with ${plan.engine === 'flux' ? 'Flux' : 'Argo CD'} (profile ${plan.profile}${plan.context ? `, context ${plan.context}` : ''}):`,
    ...plan.steps.map((s) => `${shellLine(s)}   # ${s.title}`),
    ...plan.then.map((t) => `# then: ${t}`),
    ...(plan.profile === 'local' && plan.steps[0]?.command !== 'kind' ? [`# (${LOCAL_PRODUCTPAGE_URL} needs kind/cluster.yaml's port mapping or a port-forward)`] : []),
  ].join('\n');
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  return command(argv, io, { help: HELP, options: OPTIONS }, async ({ values, positionals }) => {
    const json = oneOf(values.output, ['text', 'json'] as const, '--output', 'text') === 'json';
    const [sub, ...rest] = positionals;
    switch (sub) {
      case 'add':
        return add(io, values, oneName(rest, 'add'), json);
      case 'list':
        if (rest.length > 0) throw new UsageError('`cluster list` takes no arguments.');
        return list(io, values, json);
      case 'remove':
        return remove(io, values, oneName(rest, 'remove'), json);
      case 'bootstrap':
        return bootstrap(io, values, oneName(rest, 'bootstrap'), json);
      default:
        throw new UsageError(sub === undefined ? 'Missing the command.' : `Unknown command ${JSON.stringify(sub)}.`, 'Use one of: add, list, remove, bootstrap (npm run cluster -- --help).');
    }
  });
}

runIfMain(import.meta.url, main);
