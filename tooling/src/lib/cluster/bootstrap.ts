// `npm run cluster -- bootstrap <name>`: the commands that take a cluster from nothing to /productpage, as a
// plan of argument vectors (no shell, so a cluster name can never become shell syntax). The CLI prints them,
// and runs them when kind, kubectl and flux are on PATH.
import { which } from '../which.ts';
import { KIND_CONFIG, LOCAL_PRODUCTPAGE_URL, type Engine, type Profile } from './profile.ts';

/** The engine versions the README's bootstrap installs (a test keeps the two equal). */
export const FLUX_VERSION = 'v2.6.4';
export const ARGOCD_VERSION = 'v3.0.6';
export const ARGOCD_INSTALL_URL = `https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml`;
/** How long the last step waits for the engine to report the whole chain ready. */
export const READY_TIMEOUT = '30m';

export interface BootstrapStep {
  /** What the step is for, one line. */
  title: string;
  command: 'kind' | 'kubectl' | 'flux';
  args: string[];
}

export interface BootstrapPlan {
  name: string;
  engine: Engine;
  profile: Profile;
  /** The kubeconfig context every kubectl and flux step names; undefined: the current context. */
  context: string | undefined;
  steps: BootstrapStep[];
  /** What to do once the steps are done. */
  then: string[];
}

export interface BootstrapOptions {
  name: string;
  engine: Engine;
  profile: Profile;
  /** Use this existing context instead of creating a kind cluster (always needed for the cloud profile). */
  context?: string;
}

export function bootstrapPlan(o: BootstrapOptions): BootstrapPlan {
  const steps: BootstrapStep[] = [];
  const createKind = o.context === undefined && o.profile === 'local';
  const context = o.context ?? (createKind ? `kind-${o.name}` : undefined);
  const ctx = context === undefined ? [] : ['--context', context];
  if (createKind) {
    steps.push({ title: `Create the kind cluster ${o.name} (ports from ${KIND_CONFIG})`, command: 'kind', args: ['create', 'cluster', '--name', o.name, '--config', KIND_CONFIG] });
  }
  const kubectl = (title: string, ...args: string[]): BootstrapStep => ({ title, command: 'kubectl', args: [...ctx, ...args] });
  const dir = `clusters/${o.name}`;
  if (o.engine === 'flux') {
    steps.push({ title: `Install the Flux controllers ${FLUX_VERSION}`, command: 'flux', args: ['install', `--version=${FLUX_VERSION}`, ...ctx] });
    steps.push(kubectl('Apply the Git source and the Kustomizations', 'apply', '-k', `${dir}/flux`));
    steps.push(kubectl('Wait until the exercise Kustomization is ready (istio -> mesh-addons / bookinfo -> exercise)',
      '-n', 'flux-system', 'wait', 'kustomization/exercise', '--for=condition=Ready', `--timeout=${READY_TIMEOUT}`));
  } else {
    steps.push(kubectl('Create the argocd namespace', 'create', 'namespace', 'argocd'));
    steps.push(kubectl(`Install Argo CD ${ARGOCD_VERSION}`, 'apply', '-n', 'argocd', '--server-side', '--force-conflicts', '-f', ARGOCD_INSTALL_URL));
    steps.push(kubectl('Wait for the Argo CD resource kinds', 'wait', '--for=condition=Established', 'crd/applications.argoproj.io', 'crd/appprojects.argoproj.io', '--timeout=120s'));
    steps.push(kubectl('Add the Application health check that makes sync waves wait', '-n', 'argocd', 'patch', 'configmap', 'argocd-cm', '--type', 'merge', '--patch-file', `${dir}/argocd/bootstrap/argocd-cm-health.yaml`));
    steps.push(kubectl('Apply the project and the app of apps', 'apply', '-k', `${dir}/argocd/bootstrap`));
    steps.push(kubectl('Wait until the app of apps is Healthy (waves -3 .. 3)',
      '-n', 'argocd', 'wait', 'application/workshop', '--for=jsonpath={.status.health.status}=Healthy', `--timeout=${READY_TIMEOUT}`));
  }
  const then = o.profile === 'local'
    ? createKind
      ? [`Open ${LOCAL_PRODUCTPAGE_URL}`]
      : [`Reach the gateway's NodePort: \`kubectl ${ctx.join(' ')}${ctx.length ? ' ' : ''}-n istio-system port-forward service/istio-ingressgateway 8080:80\`, then open ${LOCAL_PRODUCTPAGE_URL}`]
    : [`Find the gateway's address: \`kubectl ${ctx.join(' ')}${ctx.length ? ' ' : ''}-n istio-system get service istio-ingressgateway\` (EXTERNAL-IP), then open http://<EXTERNAL-IP>/productpage`];
  return { name: o.name, engine: o.engine, profile: o.profile, context, steps, then };
}

/** The shell form of a step, for printing: every argument that is not plain is single-quoted. */
export function shellLine(step: Pick<BootstrapStep, 'command' | 'args'>): string {
  const quote = (a: string) => (/^[A-Za-z0-9_./:=,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [step.command, ...step.args].map(quote).join(' ');
}

/** The tools of a plan that are not executable files on `PATH`. */
export function missingTools(plan: BootstrapPlan, env: NodeJS.ProcessEnv): string[] {
  return [...new Set(plan.steps.map((s) => s.command))].filter((t) => !which(t, { env }));
}
