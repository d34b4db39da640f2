/**
 * platform-cassandra-scale-down-guard through the SDK's AnalyzeStack handler (dependencies as the
 * engine sends them). The synthesized stacks (which carry the guard) are checked in matrix.test.ts.
 */
import { describe, expect, it } from "vitest";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import type { ResourceLike } from "../../policies/core/types";
import { analyzeStack } from "./engine-rpc";
import { clone, goodStack } from "./fixtures";

const guardFindings = async (s: ResourceLike[]) => (await analyzeStack(PLATFORM_POLICIES, s)).filter((d) => d.policy === "platform-cassandra-scale-down-guard");
const rack = (s: ResourceLike[], name: string) => s.find((r) => r.props.kind === "StatefulSet" && r.props.metadata.name === name)! as ResourceLike & { props: any; dependencies?: { urn: string }[] };
const isGuard = (r: ResourceLike) => r.props.kind === "Job" && r.props.metadata.name.startsWith("cassandra-scale-down-");

describe("platform-cassandra-scale-down-guard", () => {
  it("passes StatefulSets that wait for a guard targeting their replicas", async () => {
    expect(await guardFindings(goodStack())).toEqual([]);
  });

  it("refuses Cassandra StatefulSets with no guard: shrinking them would delete nodes that own data", async () => {
    const s = clone(goodStack()).filter((r) => !isGuard(r));
    const ds = await guardFindings(s);
    expect(ds.map((d) => d.urn)).toEqual(["a", "b", "c"].map((z) => rack(s, `cassandra-${z}`).urn));
    expect(ds[0]).toMatchObject({ level: "mandatory", message: expect.stringContaining("Cassandra StatefulSet cassandra-a has no scale-down guard Job") });
  });

  it("refuses a StatefulSet shrunk past its guard's target (the removed pod would not be decommissioned)", async () => {
    const s = clone(goodStack());
    rack(s, "cassandra-b").props.spec.replicas = 2;
    const ds = await guardFindings(s);
    expect(ds).toEqual([expect.objectContaining({ urn: rack(s, "cassandra-b").urn, message: expect.stringContaining("declares 2 replicas but its guard Job cassandra-scale-down-0123456789 targets 1") })]);
  });

  it("refuses a StatefulSet that does not wait for its guard", async () => {
    const s = clone(goodStack());
    rack(s, "cassandra-c").dependencies = [];
    const ds = await guardFindings(s);
    expect(ds).toEqual([expect.objectContaining({ message: expect.stringContaining("cassandra-c does not wait for its guard Job") })]);
  });

  it("refuses keeping a scaled-away pod's volume", async () => {
    const s = clone(goodStack());
    delete rack(s, "cassandra-a").props.spec.persistentVolumeClaimRetentionPolicy;
    const ds = await guardFindings(s);
    expect(ds).toEqual([expect.objectContaining({ message: expect.stringContaining("keeps a scaled-away pod's volume (whenScaled: Retain)") })]);
  });

  it("leaves dropping below the replication factor to platform-cassandra-replication-factor, which refuses it", async () => {
    const s = clone(goodStack());
    // A data centre shrunk to 2 nodes (guard and StatefulSet agree) under RF 3.
    rack(s, "cassandra-c").props.spec.replicas = 0;
    const job = s.find(isGuard)!;
    const env = job.props.spec.template.spec.containers[0].env.find((e: any) => e.name === "SCALE_DOWN_TARGETS");
    env.value = env.value.replace("cassandra-c:1", "cassandra-c:0");
    const ds = await analyzeStack(PLATFORM_POLICIES, s);
    expect(ds.filter((d) => d.policy === "platform-cassandra-scale-down-guard")).toEqual([]);
    expect(ds).toContainEqual(expect.objectContaining({ policy: "platform-cassandra-replication-factor", level: "mandatory", message: expect.stringContaining("wants 3 replicas in data centre us-east-1, which runs only 2 node(s)") }));
  });
});
