import { describe, expect, it } from "vitest";
import { installMocks, valueOf } from "../../../scripts/synth/mocks";
import { evaluatePolicies, fromSynth } from "../../../policies/core/evaluate";
import { SECURITY_POLICIES, SIZING_POLICIES } from "../../../policies/policy-list";

describe("Redis under the platform policy pack", () => {
  it("a prod ElastiCache group passes every sizing and security policy; a single-AZ one does not", async () => {
    const recorded = await installMocks({ stack: "prod-eu-west-1" });
    const { Redis } = await import("../../../components/redis/index.js");
    const common = { mode: "elasticache" as const, nodeType: "cache.r7g.large", subnetIds: ["subnet-0a"], securityGroupIds: ["sg-0a"] };
    const ha = new Redis("redis", { ...common, nodes: 3, multiAz: true, automaticFailover: true });
    await valueOf(ha.urn);
    await new Promise((r) => setTimeout(r, 50));
    const policies = [...SIZING_POLICIES, ...SECURITY_POLICIES];
    expect(evaluatePolicies(fromSynth(recorded), policies).map((v) => `${v.policy}: ${v.message}`)).toEqual([]);

    const before = recorded.length;
    const single = new Redis("single", { ...common, nodes: 1 });
    await valueOf(single.urn);
    await new Promise((r) => setTimeout(r, 50));
    const onlySingle = fromSynth(recorded.slice(before)).filter((r) => r.type.startsWith("aws:"));
    expect(evaluatePolicies(onlySingle, policies).map((v) => v.policy)).toContain("platform-prod-redis-high-availability");
  });
});
