import { finding } from "../../core/finding";
import { effectiveReplicas, isProd, metaName, ofKind, podLabels, podSpec } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

export const ZONE_KEY = "topology.kubernetes.io/zone";
const MIN_ZONES = 3;

/** Zones a workload is pinned to by a required node affinity or nodeSelector (undefined = unpinned). */
export function pinnedZones(w: ResourceLike): string[] | undefined {
  const spec = podSpec(w) ?? {};
  if (spec.nodeSelector?.[ZONE_KEY]) return [spec.nodeSelector[ZONE_KEY]];
  const terms: any[] = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const zones = terms.flatMap((t) => (t.matchExpressions ?? []).filter((e: any) => e.key === ZONE_KEY && e.operator === "In").flatMap((e: any) => e.values ?? []));
  return zones.length > 0 ? [...new Set<string>(zones)] : undefined;
}

/** How a workload enforces zone spread: "required", "preferred" (ScheduleAnyway / preferred anti-affinity) or "none". */
export function zoneSpread(w: ResourceLike): "required" | "preferred" | "none" {
  const spec = podSpec(w) ?? {};
  const tsc: any[] = (spec.topologySpreadConstraints ?? []).filter((c: any) => c.topologyKey === ZONE_KEY);
  const anti = spec.affinity?.podAntiAffinity ?? {};
  if (tsc.some((c) => c.whenUnsatisfiable === "DoNotSchedule") || (anti.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((t: any) => t.topologyKey === ZONE_KEY)) return "required";
  if (tsc.length > 0 || (anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((t: any) => t.podAffinityTerm?.topologyKey === ZONE_KEY)) return "preferred";
  return "none";
}

/**
 * Prod workloads (Deployments, StatefulSets) are grouped by app name + component, so a Cassandra
 * data centre made of one zone-pinned StatefulSet per rack counts as one. A group passes with
 * ≥ 3 replicas and either racks pinned to ≥ 3 zones or a required zone spread on every member.
 */
export const prodZoneSpread: PlatformPolicy = {
  name: "platform-prod-zone-spread",
  description: "Checks that in prod every Deployment and StatefulSet runs at least 3 pods guaranteed to spread over at least 3 zones.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Add a topologySpreadConstraint on topology.kubernetes.io/zone with whenUnsatisfiable: DoNotSchedule (or one zone-pinned rack per zone) and run ≥ 3 replicas.",
  checkStack(resources) {
    if (!isProd(resources)) return [];
    const groups = new Map<string, ResourceLike[]>();
    for (const w of [...ofKind(resources, "Deployment"), ...ofKind(resources, "StatefulSet")]) {
      const l = podLabels(w);
      const key = l["app.kubernetes.io/name"] ? `${l["app.kubernetes.io/name"]}/${l["app.kubernetes.io/component"] ?? ""}` : metaName(w);
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    const out: Finding[] = [];
    for (const [key, members] of groups) {
      const first = members[0];
      const label = key.replace(/\/$/, "");
      const replicas = members.reduce((s, w) => s + effectiveReplicas(w, resources), 0);
      if (replicas < MIN_ZONES) {
        out.push(finding(first, `${label} runs ${replicas} pod(s) in prod; ${MIN_ZONES} zones need at least ${MIN_ZONES}.`, `run at least ${MIN_ZONES} replicas (HPA minReplicas for autoscaled workloads).`));
        continue;
      }
      const pins = members.map(pinnedZones);
      if (pins.every((p) => p !== undefined)) {
        const zones = new Set(pins.flat());
        if (zones.size < MIN_ZONES) {
          out.push(finding(first, `${label} is pinned to ${zones.size} zone(s) (${[...zones].join(", ")}); prod needs ${MIN_ZONES}.`, `pin one rack per zone over at least ${MIN_ZONES} zones.`));
        }
        continue;
      }
      for (const w of members) {
        const spread = zoneSpread(w);
        const pinned = pinnedZones(w);
        if (spread !== "required") {
          out.push(finding(w, `${label} has ${spread === "preferred" ? "only a preferred (ScheduleAnyway) spread" : "no spread"} over ${ZONE_KEY}; its pods may all land in one zone.`,
            `add topologySpreadConstraints { topologyKey: ${ZONE_KEY}, maxSkew: 1, whenUnsatisfiable: DoNotSchedule }.`));
        } else if (pinned && pinned.length < MIN_ZONES) {
          out.push(finding(w, `${label} spreads over zones but is restricted to ${pinned.join(", ")}.`, `allow at least ${MIN_ZONES} zones in its node affinity.`));
        }
      }
    }
    return out;
  },
};
