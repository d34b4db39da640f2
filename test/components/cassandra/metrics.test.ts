/** Issue #19: the Cassandra pods load the Prometheus JMX exporter agent (components/cassandra/metrics.ts). */
import { describe, expect, it } from "vitest";
import { JMX_EXPORTER_CONFIG, JMX_EXPORTER_SHA256, JMX_EXPORTER_URL, METRICS_PORT, withJmxExporter } from "../../../components/cassandra/metrics";
import { buildCassandraWorkload } from "../../../components/cassandra/workload";
import { racksFor } from "../../../components/cassandra/racks";

const objects = buildCassandraWorkload({
  namespace: "platform",
  clusterName: "platform",
  dataCenter: "local",
  racks: racksFor([], 1),
  image: "cassandra:5.0.9",
  cpuMillis: 500,
  memoryMiB: 2048,
  heap: { heapMiB: 1024, newGenMiB: 100, directMiB: 256 },
  storageGiB: 5,
  storageClass: "standard",
  headlessServiceName: "cassandra",
  clientServiceName: "cassandra-client",
  credentialsSecretName: "cassandra-credentials",
  meshSidecar: false,
  jmxSecretName: "cassandra-jmx",
}).map((o) => withJmxExporter(o));
const sts = objects.find((o) => o.kind === "StatefulSet") as any;
const pod = sts.spec.template.spec;
const main = pod.containers.find((c: any) => c.name === "cassandra");
const init = pod.initContainers.find((c: any) => c.name === "jmx-exporter");

describe("JMX exporter agent in the Cassandra pods", () => {
  it("joins the one JVM_EXTRA_OPTS the workload sets (two entries of one name are refused by server-side apply)", () => {
    const opts = main.env.filter((e: any) => e.name === "JVM_EXTRA_OPTS");
    expect(opts).toHaveLength(1);
    expect(opts[0].value).toMatch(/^-XX:MaxDirectMemorySize=256M -javaagent:/);
  });

  it("loads the agent through JVM_EXTRA_OPTS (cassandra-env.sh appends it) with the port and config", () => {
    const opts = main.env.find((e: any) => e.name === "JVM_EXTRA_OPTS").value;
    expect(opts.endsWith(` -javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=${METRICS_PORT}:/opt/jmx-exporter/config.yaml`)).toBe(true);
    expect(main.ports).toContainEqual({ name: "http-metrics", containerPort: METRICS_PORT, protocol: "TCP" });
    expect(main.volumeMounts).toContainEqual({ name: "jmx-exporter", mountPath: "/opt/jmx-exporter", readOnly: true });
  });

  it("fetches the pinned jar and refuses it unless its sha256 matches", () => {
    const env = Object.fromEntries(init.env.map((e: any) => [e.name, e.value]));
    expect(env.URL).toBe(JMX_EXPORTER_URL);
    expect(env.SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(env.SHA256).toBe(JMX_EXPORTER_SHA256);
    expect(env.CONFIG).toBe(JMX_EXPORTER_CONFIG);
    expect(init.command.join(" ")).toMatch(/sha256sum -c - && mv/);
    expect(init.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  it("annotates the pod for Istio metrics merging when meshed (prometheus.io/* on the agent's port)", () => {
    expect(sts.spec.template.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": String(METRICS_PORT), "prometheus.io/path": "/metrics" });
  });

  it("leaves other objects alone", () => {
    for (const o of objects.filter((x) => x.kind !== "StatefulSet")) expect(JSON.stringify(o)).not.toContain("jmx");
  });
});
