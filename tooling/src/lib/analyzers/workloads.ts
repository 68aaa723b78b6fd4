// Workload hygiene in the kube-linter / Polaris style, limited to what the mesh depends on: pinned images,
// resource requests and limits, the app/version labels Istio telemetry reads, live selectors, injection.
import { arr, labelsOf, nameOf, nsOf, rec, ref, specOf, str, type Collector, type Model } from './model.ts';
import { IGNORED_NAMESPACES } from './services.ts';

/** An image reference is pinned when it carries a digest, or a tag other than `latest`. */
export function imagePinned(image: string): boolean {
  if (image.includes('@')) return true;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  if (colon < 0) return false;
  return last.slice(colon + 1) !== 'latest';
}

const RESOURCE_FIELDS = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'] as const;

function checkContainers(model: Model, out: Collector): void {
  for (const w of model.workloads) {
    for (const list of ['initContainers', 'containers'] as const) {
      arr(w.podSpec[list]).forEach((raw, k) => {
        const c = rec(raw);
        if (!c) return;
        const pointer = `${w.templatePointer}/spec/${list}/${k}`;
        const name = str(c.name) ?? `#${k}`;
        const image = str(c.image);
        if (image !== undefined && !imagePinned(image)) {
          out.add('image-not-pinned', w.res, `${pointer}/image`, `${ref(w.res)} container "${name}" runs image "${image}", which is not pinned to a version.`);
        }
        const resources = rec(c.resources) ?? {};
        const missing = RESOURCE_FIELDS.filter((f) => {
          const [group, key] = f.split('.') as [string, string];
          const v = rec(resources[group])?.[key];
          return v === undefined || v === null || v === '';
        });
        if (missing.length > 0) {
          out.add('container-resources-missing', w.res, `${pointer}/resources`, `${ref(w.res)} container "${name}" sets no ${missing.join(', ')}.`);
        }
      });
    }
  }
}

function checkLabels(model: Model, out: Collector): void {
  for (const w of model.workloads) {
    if (w.kind !== 'Deployment') continue;
    const missing = ['app', 'version'].filter((l) => !w.podLabels[l]);
    if (missing.length > 0) {
      out.add(
        'workload-labels-missing',
        w.res,
        `${w.templatePointer}/metadata/labels`,
        `${ref(w.res)} pod template has no ${missing.map((l) => `\`${l}\``).join(' or ')} label, so Istio telemetry and Kiali cannot attribute its traffic.`,
      );
    }
  }
}

function checkSelectors(model: Model, out: Collector): void {
  const generated = new Set<string>();
  for (const canary of model.byKind('Canary')) {
    const svc = model.canaryService(canary);
    for (const n of [svc, `${svc}-primary`, `${svc}-canary`]) generated.add(`${nsOf(canary)}/${n}`);
  }
  for (const svc of model.byKind('Service')) {
    const ns = nsOf(svc);
    const selector = labelsOf(specOf(svc).selector);
    if (Object.keys(selector).length === 0) continue;
    // Flagger generates these Services and the `<target>-primary` Deployment they select at runtime.
    if (generated.has(`${ns}/${nameOf(svc)}`) || Object.values(selector).some((v) => v.endsWith('-primary'))) continue;
    // Without any workload of that namespace in the unit, the Service's pods live elsewhere: not judged here.
    if (model.workloadsIn(ns).length === 0) continue;
    if (model.selectedPods(ns, selector).length === 0) {
      const shown = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
      out.add('service-selector-no-match', svc, '/spec/selector', `${ref(svc)} selects ${shown}, which matches no workload's pod labels in namespace ${ns}.`);
    }
  }
}

/**
 * Whether the unit's default sidecar injector config (the `istio-sidecar-injector` ConfigMap) injects every
 * namespace that does not opt out (`sidecarInjectorWebhook.enableNamespacesByDefault`).
 */
function injectsByDefault(model: Model): boolean {
  const cm = model.byKind('ConfigMap').find((c) => nameOf(c) === 'istio-sidecar-injector');
  const values = str(rec(cm?.object.data)?.values);
  if (values === undefined) return false;
  try {
    return rec(rec(JSON.parse(values))?.sidecarInjectorWebhook)?.enableNamespacesByDefault === true;
  } catch {
    return false;
  }
}

/**
 * istioctl's NamespaceNotInjected: every Namespace but `istio-system`, the ones istioctl never analyzes and
 * ambient ones needs `istio-injection` or `istio.io/rev`, unless the injector injects by default.
 */
function checkInjection(model: Model, out: Collector): void {
  const byDefault = injectsByDefault(model);
  for (const ns of model.byKind('Namespace')) {
    const name = nameOf(ns);
    if (name === 'istio-system' || IGNORED_NAMESPACES.has(name)) continue;
    const labels = ns.object.metadata.labels ?? {};
    if (labels['istio.io/dataplane-mode'] === 'ambient') continue;
    // `istio-injection: disabled` is a deliberate opt-out, as istioctl's own advice for IST0102 puts it.
    if (labels['istio-injection'] || labels['istio.io/rev'] || byDefault) continue;
    const workloads = model.workloadsIn(name);
    const holds = workloads.length > 0 ? `holds ${workloads.length} workload(s) (e.g. ${ref(workloads[0]!.res)}) but ` : '';
    out.add(
      'namespace-injection-missing',
      ns,
      '/metadata/labels',
      `${ref(ns)} ${holds}has no \`istio-injection\` or \`istio.io/rev\` label, so its pods run without sidecars.`,
    );
  }
}

export function checkWorkloads(model: Model, out: Collector): void {
  checkContainers(model, out);
  checkLabels(model, out);
  checkSelectors(model, out);
  checkInjection(model, out);
}
