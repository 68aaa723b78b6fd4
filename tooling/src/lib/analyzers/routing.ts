// Mesh routing checks over VirtualServices, DestinationRules, Gateways and Services: the mistakes that are
// schema-valid but make Envoy answer 503, shadow a route, or silently drop a rule (istioctl analyze / Kiali).
// Each family lives in its own module; this one runs them over a unit in the order findings are reported.
import { exportedNamespaces } from '../mesh/visibility.ts';
import { checkDestinationRules } from './destination-rules.ts';
import { checkRouteRules, type RuleAt } from './destinations.ts';
import { checkGatewayBindings } from './gateways.ts';
import { arr, nsOf, specOf, type Collector, type Model } from './model.ts';
import { checkServicePorts } from './services.ts';
import { checkShadowing, type RouteKind } from './shadowing.ts';

const ROUTE_KINDS: RouteKind[] = ['http', 'tcp', 'tls'];

export function checkRouting(model: Model, out: Collector): void {
  for (const vs of model.byKind('VirtualService')) {
    const spec = specOf(vs);
    const ns = nsOf(vs);
    const at: RuleAt = { vs, ns, clients: exportedNamespaces(spec.exportTo, ns), kind: 'http', index: 0 };
    for (const kind of ROUTE_KINDS) checkRouteRules(model, out, at, kind, spec[kind]);
    for (const kind of ROUTE_KINDS) checkShadowing(out, vs, kind, arr(spec[kind]));
  }
  checkGatewayBindings(model, out);
  checkDestinationRules(model, out);
  checkServicePorts(model, out);
}
