import { finding } from "../../core/finding";
import { hpaFor, isProd, metaName, ofKind, podLabels } from "../../core/kube";
import type { PlatformPolicy } from "../../core/types";

const MIN = 3;

export const prodGatewayMinReplicas: PlatformPolicy = {
  name: "platform-prod-gateway-min-replicas",
  description: "Checks that in prod the gateway Deployment is autoscaled by an HPA with minReplicas of at least 3.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Autoscale the gateway with a HorizontalPodAutoscaler whose minReplicas is at least 3 (one pod per zone).",
  checkStack(resources) {
    if (!isProd(resources)) return [];
    return ofKind(resources, "Deployment")
      .filter((d) => metaName(d) === "gateway" || podLabels(d)["app.kubernetes.io/name"] === "gateway")
      .flatMap((d) => {
        const hpa = hpaFor(d, resources);
        if (!hpa) return [finding(d, `The gateway has no HorizontalPodAutoscaler in prod.`, `declare an HPA targeting Deployment ${metaName(d)} with minReplicas ≥ ${MIN}.`)];
        const min = hpa.props.spec?.minReplicas ?? 1;
        return min >= MIN ? [] : [finding(hpa, `The gateway HPA has minReplicas ${min}; prod needs at least ${MIN}.`, `set spec.minReplicas to ${MIN} or more.`)];
      });
  },
};
