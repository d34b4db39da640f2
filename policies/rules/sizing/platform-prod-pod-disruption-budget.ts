import { finding } from "../../core/finding";
import { cassandraNodes } from "../../core/cassandra";
import { effectiveReplicas, isProd, kubeKind, metaName, metaNamespace, ofKind, podLabels, selects } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

export const prodPodDisruptionBudget: PlatformPolicy = {
  name: "platform-prod-pod-disruption-budget",
  description: "Checks that in prod every StatefulSet, and every Deployment with more than one replica, is covered by exactly one PodDisruptionBudget, and all Cassandra racks of a namespace by the same one.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Declare a PodDisruptionBudget (maxUnavailable: 1) in the workload's namespace whose selector matches its pod labels.",
  checkStack(resources) {
    if (!isProd(resources)) return [];
    const pdbs = ofKind(resources, "PodDisruptionBudget");
    const out: Finding[] = [];
    for (const w of [...ofKind(resources, "StatefulSet"), ...ofKind(resources, "Deployment")]) {
      const replicas = effectiveReplicas(w, resources);
      if (kubeKind(w) === "Deployment" && replicas <= 1) continue;
      const labels = podLabels(w);
      const covering = pdbs.filter((p) => metaNamespace(p) === metaNamespace(w) && selects(p.props.spec?.selector, labels));
      if (covering.length === 0) {
        out.push(finding(w, `No PodDisruptionBudget selects the pods of this ${kubeKind(w)} (${replicas} replica(s)).`, `declare a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels ${JSON.stringify(w.props.spec?.selector?.matchLabels ?? labels)}.`));
      } else if (covering.length > 1) {
        // The eviction API refuses pods under two budgets, so a drain stalls on them.
        out.push(finding(w, `${covering.length} PodDisruptionBudgets (${covering.map(metaName).join(", ")}) select the pods of this ${kubeKind(w)}.`, `keep exactly one budget per pod.`));
      }
    }
    // Cassandra racks are separate StatefulSets: a budget per rack lets a drain evict one pod of
    // every rack at once (every replica of a range). One budget must span the data centre.
    const byNamespace = new Map<string, ResourceLike[]>();
    for (const { sts } of cassandraNodes(resources)) byNamespace.set(metaNamespace(sts), [...(byNamespace.get(metaNamespace(sts)) ?? []), sts]);
    for (const racks of byNamespace.values()) {
      if (racks.length < 2) continue;
      const spanning = pdbs.filter((p) => metaNamespace(p) === metaNamespace(racks[0]) && racks.every((r) => selects(p.props.spec?.selector, podLabels(r))));
      if (spanning.length === 0) {
        out.push(finding(racks[0], `No single PodDisruptionBudget spans the Cassandra racks ${racks.map(metaName).join(", ")}: a drain may evict one pod of each at once and lose LOCAL_QUORUM.`, `declare one PodDisruptionBudget (maxUnavailable: 1) whose selector matches every Cassandra pod of the data centre, instead of one per rack.`));
      }
    }
    return out;
  },
};
