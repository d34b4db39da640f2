/** Istio host names: short names, FQDNs, wildcards, and the Services/ServiceEntries behind them. */
import { metaName, metaNamespace, ofKind } from "../core/kube";
import type { ResourceLike } from "../core/types";

const CLUSTER_SUFFIX = "svc.cluster.local";

/**
 * Qualifies a host in a VirtualService/DestinationRule as Istio does (ResolveShortnameToFQDN):
 * only a dotless short name is expanded, relative to the namespace of the object naming it
 * (`telemetry` → `telemetry.<ns>.svc.cluster.local`); anything with a dot is taken literally,
 * so `telemetry.platform` does NOT name the Service there.
 */
export function fqdn(host: string, namespace: string): string {
  const h = host.toLowerCase().replace(/\.$/, "");
  return h === "*" || h.includes(".") ? h : `${h}.${namespace}.${CLUSTER_SUFFIX}`;
}

/**
 * Names a client may use in the authority for an in-cluster host: the sidecar's virtual hosts
 * list `name`, `name.ns`, `name.ns.svc` and the FQDN, all resolving to the same Service.
 */
export function authorityCandidates(authority: string, namespace: string): string[] {
  const h = authority.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const labels = h.split(".");
  if (labels.length === 1) return [h, fqdn(h, namespace)];
  if (labels.length === 2) return [h, `${h}.${CLUSTER_SUFFIX}`];
  if (h.endsWith(".svc")) return [h, `${h}.cluster.local`];
  return [h];
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
