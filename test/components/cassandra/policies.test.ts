import { describe, expect, it } from "vitest";
import { installMocks, valueOf } from "../../../scripts/synth/mocks";
import { evaluatePolicies, fromSynth } from "../../../policies/core/evaluate";
import { SECURITY_POLICIES, SIZING_POLICIES } from "../../../policies/policy-list";
import { prodArgs } from "./fixtures";

describe("CassandraCluster under the platform policy pack", () => {
  it("passes every sizing and security policy in a prod data centre, and a broken copy does not", async () => {
    const recorded = await installMocks({ stack: "prod-us-east-1", project: "platform" });
    const { CassandraCluster } = await import("../../../components/cassandra/index.js");
    const cluster = new CassandraCluster("cassandra", prodArgs);
    await valueOf(cluster.urn);
    await new Promise((r) => setTimeout(r, 50));
    const resources = fromSynth(recorded);
    const violations = evaluatePolicies(resources, [...SIZING_POLICIES, ...SECURITY_POLICIES]);
    expect(violations.map((v) => `${v.policy}: ${v.resource}: ${v.message}`)).toEqual([]);

    // The same objects with a heap above half the limit are caught: the check is live.
    const broken = resources.map((r) =>
      r.type === "kubernetes:apps/v1:StatefulSet"
        ? { ...r, props: JSON.parse(JSON.stringify(r.props).replace('"16384M"', '"30000M"')) }
        : r,
    );
    expect(evaluatePolicies(broken, SIZING_POLICIES).some((v) => v.policy === "platform-cassandra-memory-heap")).toBe(true);
  });
});
