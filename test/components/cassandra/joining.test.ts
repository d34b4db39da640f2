import { describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { startupSeconds } from "../../../components/cassandra/workload";
import { prodArgs } from "./fixtures";
import { validateRecorded } from "./k8s-models";

// A joining prod data centre (eu-west-1) with encryption from the founder's CA: the rendered
// TLS Secret, encryption blocks, JMX, rebuild Job and its ordering, under Pulumi's mocks.
describe("CassandraCluster (joining data centre with encryption)", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "prod-eu-west-1" });
  const { CassandraCluster } = await import("../../../components/cassandra/index.js");
  const cluster = new CassandraCluster("cassandra", {
    ...prodArgs,
    dataCenter: "eu-west-1",
    zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    replication: { "eu-west-1": 3, "us-east-1": 3 },
    seedDomain: "eu-west-1.cassandra.platform.internal",
    rebuildFrom: "us-east-1",
    removeDataCenters: ["ap-southeast-1"],
    encryption: { caCertPem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n", caPrivateKeyPem: "ca-key-from-the-founder" },
  });
  await valueOf(cluster.schemaJobName);
  await valueOf(cluster.rebuildJobName!);
  await new Promise((r) => setTimeout(r, 50));
  const ofType = (t: string) => recorded.filter((r) => r.type === t);
  const jobs = ofType("kubernetes:batch/v1:Job").map((r) => r.inputs as any);
  const rebuild = jobs.find((j) => j.metadata.name.startsWith("cassandra-rebuild-"))!;
  const schema = jobs.find((j) => j.metadata.name.startsWith("cassandra-schema-"))!;
  const sts = ofType("kubernetes:apps/v1:StatefulSet").map((r) => r.inputs as any);

  it("signs this DC's node certificate with the founder's CA and ships key + cert + CA in one Secret", () => {
    const cert = ofType("tls:index/locallySignedCert:LocallySignedCert")[0]!.inputs as any;
    expect(cert.caCertPem).toContain("BEGIN CERTIFICATE");
    expect(cert.caPrivateKeyPem).toBe("[secret]");
    expect(cert.allowedUses).toEqual(expect.arrayContaining(["server_auth", "client_auth"]));
    const csr = ofType("tls:index/certRequest:CertRequest")[0]!.inputs as any;
    expect(csr.dnsNames).toEqual(["*.cassandra.platform.svc.cluster.local", "cassandra-client.platform.svc.cluster.local", "*.eu-west-1.cassandra.platform.internal"]);
    // Only the founder creates a CA.
    expect(ofType("tls:index/selfSignedCert:SelfSignedCert")).toHaveLength(0);
    const secret = ofType("kubernetes:core/v1:Secret").map((r) => r.inputs as any).find((s) => s.metadata.name === "cassandra-tls");
    expect(secret.stringData).toEqual({ "keystore.pem": "[secret]", "ca.pem": "[secret]" });
  });

  it("renders internode + client encryption (not optional) and mounts the TLS Secret in every node", () => {
    for (const s of sts) {
      const init = s.spec.template.spec.initContainers[0];
      expect(init.command[2]).toContain("internode_encryption: all");
      expect(init.command[2]).toMatch(/client_encryption_options:\n {2}enabled: true\n {2}optional: false/);
      expect(init.command[2]).toContain("class_name: org.apache.cassandra.security.PEMBasedSslContextFactory");
      const volumes = s.spec.template.spec.volumes;
      expect(volumes).toContainEqual(expect.objectContaining({ name: "tls", secret: expect.objectContaining({ secretName: "cassandra-tls" }) }));
      expect(s.spec.template.spec.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ name: "tls", mountPath: "/etc/cassandra-tls", readOnly: true }));
    }
    // The Jobs verify the nodes with the CA only (no node key in a Job).
    for (const j of [schema, rebuild]) {
      const env = Object.fromEntries(j.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env.SSL_CERTFILE).toBe("/etc/cassandra-tls/ca.pem");
      expect(j.spec.template.spec.volumes).toContainEqual({ name: "tls", secret: { secretName: "cassandra-tls", items: [{ key: "ca.pem", path: "ca.pem" }] } });
      expect(j.spec.template.spec.containers[0].command[2]).toContain("--ssl");
    }
  });

  it("runs the rebuild Job over every node of this DC from the founder, after the schema Job", () => {
    const env = Object.fromEntries(rebuild.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.REBUILD_NODES.split(" ")).toEqual(["a", "b", "c"].map((r) => `cassandra-${r}-0.cassandra.platform.svc.cluster.local`));
    expect(env.DATA_CENTER).toBe("eu-west-1");
    expect(env.SOURCE_DATA_CENTER).toBe("us-east-1");
    expect(env.JMX_PASSWORD).toEqual({ secretKeyRef: { name: "cassandra-jmx", key: "password" } });
    expect(rebuild.spec.template.spec.containers[0].command[2]).toContain('nt "$node" rebuild -- "$SOURCE_DATA_CENTER"');
    const order = recorded.map((r) => (r.inputs as any)?.metadata?.name);
    expect(order.indexOf(rebuild.metadata.name)).toBeGreaterThan(order.indexOf(schema.metadata.name));
  });

  it("declares the replication union, and the explicit removal, in the schema Job", () => {
    const script = schema.spec.template.spec.containers[0].command[2] as string;
    expect(script).toContain('DECLARED_REPLICATION="eu-west-1:3 us-east-1:3"');
    expect(script).toContain('REMOVED_DATA_CENTERS="ap-southeast-1"');
  });

  it("opens JMX with a password file, caps direct memory, broadcasts the pod IP, sizes the startup probe by volume", () => {
    const c = sts[0].spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.LOCAL_JMX).toBe("no");
    expect(env.MAX_DIRECT_MEMORY_SIZE).toBe("8192M"); // 32 GiB limit: heap 16 GiB, direct 8 GiB
    // The direct-memory cap first; the metrics agent (issue 19) joins the same variable.
    expect(env.JVM_EXTRA_OPTS).toMatch(/^-XX:MaxDirectMemorySize=8192M -javaagent:/);
    expect(env.CASSANDRA_BROADCAST_ADDRESS).toEqual({ fieldRef: { fieldPath: "status.podIP" } });
    const initEnv = Object.fromEntries(sts[0].spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.valueFrom]));
    expect(initEnv.JMX_PASSWORD).toEqual({ secretKeyRef: { name: "cassandra-jmx", key: "password" } });
    // 500 GiB: 300 s + 1000 s, at 10 s per probe.
    expect(c.startupProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 130 });
    expect(startupSeconds(1000)).toBe(2300);
  });

  it("emits only schema-valid Kubernetes objects", () => {
    expect(validateRecorded(recorded)).toBeGreaterThan(10);
  });
});

describe("CassandraCluster argument validation (multi-region)", async () => {
  await installMocks({ stack: "prod-us-east-1" });
  const { CassandraCluster } = await import("../../../components/cassandra/index.js");
  it("rejects a removed DC that is still declared and a rebuild source that is not a peer", () => {
    expect(() => new CassandraCluster("bad", { ...prodArgs, removeDataCenters: ["eu-west-1"], rebuildFrom: "us-east-1" })).toThrow(
      /removeDataCenters: "eu-west-1" is also in replication[\s\S]*rebuildFrom: must be another data centre than this one/,
    );
    expect(() => new CassandraCluster("bad2", { ...prodArgs, rebuildFrom: "sa-east-1" })).toThrow(/rebuildFrom: "sa-east-1" must be in replication/);
  });
});
