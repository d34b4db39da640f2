/** Istio host names: short names, FQDNs, wildcards, and the Services/ServiceEntries behind them. */
import { metaName, metaNamespace, ofKind } from "../core/kube";
import type { ResourceLike } from "../core/types";

const CLUSTER_SUFFIX = "svc.cluster.local";

/**
 * Expands a host as Istio does relative to the namespace of the object naming it:
 * `telemetry` → `telemetry.<ns>.svc.cluster.local`, `telemetry.platform` → `….svc.cluster.local`;
 * anything with three or more labels (`api.example.com`) is taken as already fully qualified.
 */
export function fqdn(host: string, namespace: string): string {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h.startsWith("*")) return h;
  const labels = h.split(".");
  if (labels.length === 1) return `${h}.${namespace}.${CLUSTER_SUFFIX}`;
  if (labels.length === 2) return `${h}.${CLUSTER_SUFFIX}`;
  if (h.endsWith(".svc")) return `${h}.cluster.local`;
  return h;
}

/** Whether a (possibly wildcard) host pattern matches a concrete host; `*` matches all. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** The Service FQDN of each Service in the stack, with its ports. */
export interface MeshTarget {
  readonly host: string;
  readonly ports: number[];
  readonly resource: ResourceLike;
  /** `Service` (in-mesh) or `ServiceEntry` (registered external host). */
  readonly kind: "Service" | "ServiceEntry";
}

export function meshTargets(resources: readonly ResourceLike[]): MeshTarget[] {
  const out: MeshTarget[] = [];
  for (const s of ofKind(resources, "Service", "")) {
    out.push({
      host: `${metaName(s)}.${metaNamespace(s)}.${CLUSTER_SUFFIX}`,
      ports: (s.props.spec?.ports ?? []).map((p: any) => Number(p.port)),
      resource: s,
      kind: "Service",
    });
  }
  for (const se of ofKind(resources, "ServiceEntry", "networking.istio.io")) {
    for (const h of se.props.spec?.hosts ?? []) {
      out.push({ host: String(h).toLowerCase(), ports: (se.props.spec?.ports ?? []).map((p: any) => Number(p.number)), resource: se, kind: "ServiceEntry" });
    }
  }
  return out;
}

/** The Service or ServiceEntry a destination host refers to (exact host first, then wildcard entries). */
export function resolveHost(host: string, namespace: string, targets: readonly MeshTarget[]): MeshTarget | undefined {
  const h = fqdn(host, namespace);
  return targets.find((t) => t.host === h) ?? targets.find((t) => t.kind === "ServiceEntry" && hostMatches(t.host, h));
}

/** Short name of an in-cluster FQDN (`telemetry-query.platform.svc.cluster.local` → `telemetry-query`). */
export function shortName(host: string): string {
  return host.endsWith(`.${CLUSTER_SUFFIX}`) ? host.split(".")[0] : host;
}
