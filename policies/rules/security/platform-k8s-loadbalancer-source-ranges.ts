import { finding } from "../../core/finding";
import { isInternalLoadBalancer, isKind } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

export const loadBalancerSourceRanges: PlatformPolicy = {
  name: "platform-k8s-loadbalancer-source-ranges",
  description: "Checks that no public LoadBalancer Service is open to the world: it needs loadBalancerSourceRanges without 0.0.0.0/0.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Set spec.loadBalancerSourceRanges to the allowed CIDRs, or make the load balancer internal.",
  checkResource(svc) {
    // One piece: an unknown type, annotation or range leaves nothing safe to judge.
    if (!isKind(svc, "Service", "") || svc.props.spec?.type !== "LoadBalancer") return [];
    const out: Finding[] = [];
    if (isInternalLoadBalancer(svc)) return [];
    const ranges: string[] = svc.props.spec?.loadBalancerSourceRanges ?? [];
    if (ranges.length === 0 || ranges.some((r) => OPEN.has(r))) {
      out.push(finding(svc, `Public LoadBalancer Service ${ranges.length === 0 ? "has no loadBalancerSourceRanges" : `allows ${ranges.filter((r) => OPEN.has(r)).join(", ")}`}.`, `list the allowed client CIDRs in spec.loadBalancerSourceRanges, or annotate the Service as an internal load balancer.`));
    }
    return out;
  },
};
