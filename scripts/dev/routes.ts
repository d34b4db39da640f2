/**
 * Dev-mode stand-in for the mesh's CQRS split. There is no Istio on localhost, so the router in
 * front of the two telemetry roles asks the policy pack's route evaluator which destination
 * Istio would pick, over a VirtualService built by the same function the MeshRoutes component
 * uses. The rules therefore cannot drift from the cluster's: read-your-writes → command,
 * GET/HEAD → query, writes → command, anything else → 404.
 */
import { virtualService } from "../../components/mesh-routes/objects";
import { READ_RETRY_ON, telemetryRoutes } from "../../components/mesh-routes/routes";
import { PLATFORM_NAMESPACE } from "../../components/shared/labels";
import type { ResourceLike } from "../../policies/core/types";
import { evaluateRoute } from "../../policies/routing/evaluate";

export type TelemetryRole = "command" | "query";

/** Service names of the local stack (see the design summary); only the first DNS label matters here. */
export const DEV_SERVICES = { host: "telemetry", command: "telemetry-command", query: "telemetry-query" } as const;

const fqdn = (service: string) => `${service}.${PLATFORM_NAMESPACE}.svc.cluster.local`;

/** The telemetry VirtualService as the local stack declares it (timeouts are irrelevant offline). */
export function devTelemetryVirtualService(): ResourceLike {
  const port = 80;
  const http = telemetryRoutes({ host: fqdn(DEV_SERVICES.command), port }, { host: fqdn(DEV_SERVICES.query), port }, {
    timeoutSeconds: 10,
    retryAttempts: 2,
    perTryTimeoutSeconds: 5,
    retryOn: READ_RETRY_ON,
  });
  const props = virtualService({ name: DEV_SERVICES.host, namespace: PLATFORM_NAMESPACE, hosts: [fqdn(DEV_SERVICES.host)], gateways: ["mesh"], http });
  return { type: "kubernetes:networking.istio.io/v1:VirtualService", name: DEV_SERVICES.host, urn: `urn:dev::${DEV_SERVICES.host}`, props };
}

/** Which role serves a request, by the mesh's first-match rules; undefined when no route matches. */
export function roleFor(
  vs: ResourceLike,
  req: { method: string; path: string; headers: Readonly<Record<string, string | string[] | undefined>> },
): TelemetryRole | undefined {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
  const decision = evaluateRoute([vs], { authority: fqdn(DEV_SERVICES.host), method: req.method, path: req.path, headers }, { context: "mesh" });
  const service = decision?.destination?.host.split(".")[0];
  if (service === DEV_SERVICES.command) return "command";
  if (service === DEV_SERVICES.query) return "query";
  return undefined;
}
