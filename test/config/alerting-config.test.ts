/** Issue #19: Prometheus selector labels are stack config; NLB ARNs are refused before any resource. */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../stacks/config";
import { cloudNetwork, problemsOf } from "./support";



describe("alerting config", () => {
  it("defaults the selector labels to what kube-prometheus-stack selects, and takes a stack's own", () => {
    expect(resolveConfig("prod-us-east-1", cloudNetwork).alerting.prometheusSelectorLabels).toEqual({ release: "kube-prometheus-stack" });
    const own = resolveConfig("prod-us-east-1", { ...cloudNetwork, alerting: { prometheusSelectorLabels: { release: "monitoring" } } });
    expect(own.alerting.prometheusSelectorLabels).toEqual({ release: "monitoring" });
  });

  it("refuses a Network Load Balancer ARN suffix, naming the key", () => {
    const problems = problemsOf(() => resolveConfig("prod-us-east-1", { ...cloudNetwork, alerting: { loadBalancers: [{ name: "public", arnSuffix: "net/ingress/50dc6c495c0c9188" }] } }));
    expect(problems.join("\n")).toMatch(/alerting\.loadBalancers\.0\.arnSuffix: .*Application Load Balancer.*NLBs/);
    expect(resolveConfig("prod-us-east-1", { ...cloudNetwork, alerting: { loadBalancers: [{ name: "public", arnSuffix: "app/ingress/50dc6c495c0c9188" }] } }).alerting.loadBalancers).toHaveLength(1);
  });
});
