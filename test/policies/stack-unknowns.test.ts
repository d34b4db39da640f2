/**
 * Stack policies (AnalyzeStack) in a preview where some values are not known yet: an unknown
 * value in one resource must not silence a whole stack policy. Found by the real engine
 * (test/engine): a random value in an unrelated ConfigMap made `platform-cassandra-replication-factor`
 * "can't run" for the whole stack.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../policies/core/unknown";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import { analyzeStack } from "./engine-rpc";
import { clone, goodStack, kube } from "./fixtures";

/** The good prod stack as a preview sees it while ElastiCache and the images are being replaced. */
function previewOfGoodStack() {
  const s = clone(goodStack());
  for (const r of s.filter((x) => x.props.kind === "Deployment" || x.props.kind === "StatefulSet")) {
    for (const c of r.props.spec.template.spec.containers) c.image = UNKNOWN.string;
  }
  s.push(kube("prod-eu-west-1", "ConfigMap", "gateway-cache", { data: { REDIS_HOST: UNKNOWN.string, LOG_LEVEL: "info" } }));
  return s;
}

describe("stack policies with unknown values in a preview", () => {
  it("an unknown image or ConfigMap value elsewhere silences no stack policy: only that key is reported as not checked", async () => {
    const ds = await analyzeStack(PLATFORM_POLICIES, previewOfGoodStack());
    expect(ds).toEqual([
      expect.objectContaining({
        policy: "platform-cassandra-replication-factor",
        level: "advisory",
        message: expect.stringMatching(/during preview: not checked, unknown until the update: ConfigMap gateway-cache data "REDIS_HOST": string value at \.data\.REDIS_HOST can't be known during preview$/),
      }),
    ]);
  });

  it("a replication violation beside the unknown value is still mandatory", async () => {
    const s = previewOfGoodStack();
    const schema = s.find((r) => r.props.kind === "ConfigMap" && r.props.metadata.name === "cassandra-schema")!;
    schema.props.data["schema.cql"] = schema.props.data["schema.cql"].replace("'eu-west-1': 3", "'eu-west-1': 2");
    const ds = await analyzeStack(PLATFORM_POLICIES, s);
    expect(ds.filter((d) => d.level === "mandatory")).toEqual([
      expect.objectContaining({ policy: "platform-cassandra-replication-factor", message: expect.stringContaining("Keyspace telemetry has replication factor 2 in data centre eu-west-1") }),
    ]);
  });
});
