import { describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { localArgs, prodArgs } from "./fixtures";
import { validateRecorded } from "./k8s-models";

describe("CassandraCluster (local stack) and argument validation", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "local" });
  const { CassandraCluster } = await import("../../../components/cassandra/index.js");

  it("runs one unpinned rack1 StatefulSet with a small heap", async () => {
    const cluster = new CassandraCluster("cassandra", localArgs);
    await valueOf(cluster.urn);
    await new Promise((r) => setTimeout(r, 50));
    const sts = recorded.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => r.inputs as any);
    expect(sts.map((s) => s.metadata.name)).toEqual(["cassandra-rack1"]);
    const pod = sts[0].spec.template.spec;
    expect(pod.affinity.nodeAffinity).toBeUndefined();
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ CASSANDRA_DC: "local", CASSANDRA_RACK: "rack1", MAX_HEAP_SIZE: "1024M", HEAP_NEWSIZE: "100M" });
    expect(env.CASSANDRA_SEEDS).toBe("cassandra-rack1-0.cassandra.platform.svc.cluster.local");
    expect(sts[0].spec.volumeClaimTemplates[0].spec.storageClassName).toBe("standard");
    const cm = recorded.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.inputs as any;
    expect(cm.data["schema.cql"]).toContain("{'class': 'NetworkTopologyStrategy', 'local': 1}");
    expect(cm.data["schema.cql"]).toContain(`default_time_to_live = ${7 * 86400}`);
    expect(await valueOf(cluster.seeds)).toEqual(["cassandra-rack1-0.cassandra.platform.svc.cluster.local"]);
    expect(validateRecorded(recorded)).toBe(9); // + the JMX Secret, the scale-down guard Job
  });

  it("changes the schema Job name (and only then) when the CQL changes", async () => {
    const { schemaJobName } = await import("../../../components/cassandra/job.js");
    const base = { namespace: "platform", image: "cassandra:5.0.9", schemaCql: "A;", keyspaces: ["system_auth", "telemetry"], replication: "local:1", removeDataCenters: [], credentialsSecretName: "c", keyspace: "telemetry", appRoles: [], configMapName: "m", waitAttempts: 1, waitIntervalSeconds: 1, backoffLimit: 1 };
    expect(schemaJobName(base)).toBe(schemaJobName({ ...base }));
    expect(schemaJobName(base)).not.toBe(schemaJobName({ ...base, schemaCql: "B;" }));
    // A role's access is part of the script, so narrowing it re-runs the Job.
    const reader = { ...base, appRoles: [{ name: "app", access: "read" as const, secretName: "s" }] };
    expect(schemaJobName(reader)).not.toBe(schemaJobName({ ...reader, appRoles: [{ ...reader.appRoles[0]!, access: "readWrite" as const }] }));
  });

  it("reports every argument problem at once, naming the argument and the value", () => {
    let message = "";
    try {
      new CassandraCluster("bad", {
        ...prodArgs,
        nodes: 2,
        replication: { "eu-west-1": 3 },
        memoryMiB: 64 * 1024,
        heapMiB: 40 * 1024,
        storageClass: "",
        defaultTtlDays: -1,
        superuserName: "cassandra",
        cpuMillis: 0,
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("CassandraCluster: invalid arguments:");
    expect(message).toContain(`replication: must include this data centre "us-east-1", got {eu-west-1: 3}`);
    expect(message).toContain("heapMiB: must be <= 50% of memoryMiB (32768), got 40960");
    expect(message).toContain("heapMiB: must be <= 31744");
    expect(message).toContain(`storageClass: must be a StorageClass name, got ""`);
    expect(message).toContain("defaultTtlDays: must be a non-negative integer, got -1");
    expect(message).toContain(`superuserName: must match`);
    expect(message).toContain("cpuMillis: must be a positive integer, got 0");
    expect(message).toContain("zones: nodes (2) must be a multiple of the number of zones (3)");
  });

  it("rejects a replication factor above the node count", () => {
    expect(() => new CassandraCluster("bad2", { ...localArgs, replication: { local: 3 } })).toThrow(
      /replication: factor for "local" \(3\) exceeds nodes \(1\)/,
    );
  });
});
