// Cluster folders as a facilitator handles them: what each one is (engines, profile, exercise), the plan for
// adding one from the template, and the plan for removing one. Plans are lists of files; the CLI prints them
// for --dry-run and applies them otherwise.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { checkClusterName, CLUSTER_NAME, findCluster, scanClusters } from '../clusters.ts';
import { ToolkitError } from '../errors.ts';
import { findExercise, loadExercises } from '../exercises.ts';
import { remoteUrl } from '../git.ts';
import { ARGOCD_PROFILE_PATCH, type ClusterParams, type Engine, type Profile } from './profile.ts';
import { checkRepoUrl, clusterFiles, engineUrlFromRemote, type ClusterFile } from './template.ts';

/** The placeholder the seed repository ships; a cluster written with it cannot sync until it is replaced. */
export const PLACEHOLDER_REPO_URL = 'https://github.com/example-org/mesh-workshop-gitops.git';

export interface ClusterInfo {
  name: string;
  engines: Engine[];
  profile: Profile;
  /** The exercise the pointer names; undefined when the pointer cannot be read (`error` says why). */
  exercise?: string;
  error?: string;
}

async function readIfExists(file: string): Promise<string | undefined> {
  return existsSync(file) ? readFile(file, 'utf8') : undefined;
}

/** A cluster is `local` when its engine objects patch the gateway to a NodePort Service (see profile.ts). */
async function profileOf(root: string, name: string): Promise<Profile> {
  if (existsSync(join(root, 'clusters', name, 'argocd', ARGOCD_PROFILE_PATCH))) return 'local';
  const istio = await readIfExists(join(root, 'clusters', name, 'flux', 'istio.yaml'));
  return istio && /^\s*type: NodePort\s*$/m.test(istio) ? 'local' : 'cloud';
}

/** Every cluster folder with a pointer file, sorted by name, including those whose pointer is broken. */
export async function describeClusters(root: string): Promise<ClusterInfo[]> {
  const { clusters, broken } = await scanClusters(root);
  const all = [
    ...clusters.map((c) => ({ name: c.name, exercise: c.exerciseId })),
    ...broken.map((b) => ({ name: b.name, error: b.error.message })),
  ].sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(all.map(async (c) => ({
    ...c,
    engines: (['flux', 'argocd'] as const).filter((e) => existsSync(join(root, 'clusters', c.name, e))),
    profile: await profileOf(root, c.name),
  })));
}

/** The repository URL and branch an existing cluster's engine objects read, if any cluster has them. */
async function existingSource(root: string): Promise<{ url?: string; branch?: string }> {
  const base = join(root, 'clusters');
  if (!existsSync(base)) return {};
  for (const entry of (await readdir(base, { withFileTypes: true })).filter((e) => e.isDirectory() && CLUSTER_NAME.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      const flux = yaml.load((await readIfExists(join(base, entry.name, 'flux', 'source.yaml'))) ?? '') as { spec?: { url?: unknown; ref?: { branch?: unknown } } } | undefined;
      if (typeof flux?.spec?.url === 'string') return { url: flux.spec.url, branch: typeof flux.spec.ref?.branch === 'string' ? flux.spec.ref.branch : undefined };
      const root_ = yaml.load((await readIfExists(join(base, entry.name, 'argocd', 'bootstrap', 'root.yaml'))) ?? '') as { spec?: { source?: { repoURL?: unknown; targetRevision?: unknown } } } | undefined;
      const source = root_?.spec?.source;
      if (typeof source?.repoURL === 'string') return { url: source.repoURL, branch: typeof source.targetRevision === 'string' ? source.targetRevision : undefined };
    } catch {
      // An unreadable file here only means this cluster cannot lend its URL.
    }
  }
  return {};
}

export interface AddOptions {
  name: string;
  engines: Engine[];
  profile: Profile;
  exercise?: string;
  repoURL?: string;
  branch?: string;
}

export interface AddPlan {
  params: ClusterParams;
  files: ClusterFile[];
  /** Where the repository URL came from, for the report. */
  urlSource: 'option' | 'origin' | 'existing cluster' | 'placeholder';
}

/** Checks the name and the exercise and fills in the template; writes nothing. */
export async function planAddCluster(root: string, options: AddOptions, warn: (line: string) => void): Promise<AddPlan> {
  checkClusterName(options.name);
  if (existsSync(join(root, 'clusters', options.name))) {
    throw new ToolkitError(`clusters/${options.name} already exists.`, { hint: `Pick another name, or remove it first with \`npm run cluster -- remove ${options.name}\`.` });
  }
  const exercises = await loadExercises(root);
  const first = exercises[0];
  if (!first) throw new ToolkitError('There are no exercises to point the cluster at.', { hint: 'Add one with `npm run exercise -- new <id>`.' });
  const exercise = options.exercise === undefined ? first.id : findExercise(exercises, options.exercise).id;

  const existing = await existingSource(root);
  let repoURL: string;
  let urlSource: AddPlan['urlSource'];
  const origin = await remoteUrl(root).catch(() => undefined);
  const fromOrigin = origin === undefined ? undefined : engineUrlFromRemote(origin);
  if (options.repoURL !== undefined) [repoURL, urlSource] = [checkRepoUrl(options.repoURL), 'option'];
  else if (fromOrigin !== undefined) [repoURL, urlSource] = [checkRepoUrl(fromOrigin), 'origin'];
  else if (existing.url !== undefined) [repoURL, urlSource] = [checkRepoUrl(existing.url), 'existing cluster'];
  else [repoURL, urlSource] = [PLACEHOLDER_REPO_URL, 'placeholder'];
  if (repoURL === PLACEHOLDER_REPO_URL) {
    warn(`The engines will read ${PLACEHOLDER_REPO_URL}, the seed's placeholder: origin is ${origin === undefined ? 'not set' : 'not a hosted repository'}.`);
    warn('Pass --repo-url <your repository> (or set origin) so that the cluster can sync.');
  }
  const params: ClusterParams = { name: options.name, repoURL, branch: options.branch ?? existing.branch ?? 'main', engines: options.engines, profile: options.profile, exercise };
  return { params, files: clusterFiles(params), urlSource };
}

/** Every file under `clusters/<name>/`, repository-relative, sorted; throws NotFoundError for an unknown cluster. */
export async function clusterFolderFiles(root: string, name: string): Promise<string[]> {
  // A folder without a readable pointer is still a folder to remove. findCluster throws here (the known
  // clusters all have folders), with the suggestion and hint every command gives.
  if (!CLUSTER_NAME.test(name) || !existsSync(join(root, 'clusters', name))) findCluster(await describeClusters(root), name);
  const entries = await readdir(join(root, 'clusters', name), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => `${join(e.parentPath, e.name).slice(root.length + 1).split('\\').join('/')}`)
    .sort();
}
