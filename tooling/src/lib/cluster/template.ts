// The one cluster template: every file of `clusters/<name>/` for a name, a repository, the engines and a
// profile. `npm run cluster -- add` writes it; the repository's own clusters are instances of it (a test
// compares them byte for byte), so a generated cluster is exactly what the hand-written ones were.
import { checkClusterName } from '../clusters.ts';
import { checkBranchName, redact } from '../git.ts';
import { ToolkitError, UsageError } from '../errors.ts';
import { EXERCISE_ID } from '../exercises.ts';
import { argocdFiles } from './template-argocd.ts';
import { fluxFiles } from './template-flux.ts';
import type { ClusterParams, Engine, EngineChoice } from './profile.ts';

export interface ClusterFile {
  /** Repository-relative path, `clusters/<name>/...`. */
  path: string;
  text: string;
}

export function enginesOf(choice: EngineChoice): Engine[] {
  return choice === 'both' ? ['flux', 'argocd'] : [choice];
}

function pointerFile(p: ClusterParams): string {
  const who = p.engines.length === 2
    ? "Flux's `exercise` Kustomization and Argo CD's `exercise` Application both sync this folder."
    : p.engines[0] === 'flux' ? "Flux's `exercise` Kustomization syncs this folder." : "Argo CD's `exercise` Application syncs this folder.";
  return `# The exercise cluster \`${p.name}\` runs. The one \`../../../exercises/<id>\` line below is the pointer that
# \`npm run promote\` rewrites; nothing else in clusters/${p.name}/ changes when the exercise moves.
# ${who}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../exercises/${p.exercise}
`;
}

/**
 * A URL the engines can clone, safe to write into YAML unquoted: https or ssh, no credentials (a token in
 * origin's URL must never reach a committed file), no whitespace, quotes, `#` or YAML flow characters.
 */
export function checkRepoUrl(url: string): string {
  const fail = (why: string) =>
    new UsageError(`Cannot use ${JSON.stringify(redact(url))} as the repository URL: ${why}.`, 'Pass --repo-url https://github.com/<owner>/<repository>.git.');
  if (!/^[A-Za-z0-9@:/._~%+-]+$/.test(url)) throw fail('it has characters a Git URL does not need');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail('it is not a URL');
  }
  if (!['https:', 'ssh:', 'http:'].includes(parsed.protocol)) throw fail('use an https:// (or ssh://) URL');
  if (parsed.password || (parsed.username && parsed.protocol !== 'ssh:')) throw fail('it carries credentials');
  if (!parsed.hostname || parsed.pathname.length < 2) throw fail('it names no repository');
  return url;
}

/**
 * The URL the engines should read, from origin's URL: https as is (credentials dropped), the scp form
 * `git@host:owner/repo.git` as `https://host/owner/repo.git` (the engines read a public repository without
 * a key). Undefined for a path on disk or anything else that is no hosted repository.
 */
export function engineUrlFromRemote(remote: string): string | undefined {
  const trimmed = remote.trim();
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)([\w./-]+)$/.exec(trimmed);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const url = new URL(trimmed);
    if (url.protocol === 'https:' || url.protocol === 'http:') return `https://${url.host}${url.pathname}`;
    if (url.protocol === 'ssh:') return `https://${url.hostname}${url.pathname}`;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Every file of `clusters/<name>/`, in a stable order. */
export function clusterFiles(p: ClusterParams): ClusterFile[] {
  checkClusterName(p.name);
  if (!EXERCISE_ID.test(p.exercise)) throw new ToolkitError(`Invalid exercise id ${JSON.stringify(p.exercise)}.`);
  checkBranchName(p.branch, 'branch name');
  checkRepoUrl(p.repoURL);
  const files: [string, string][] = [['exercise/kustomization.yaml', pointerFile(p)]];
  if (p.engines.includes('flux')) files.push(...fluxFiles(p));
  if (p.engines.includes('argocd')) files.push(...argocdFiles(p));
  return files.map(([path, text]) => ({ path: `clusters/${p.name}/${path}`, text }));
}
