import { finding } from "../../core/finding";
import { effectiveReplicas, isProd, kubeKind, metaNamespace, ofKind, podLabels, selects } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

export const prodPodDisruptionBudget: PlatformPolicy = {
  name: "platform-prod-pod-disruption-budget",
  description: "Checks that in prod every StatefulSet, and every Deployment with more than one replica, is covered by a PodDisruptionBudget.",
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
      if (!pdbs.some((p) => metaNamespace(p) === metaNamespace(w) && selects(p.props.spec?.selector, labels))) {
        out.push(finding(w, `No PodDisruptionBudget selects the pods of this ${kubeKind(w)} (${replicas} replica(s)).`, `declare a PodDisruptionBudget with maxUnavailable: 1 and selector.matchLabels ${JSON.stringify(w.props.spec?.selector?.matchLabels ?? labels)}.`));
      }
    }
    return out;
  },
};
