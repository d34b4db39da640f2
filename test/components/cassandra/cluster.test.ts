import { describe, expect, it } from "vitest";
import { installMocks, valueOf, isSecretOutput, type SynthResource } from "../../../scripts/synth/mocks";
import { prodArgs } from "./fixtures";

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("CassandraCluster (prod data centre with peers)", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "prod-us-east-1" });
  const { CassandraCluster } = await import("../../../components/cassandra/index.js");
  const cluster = new CassandraCluster("cassandra", prodArgs);
  const clusterUrn = await valueOf(cluster.urn);
  await valueOf(cluster.schemaJobName);
  await settle();

  const ofType = (t: string) => recorded.filter((r) => r.type === `kubernetes:${t}`);
  const statefulSets = ofType("apps/v1:StatefulSet");
  const env = (sts: SynthResource) => {
    const c = (sts.inputs as any).spec.template.spec.containers[0];
    return Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  };

  it("registers the component and parents every child to it", () => {
    const component = recorded.find((r) => r.type === "platform:data:CassandraCluster");
    expect(component?.urn).toBe(clusterUrn);
    const children = recorded.filter((r) => r.custom);
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) expect(c.parent, c.name).toBe(clusterUrn);
  });

  it("creates one StatefulSet per zone, ONE PDB over the whole DC, a headless and a client Service, Secrets, a ConfigMap and a Job", () => {
    expect(statefulSets.map((s) => (s.inputs as any).metadata.name)).toEqual(["cassandra-a", "cassandra-b", "cassandra-c"]);
    // One budget for every Cassandra pod of the DC: a drain can never take two racks at once.
    const pdbs = ofType("policy/v1:PodDisruptionBudget").map((p) => p.inputs as any);
    expect(pdbs).toHaveLength(1);
    expect(pdbs[0].spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "cassandra", "app.kubernetes.io/component": "database" } } });
    for (const sts of statefulSets) {
      const podLabels = (sts.inputs as any).spec.template.metadata.labels;
      expect(Object.entries(pdbs[0].spec.selector.matchLabels).every(([k, v]) => podLabels[k] === v), (sts.inputs as any).metadata.name).toBe(true);
    }
    const services = ofType("core/v1:Service").map((s) => s.inputs as any);
    expect(services.map((s) => s.metadata.name).sort()).toEqual(["cassandra", "cassandra-client"]);
    const headless = services.find((s) => s.metadata.name === "cassandra");
    expect(headless.spec.clusterIP).toBe("None");
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p: any) => p.port)).toEqual([7000, 9042]);
    // Per-pod DNS records for other regions: <pod>.<seedDomain> → pod IP (external-dns).
    expect(headless.metadata.annotations).toEqual({ "external-dns.alpha.kubernetes.io/hostname": "us-east-1.platform.internal" });
    expect(services.find((s) => s.metadata.name === "cassandra-client").spec.ports.map((p: any) => p.port)).toEqual([9042]);
    expect(ofType("core/v1:Secret").map((s) => (s.inputs as any).metadata.name)).toEqual(["cassandra-credentials", "cassandra-jmx"]);
    expect(ofType("core/v1:ConfigMap").map((s) => (s.inputs as any).metadata.name)).toEqual(["cassandra-schema"]);
    // The schema Job and the scale-down guard (./scale-down.test.ts).
    expect(ofType("batch/v1:Job").map((j) => (j.inputs as any).metadata.name.replace(/-[0-9a-f]{10}$/, ""))).toEqual(["cassandra-scale-down", "cassandra-schema"]);
    expect(recorded.filter((r) => r.type === "random:index/randomPassword:RandomPassword")).toHaveLength(2); // superuser, JMX
  });

  it("spreads racks across zones: each StatefulSet is pinned to its zone and named after it", () => {
    for (const [sts, zone] of statefulSets.map((s, i) => [s, prodArgs.zones![i]] as const)) {
      const spec = (sts.inputs as any).spec;
      const terms = spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      expect(terms).toEqual([{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: [zone] }] }]);
      expect(env(sts).CASSANDRA_RACK).toBe(zone);
      expect(spec.replicas).toBe(1);
      expect(spec.serviceName).toBe("cassandra");
      // Selectors never overlap between racks.
      expect(spec.selector.matchLabels["app.kubernetes.io/instance"]).toBe((sts.inputs as any).metadata.name);
      expect(spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
    }
  });

  it("configures Cassandra through the image's env: DC, snitch, heap from the limit, seeds incl. peers", () => {
    const e = env(statefulSets[0]);
    expect(e.CASSANDRA_DC).toBe("us-east-1");
    expect(e.CASSANDRA_CLUSTER_NAME).toBe("platform");
    expect(e.CASSANDRA_ENDPOINT_SNITCH).toBe("GossipingPropertyFileSnitch");
    expect(e.MAX_HEAP_SIZE).toBe("16384M"); // 32 GiB limit → 16 GiB heap
    expect(e.HEAP_NEWSIZE).toBe("400M"); // 100 MiB x 4 cores
    // Two seeds of this DC (not every node: seeds never bootstrap), then the peers'.
    expect(e.CASSANDRA_SEEDS.split(",")).toEqual([
      "cassandra-a-0.cassandra.platform.svc.cluster.local",
      "cassandra-b-0.cassandra.platform.svc.cluster.local",
      ...(prodArgs.peerSeeds as string[]),
    ]);
  });

  it("sizes pods with memory request = limit and claims storage from the configured class", () => {
    for (const sts of statefulSets) {
      const spec = (sts.inputs as any).spec;
      for (const c of [...spec.template.spec.containers, ...spec.template.spec.initContainers]) {
        expect(c.resources.requests.memory).toBe(c.resources.limits.memory);
        expect(c.resources.requests.cpu).toBeDefined();
      }
      expect(spec.template.spec.containers[0].resources.limits.memory).toBe("32768Mi");
      const [claim] = spec.volumeClaimTemplates;
      expect(claim.spec.storageClassName).toBe("gp3-encrypted");
      expect(claim.spec.resources.requests.storage).toBe("500Gi");
      expect(spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/cassandra" });
    }
  });

  it("hardens every container and keeps the writable paths on volumes", () => {
    const spec = (statefulSets[0].inputs as any).spec.template.spec;
    for (const c of [...spec.containers, ...spec.initContainers]) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true, runAsUser: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] },
      });
    }
    const mounts = spec.containers[0].volumeMounts.map((m: any) => m.mountPath).sort();
    expect(mounts).toEqual(["/etc/cassandra", "/opt/jmx-exporter", "/replace", "/tmp", "/var/lib/cassandra", "/var/log/cassandra"]);
    // The replace-node ConfigMap (optional, read-only) is the only mount that is not writable state.
    expect(spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/replace")).toMatchObject({ readOnly: true });
    expect(spec.containers[0].readinessProbe.tcpSocket.port).toBe(9042);
    expect(spec.containers[0].livenessProbe).toBeDefined();
    expect(spec.containers[0].startupProbe).toBeDefined();
    expect(spec.securityContext.fsGroup).toBe(999);
  });

  it("labels every object with the standard labels", () => {
    for (const r of recorded.filter((x) => x.type.startsWith("kubernetes:"))) {
      expect((r.inputs as any).metadata.labels, r.name).toMatchObject({
        "app.kubernetes.io/name": "cassandra",
        "app.kubernetes.io/part-of": "platform",
        "app.kubernetes.io/managed-by": "pulumi",
      });
      expect(JSON.stringify(r.inputs)).not.toContain("cdk8s.io/metadata.addr");
    }
  });

  it("renders the schema into the ConfigMap: NTS for every DC, TTL from days; replication in the Job script", () => {
    const data = (ofType("core/v1:ConfigMap")[0].inputs as any).data;
    const nts = "{'class': 'NetworkTopologyStrategy', 'ap-southeast-1': 3, 'eu-west-1': 3, 'us-east-1': 3}";
    expect(data["schema.cql"]).toContain(`CREATE KEYSPACE IF NOT EXISTS telemetry\n  WITH replication = ${nts};`);
    expect(data["schema.cql"]).not.toContain("ALTER KEYSPACE");
    expect(data["schema.cql"]).toContain(`default_time_to_live = ${30 * 86400}`);
    expect(data["schema.cql"]).toContain("TimeWindowCompactionStrategy");
    expect(data["schema.cql"]).toContain(`ALTER TABLE telemetry.events WITH default_time_to_live = ${30 * 86400};`);
    const script = (schemaJobOf(ofType("batch/v1:Job")).inputs as any).spec.template.spec.containers[0].command[2] as string;
    expect(script).toContain('DECLARED_REPLICATION="ap-southeast-1:3 eu-west-1:3 us-east-1:3"');
    for (const ks of ["system_auth", "system_distributed", "system_traces", "telemetry", "platform_ops"]) expect(script).toContain(`ensure_replication ${"\"$host\" \"$CASSANDRA_USERNAME\" \"$CASSANDRA_PASSWORD\""} ${ks}`);
  });

  it("runs the schema Job with a CQL-hash name, credentials from the Secret, peers as fallback hosts", async () => {
    const job = schemaJobOf(ofType("batch/v1:Job")).inputs as any;
    expect(job.metadata.name).toBe(await valueOf(cluster.schemaJobName));
    expect(job.metadata.name).toMatch(/^cassandra-schema-[0-9a-f]{10}$/);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec.backoffLimit).toBe(3);
    const pod = job.spec.template;
    expect(pod.metadata.annotations["sidecar.istio.io/inject"]).toBe("false");
    const c = pod.spec.containers[0];
    const byName = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(byName.CASSANDRA_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: "cassandra-credentials", key: "password" });
    expect(byName.CASSANDRA_USERNAME.valueFrom.secretKeyRef).toEqual({ name: "cassandra-credentials", key: "username" });
    expect(byName.CASSANDRA_PASSWORD.value).toBeUndefined();
    // cqlsh wants bare hosts: the seed's storage port is dropped.
    expect(byName.CQL_HOSTS.value.split(" ")).toEqual([
      "cassandra-client.platform.svc.cluster.local",
      "cassandra-a-0.cassandra.platform.svc.eu-west-1.platform.internal",
      "cassandra-a-0.cassandra.platform.svc.ap-southeast-1.platform.internal",
    ]);
    expect(c.command.join(" ")).toContain("cqlsh");
    expect(pod.spec.volumes).toContainEqual({ name: "schema", configMap: { name: "cassandra-schema" } });
  });

  it("registers the Job after the Secret and every StatefulSet, and chains racks in order", () => {
    const index = (pred: (r: SynthResource) => boolean) => recorded.findIndex(pred);
    const jobAt = index((r) => r.type === "kubernetes:batch/v1:Job" && (r.inputs as any).metadata.name.startsWith("cassandra-schema-"));
    expect(index((r) => r.type === "kubernetes:core/v1:Secret")).toBeLessThan(jobAt);
    for (const sts of statefulSets) expect(recorded.indexOf(sts)).toBeLessThan(jobAt);
  });

  it("never records the generated password in plaintext", async () => {
    const password = await valueOf(cluster.password);
    expect(password).toMatch(/^mock-/);
    expect(JSON.stringify(recorded)).not.toContain(password);
    expect(await isSecretOutput(cluster.password)).toBe(true);
    expect(await isSecretOutput(cluster.username)).toBe(true);
    expect((ofType("core/v1:Secret")[0].inputs as any).stringData).toEqual({ username: "[secret]", password: "[secret]" });
  });

  it("exposes typed outputs", async () => {
    // The names external-dns publishes for the headless Service's pods.
    expect(await valueOf(cluster.seeds)).toEqual(["cassandra-a-0.us-east-1.platform.internal", "cassandra-b-0.us-east-1.platform.internal"]);
    expect(await valueOf(cluster.contactPoints)).toHaveLength(3);
    expect(await valueOf(cluster.port)).toBe(9042);
    expect(await valueOf(cluster.dataCenter)).toBe("us-east-1");
    expect(await valueOf(cluster.headlessServiceName)).toBe("cassandra");
    expect(await valueOf(cluster.clientServiceName)).toBe("cassandra-client");
    expect(await valueOf(cluster.credentialsSecretName)).toBe("cassandra-credentials");
    expect(await valueOf(cluster.username)).toBe("platform");
  });
});

/** The schema Job among the component's Jobs (the scale-down guard is the other). */
function schemaJobOf(jobs: SynthResource[]): SynthResource {
  return jobs.find((j) => (j.inputs as any).metadata.name.startsWith("cassandra-schema-"))!;
}
