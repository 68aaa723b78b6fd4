// The Flux half of the cluster template: `clusters/<name>/flux/`, the GitRepository and the Kustomizations
// istio -> mesh-addons / bookinfo -> exercise. The text is the repository's own clusters/workshop-b/flux with the
// cluster's name, repository and branch filled in; test/cluster/template.test.ts keeps the two byte-equal.
import { nodePortServiceValues, type ClusterParams } from './profile.ts';

/** Under the `local` profile, Flux patches the gateway HelmRelease it applies from apps/istio/flux. */
function istioProfilePatch(p: ClusterParams): string {
  if (p.profile !== 'local') return '';
  return `  # Profile \`local\`: no load balancer gives the gateway's Service an address here, and the HelmRelease install
  # waits (Helm's wait) until a LoadBalancer Service has one. A NodePort Service on fixed ports is ready at once.
  patches:
    - target:
        kind: HelmRelease
        name: istio-ingressgateway
      patch: |
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: istio-ingressgateway
        spec:
          values:
${nodePortServiceValues(12)}`;
}

/** The files of `clusters/<name>/flux/`, by path relative to the cluster folder. */
export function fluxFiles(p: ClusterParams): [string, string][] {
  return [
    ['flux/kustomization.yaml', `# Everything Flux reads for cluster \`${p.name}\`: the Git source and the Kustomizations
# istio -> mesh-addons, istio -> bookinfo, and then exercise, which depends on both.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - source.yaml
  - flux-system.yaml
  - istio.yaml
  - mesh-addons.yaml
  - bookinfo.yaml
  - exercise.yaml
`],
    ['flux/source.yaml', `# The Git repository Flux reads everything else from. Replace the URL with your fork (see the README);
# \`flux bootstrap\` writes an equivalent object into flux-system/: then delete this file and flux-system.yaml and
# list \`flux-system\` in kustomization.yaml instead of them (README, "Bootstrap").
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: ${p.repoURL}
  ref:
    branch: ${p.branch}
`],
    ['flux/flux-system.yaml', `# Keeps this folder itself in sync, so a change to the Flux objects below reaches the cluster through Git too.
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/${p.name}/flux
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`],
    ['flux/istio.yaml', `# Istio first: its CRDs and control plane are needed by everything after it.
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: istio
  namespace: flux-system
spec:
  interval: 30m
  retryInterval: 1m
  timeout: 10m
  path: ./apps/istio/flux
  prune: true
  # Ready only when the HelmReleases are, so dependents never start against a half-installed mesh.
  wait: true
${istioProfilePatch(p)}  sourceRef:
    kind: GitRepository
    name: flux-system
`],
    ['flux/mesh-addons.yaml', `# Prometheus, Kiali and Flagger: Flagger's Canary CRD must exist before the canary exercises are applied.
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: mesh-addons
  namespace: flux-system
spec:
  dependsOn:
    - name: istio
  interval: 30m
  retryInterval: 1m
  timeout: 10m
  path: ./apps/mesh-addons/flux
  prune: true
  wait: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`],
    ['flux/bookinfo.yaml', `# The bookinfo namespace (with sidecar injection), owned here so that no exercise change can prune it.
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: bookinfo
  namespace: flux-system
spec:
  dependsOn:
    - name: istio
  interval: 30m
  retryInterval: 1m
  timeout: 2m
  path: ./apps/bookinfo/namespace
  # The namespace outlives exercises; deleting it would take every Bookinfo pod with it.
  prune: false
  wait: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`],
    ['flux/exercise.yaml', `# The current exercise: whatever clusters/${p.name}/exercise points at. prune removes what the previous
# exercise had and this one does not (for example a VirtualService), so any promotion converges.
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: exercise
  namespace: flux-system
spec:
  dependsOn:
    - name: bookinfo
    - name: mesh-addons
  interval: 5m
  retryInterval: 1m
  timeout: 5m
  path: ./clusters/${p.name}/exercise
  prune: true
  # Ready once the Bookinfo Deployments are; \`flux get kustomizations\` shows when the step has landed.
  wait: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`],
  ];
}
