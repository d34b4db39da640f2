import { finding } from "../../core/finding";
import { metaNamespace } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";
import { fqdn, hostMatches, meshTargets, resolveHost } from "../../routing/hosts";
import { allDestinations, destinationRules, virtualServices, vsLabel } from "../../routing/routes";

/** Outlier detection is set for the whole host, or on every port-level setting. */
function hasOutlierDetection(dr: Record<string, any>): boolean {
  const tp = dr.spec?.trafficPolicy ?? {};
  if (tp.outlierDetection) return true;
  const ports: any[] = tp.portLevelSettings ?? [];
  return ports.length > 0 && ports.every((p) => p.outlierDetection);
}

export const destinationRuleOutlierDetection: PlatformPolicy = {
  name: "platform-istio-destination-rule-outlier-detection",
  description: "Checks that every in-mesh destination host of a VirtualService has a DestinationRule with outlier detection.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Declare a DestinationRule for the host with trafficPolicy.outlierDetection (e.g. consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s).",
  checkStack(resources) {
    const targets = meshTargets(resources).filter((t) => t.kind === "Service");
    const rules = destinationRules(resources);
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const vs of virtualServices(resources)) {
      const ns = metaNamespace(vs);
      for (const { destination } of allDestinations(vs)) {
        const target = resolveHost(String(destination.host ?? ""), ns, targets);
        if (!target || seen.has(target.host)) continue; // unresolved hosts are the destination policy's job
        seen.add(target.host);
        const dr = rules.find((d) => hostMatches(fqdn(String(d.props.spec?.host ?? ""), metaNamespace(d)), target.host));
        if (!dr) {
          out.push(finding(vs, `Destination ${target.host} of ${vsLabel(vs)} has no DestinationRule.`, `declare a DestinationRule with host "${target.host}" and trafficPolicy.outlierDetection.`));
        } else if (!hasOutlierDetection(dr.props)) {
          out.push(finding(dr, `DestinationRule for ${target.host} has no trafficPolicy.outlierDetection.`, `add trafficPolicy.outlierDetection so failing endpoints are ejected.`));
        }
      }
    }
    return out;
  },
};
