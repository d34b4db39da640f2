import { parseScaleDownTargets, SCALE_DOWN_COMPONENT } from "../../../components/cassandra/scale-down-targets";
import { cassandraNodes, envValue } from "../../core/cassandra";
import { finding } from "../../core/finding";
import { metaName, ofKind } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

const isGuard = (job: ResourceLike) => job.props?.metadata?.labels?.["app.kubernetes.io/component"] === SCALE_DOWN_COMPONENT;

/**
 * A policy sees the stack as it will be, not the replica count it has now, so "this change
 * removes a node without decommissioning it" is refused by construction: every Cassandra
 * StatefulSet must wait for a scale-down guard Job that targets its exact replica count (the Job
 * decommissions whatever the new count removes), and must delete a scaled-away pod's volume
 * (Cassandra refuses to start again on a decommissioned node's data). Dropping below the
 * replication factor is `platform-cassandra-replication-factor`'s check.
 */
export const cassandraScaleDownGuard: PlatformPolicy = {
  name: "platform-cassandra-scale-down-guard",
  description: "Checks that every Cassandra StatefulSet waits for a scale-down guard Job targeting its replica count (nodes are decommissioned before a StatefulSet shrinks) and deletes a scaled-away pod's volume.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Declare Cassandra through components/cassandra (CassandraCluster), which adds the guard Job and the dependency; never shrink a Cassandra StatefulSet directly.",
  checkStack(resources, ctx) {
    const guards = ofKind(resources, "Job").filter(isGuard);
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const { sts } of cassandraNodes(resources)) {
      if (seen.has(sts.urn)) continue;
      seen.add(sts.urn);
      out.push(...ctx.part(`StatefulSet ${metaName(sts)} replicas`, () => checkStatefulSet(sts, guards)));
    }
    return out;
  },
};

function checkStatefulSet(sts: ResourceLike, guards: readonly ResourceLike[]): Finding[] {
  const name = metaName(sts);
  const replicas: number = sts.props?.spec?.replicas ?? 1;
  const out: Finding[] = [];
  // Each guard with its parsed targets, read once; the first that names this StatefulSet.
  const targetsOf = (g: ResourceLike) => parseScaleDownTargets(envValue(g.props?.spec?.template?.spec?.containers?.[0] ?? {}, "SCALE_DOWN_TARGETS") ?? "");
  const match = guards.map((g) => ({ guard: g, target: targetsOf(g).find((t) => t.statefulSet === name) })).find((m) => m.target);
  if (!match) {
    out.push(finding(sts, `Cassandra StatefulSet ${name} has no scale-down guard Job: lowering its replicas would delete nodes that still own data.`, `declare it through CassandraCluster, whose guard Job decommissions nodes before the StatefulSet shrinks.`));
  } else {
    const { guard, target } = match as { guard: ResourceLike; target: { replicas: number } };
    if (target.replicas !== replicas) {
      out.push(finding(sts, `Cassandra StatefulSet ${name} declares ${replicas} replicas but its guard Job ${metaName(guard)} targets ${target.replicas}: nodes beyond ${target.replicas} would not be decommissioned first.`, `build the guard from the same rack list as the StatefulSets.`));
    }
    if (sts.dependencies && !sts.dependencies.some((d) => d.urn === guard.urn)) {
      out.push(finding(sts, `Cassandra StatefulSet ${name} does not wait for its guard Job ${metaName(guard)}: the engine could shrink it before the nodes are decommissioned.`, `add the guard Job to the StatefulSet's dependsOn.`));
    }
  }
  const retention = sts.props?.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled ?? "Retain";
  if (retention !== "Delete") {
    out.push(finding(sts, `Cassandra StatefulSet ${name} keeps a scaled-away pod's volume (whenScaled: ${retention}): a later scale-up would start on a decommissioned node's data, which Cassandra refuses.`, `set spec.persistentVolumeClaimRetentionPolicy.whenScaled: Delete (whenDeleted: Retain).`));
  }
  return out;
}
