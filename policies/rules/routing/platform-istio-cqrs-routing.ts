import { finding } from "../../core/finding";
import { metaName, metaNamespace, ofKind } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";
import { evaluateRoute, virtualServiceFor } from "../../routing/evaluate";
import { shortName } from "../../routing/hosts";

/** The telemetry mesh host and the services behind it (see the platform design). */
export const CQRS = {
  host: "telemetry",
  command: "telemetry-command",
  query: "telemetry-query",
  readYourWritesHeader: "x-read-your-writes",
  writeMethods: ["POST", "PUT", "PATCH", "DELETE"],
  readMethods: ["GET", "HEAD"],
  /** Representative paths; a route keyed on path must still send them by method. */
  paths: ["/", "/v1/events", "/v1/devices/d-1/events"],
} as const;

/**
 * Runs real requests through the route evaluator: writes reach the command service, reads the
 * query service, and a read carrying `x-read-your-writes: true` the command service, through a
 * route placed before the method routes.
 */
export const cqrsRouting: PlatformPolicy = {
  name: "platform-istio-cqrs-routing",
  description: "Checks that on the telemetry host writes reach telemetry-command, GET/HEAD reach telemetry-query, and the read-your-writes header route comes first.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Order the telemetry VirtualService: x-read-your-writes header route → telemetry-command, then GET/HEAD → telemetry-query, then writes → telemetry-command.",
  checkStack(resources) {
    const services = ofKind(resources, "Service", "");
    const hostService = services.find((s) => metaName(s) === CQRS.host);
    if (!hostService && !services.some((s) => metaName(s) === CQRS.command)) return []; // no telemetry in this stack
    const authority = `${CQRS.host}.${metaNamespace(hostService ?? services.find((s) => metaName(s) === CQRS.command)!)}.svc.cluster.local`;
    const vs = virtualServiceFor(resources, authority, "mesh");
    if (!vs) {
      const anchor = hostService ?? services.find((s) => metaName(s) === CQRS.command)!;
      return [finding(anchor, `No VirtualService bound to the mesh routes host "${authority}".`, `declare the CQRS VirtualService for host "${CQRS.host}" (gateways: mesh).`)];
    }
    const out: Finding[] = [];
    const expect = (method: string, path: string, headers: Record<string, string>, want: string): number | undefined => {
      const d = evaluateRoute(resources, { authority, method, path, headers }, { context: "mesh" });
      const got = d?.destination ? shortName(d.destination.host) : undefined;
      const label = `${method} ${path}${Object.keys(headers).length ? ` with ${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join(", ")}` : ""}`;
      if (got !== want) {
        out.push(finding(vs, `${label} on ${CQRS.host} reaches ${got ?? "no route"}${d ? ` (http[${d.routeIndex}])` : ""}, expected ${want}.`,
          `add or reorder a route so ${label} goes to ${want}.`));
        return undefined;
      }
      return d!.routeIndex;
    };
    const ryw = { [CQRS.readYourWritesHeader]: "true" };
    for (const path of CQRS.paths) {
      const methodRoutes = [
        ...CQRS.writeMethods.map((m) => expect(m, path, {}, CQRS.command)),
        ...CQRS.readMethods.map((m) => expect(m, path, {}, CQRS.query)),
      ];
      for (const m of CQRS.readMethods) {
        const rywIndex = expect(m, path, ryw, CQRS.command);
        const later = methodRoutes.filter((i): i is number => i !== undefined && rywIndex !== undefined && i < rywIndex);
        if (later.length > 0) {
          out.push(finding(vs, `The ${CQRS.readYourWritesHeader} route (http[${rywIndex}]) comes after method route http[${Math.min(...later)}].`,
            `move the ${CQRS.readYourWritesHeader} header route before the method routes.`));
        }
      }
    }
    return dedupe(out);
  },
};

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => (seen.has(f.message) ? false : (seen.add(f.message), true)));
}
