import { describe, expect, it } from "vitest";
import { installMocks, valueOf } from "../../../scripts/synth/mocks";
import { prodArgs } from "./fixtures";
import { validateRecorded } from "./k8s-models";

describe("CassandraCluster objects against the Kubernetes schemas", () => {
  it("emits only schema-valid objects (prod data centre)", async () => {
    const recorded = await installMocks({ stack: "prod-us-east-1" });
    const { CassandraCluster } = await import("../../../components/cassandra/index.js");
    const cluster = new CassandraCluster("cassandra", prodArgs);
    await valueOf(cluster.urn);
    await new Promise((r) => setTimeout(r, 50));
    // 3 StatefulSets + 3 PDBs + 2 Services + Secret + ConfigMap + Job
    expect(validateRecorded(recorded)).toBe(11); // 3 PDBs → 1, + the JMX Secret, + the scale-down guard Job

    // The check itself can fail: a broken copy of the StatefulSet is rejected.
    const sts = recorded.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
    const broken = { ...sts, inputs: { ...sts.inputs, spec: { ...(sts.inputs as any).spec, replicas: "three" } } };
    expect(() => validateRecorded([broken])).toThrow(/StatefulSet .* is invalid/);
  });
});
