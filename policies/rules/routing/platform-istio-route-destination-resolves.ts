import { finding } from "../../core/finding";
import { metaNamespace } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";
import { fqdn, meshTargets, resolveHost } from "../../routing/hosts";
import { allDestinations, virtualServices } from "../../routing/routes";

export const routeDestinationResolves: PlatformPolicy = {
  name: "platform-istio-route-destination-resolves",
  description: "Checks that every VirtualService destination resolves to a Service of the stack (or an allow-listed external host) and to one of its ports.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Point the destination at a Service declared in the stack (or add a ServiceEntry / allow-list the external host) and use one of its ports.",
  configSchema: { properties: { externalHosts: { type: "array", items: { type: "string" }, default: [] } } },
  checkStack(resources, { config }) {
    const targets = meshTargets(resources);
    const out: Finding[] = [];
    for (const vs of virtualServices(resources)) {
      const ns = metaNamespace(vs);
      for (const { where, destination } of allDestinations(vs)) {
        const host = String(destination.host ?? "");
        const port = destination.port?.number;
        if (config.externalHosts.some((h) => h.toLowerCase() === host.toLowerCase())) continue;
        const target = resolveHost(host, ns, targets);
        if (!target) {
          out.push(finding(vs, `${where} destination host "${host}" (${fqdn(host, ns)}) is not a Service or ServiceEntry of this stack.`,
            `declare the Service, fix the host name, or add "${host}" to the policy's externalHosts.`));
        } else if (port !== undefined && !target.ports.includes(Number(port))) {
          out.push(finding(vs, `${where} destination "${host}" port ${port} is not a port of ${target.kind} ${target.host} (ports: ${target.ports.join(", ") || "none"}).`,
            `use one of the ${target.kind}'s ports.`));
        } else if (port === undefined && target.ports.length > 1) {
          out.push(finding(vs, `${where} destination "${host}" has no port but ${target.kind} ${target.host} exposes ${target.ports.length} ports (${target.ports.join(", ")}).`,
            `set destination.port.number to one of them.`));
        }
      }
    }
    return out;
  },
};
