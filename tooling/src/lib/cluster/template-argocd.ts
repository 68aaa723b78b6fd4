// The Argo CD half of the cluster template: `clusters/<name>/argocd/`, the app of apps and its children, and
// `bootstrap/`, the part applied by hand. The text is the repository's own clusters/workshop-b/argocd with the
// cluster's name, repository and branch filled in; test/cluster/template.test.ts keeps the two byte-equal.
import { ARGOCD_PROFILE_PATCH, nodePortServiceValues, type ClusterParams } from './profile.ts';

/** Under the `local` profile the app of apps patches the gateway Application it reads from apps/istio/argocd. */
function profilePatches(p: ClusterParams): string {
  if (p.profile !== 'local') return '';
  return `# Profile \`local\`: the ingress gateway gets a NodePort Service (see ${ARGOCD_PROFILE_PATCH}).
patches:
  - path: ${ARGOCD_PROFILE_PATCH}
`;
}

function profilePatchFile(p: ClusterParams): [string, string][] {
  if (p.profile !== 'local') return [];
  return [[`argocd/${ARGOCD_PROFILE_PATCH}`, `# Profile \`local\` for cluster \`${p.name}\`: no load balancer gives a LoadBalancer Service an address here, and
# Argo CD reports such a Service Progressing until it has one, so the gateway Application (wave -1) would never be
# Healthy and the later waves would never start. A NodePort Service on fixed ports is Healthy at once.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: istio-ingressgateway
  namespace: argocd
spec:
  source:
    helm:
      valuesObject:
${nodePortServiceValues(8)}`]];
}

/** The files of `clusters/<name>/argocd/`, by path relative to the cluster folder. */
export function argocdFiles(p: ClusterParams): [string, string][] {
  return [
    ['argocd/kustomization.yaml', `# Everything Argo CD reads for cluster \`${p.name}\`: the project and the app of apps (bootstrap/, the only part
# applied by hand), one Application per chart (from apps/<app>/argocd), the bookinfo namespace and the
# exercise. The app of apps syncs this folder, and sync waves order what it creates.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - bootstrap
  - ../../../apps/istio/argocd
  - ../../../apps/prometheus/argocd
  - ../../../apps/kiali/argocd
  - ../../../apps/flagger/argocd
  - bookinfo.yaml
  - exercise.yaml
${profilePatches(p)}`],
    ['argocd/bookinfo.yaml', `# The bookinfo namespace (with sidecar injection) as its own Application, so no exercise change can prune it.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: bookinfo
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "2"
spec:
  project: workshop
  source:
    repoURL: ${p.repoURL}
    targetRevision: ${p.branch}
    path: apps/bookinfo/namespace
  destination:
    server: https://kubernetes.default.svc
    namespace: bookinfo
  syncPolicy:
    # No prune: the namespace outlives exercises, and deleting it would take every Bookinfo pod with it.
    automated:
      selfHeal: true
`],
    ['argocd/exercise.yaml', `# The current exercise: whatever clusters/${p.name}/exercise points at. Prune removes what the previous
# exercise had and this one does not; selfHeal undoes hand edits, so the cluster always matches Git.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: exercise
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "3"
spec:
  project: workshop
  source:
    repoURL: ${p.repoURL}
    targetRevision: ${p.branch}
    path: clusters/${p.name}/exercise
  destination:
    server: https://kubernetes.default.svc
    namespace: bookinfo
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    retry:
      limit: 10
      backoff:
        duration: 10s
        factor: 2
        maxDuration: 5m
`],
    ['argocd/bootstrap/kustomization.yaml', `# The one-time Argo CD bootstrap for cluster \`${p.name}\`: only the project and the app of apps. Apply it with
# \`kubectl apply -k clusters/${p.name}/argocd/bootstrap\` after argocd-cm-health.yaml (see the README); the app of
# apps then creates every other Application in sync-wave order and keeps these two in sync as well.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - project.yaml
  - root.yaml
`],
    ['argocd/bootstrap/project.yaml', `# The Argo CD project the workshop's Applications belong to: this repository and the four chart repositories,
# deployed into this cluster only.
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: workshop
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "-10"
spec:
  description: Istio Bookinfo service-mesh workshop
  sourceRepos:
    - ${p.repoURL}
    - https://istio-release.storage.googleapis.com/charts
    - https://prometheus-community.github.io/helm-charts
    - https://kiali.org/helm-charts
    - https://flagger.app
  destinations:
    - server: https://kubernetes.default.svc
      namespace: istio-system
    - server: https://kubernetes.default.svc
      namespace: bookinfo
    - server: https://kubernetes.default.svc
      namespace: argocd
  # The charts install CRDs, webhooks and cluster roles, and the bookinfo app owns a Namespace.
  clusterResourceWhitelist:
    - group: "*"
      kind: "*"
`],
    ['argocd/bootstrap/root.yaml', `# App of apps for cluster \`${p.name}\`: syncs clusters/${p.name}/argocd (the project, itself and every child
# Application), creating the children in sync-wave order: Istio, the add-ons, bookinfo, then the exercise.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: workshop
  namespace: argocd
spec:
  project: workshop
  source:
    repoURL: ${p.repoURL}
    targetRevision: ${p.branch}
    path: clusters/${p.name}/argocd
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`],
    ['argocd/bootstrap/argocd-cm-health.yaml', `# Argo CD setting that makes sync waves of Applications wait: the health of an Application, as seen by its
# parent app of apps, is the health the child reports. Not synced by Argo CD; apply once, before bootstrap/:
#   kubectl -n argocd patch configmap argocd-cm --type merge --patch-file <this file>
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
data:
  # Argo CD has no built-in health for Applications (removed in 1.8), so without this the parent sees
  # every child as healthy at once and starts the next wave before Istio's injector is ready.
  resource.customizations.health.argoproj.io_Application: |
    -- Until the child has reported, it is still on its way; afterwards its own status is the answer.
    local hs = { status = "Progressing", message = "waiting for the Application to report its health" }
    if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
      hs.status = obj.status.health.status
      hs.message = obj.status.health.message or ""
    end
    return hs
`],
    ...profilePatchFile(p),
  ];
}
