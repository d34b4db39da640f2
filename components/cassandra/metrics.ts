/**
 * Cassandra metrics for Prometheus: the Prometheus JMX exporter Java agent
 * (io.prometheus.jmx:jmx_prometheus_javaagent, Maven Central) loaded into each Cassandra JVM,
 * serving the few MBeans the alert rules read (components/alerting/rules-cassandra.ts) plus the
 * JVM's own metrics on `:7070/metrics`.
 *
 * Kept apart from ./workload.ts on purpose: it patches the synthesised StatefulSets (init
 * container fetching the agent, JVM_EXTRA_OPTS, port, annotations), so the workload stays as is.
 */
import type { KubeObject } from "../shared/kube";
import { hardenedContainerSecurity } from "../shared/security";
import { CASSANDRA_UID, NAME } from "./workload";

export const JMX_EXPORTER_VERSION = "1.0.1";
/** sha256 of jmx_prometheus_javaagent-1.0.1.jar on Maven Central (checked by the init container). */
export const JMX_EXPORTER_SHA256 = "7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1";
export const JMX_EXPORTER_URL = `https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/${JMX_EXPORTER_VERSION}/jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`;
/** Port the agent serves `/metrics` on; named `http-metrics` on the container. */
export const METRICS_PORT = 7070;
export const METRICS_PORT_NAME = "http-metrics";

/**
 * Agent config: only the MBeans the rules read (a full JMX walk of Cassandra is thousands of
 * beans and seconds per scrape). Coordinator latency percentiles are in microseconds in JMX.
 */
export const JMX_EXPORTER_CONFIG = `# Prometheus JMX exporter: Cassandra MBeans the platform's alert rules read.
lowercaseOutputName: true
lowercaseOutputLabelNames: true
includeObjectNames:
  - "org.apache.cassandra.metrics:type=ClientRequest,scope=Read,name=Latency"
  - "org.apache.cassandra.metrics:type=ClientRequest,scope=Write,name=Latency"
  - "org.apache.cassandra.metrics:type=Compaction,name=PendingTasks"
  - "org.apache.cassandra.metrics:type=DroppedMessage,scope=MUTATION,name=Dropped"
  - "org.apache.cassandra.metrics:type=Storage,name=Load"
  - "org.apache.cassandra.net:type=FailureDetector"
rules:
  - pattern: 'org.apache.cassandra.metrics<type=ClientRequest, scope=(Read|Write), name=Latency><>(50|99)thPercentile'
    name: cassandra_client_request_latency_seconds
    type: GAUGE
    valueFactor: 0.000001
    labels:
      operation: "$1"
      quantile: "0.$2"
  - pattern: 'org.apache.cassandra.metrics<type=Compaction, name=PendingTasks><>Value'
    name: cassandra_compaction_pending_tasks
    type: GAUGE
  - pattern: 'org.apache.cassandra.metrics<type=DroppedMessage, scope=MUTATION, name=Dropped><>Count'
    name: cassandra_dropped_mutations
    type: COUNTER
  - pattern: 'org.apache.cassandra.metrics<type=Storage, name=Load><>Count'
    name: cassandra_storage_load_bytes
    type: GAUGE
  - pattern: 'org.apache.cassandra.net<type=FailureDetector><>DownEndpointCount'
    name: cassandra_failure_detector_down_endpoints
    type: GAUGE
`;

const AGENT_DIR = "/opt/jmx-exporter";

/** `-javaagent:` option for JVM_EXTRA_OPTS (cassandra-env.sh appends it to the JVM options). */
export function javaAgentOption(jarPath: string, port: number, configPath: string): string {
  return `-javaagent:${jarPath}=${port}:${configPath}`;
}

/**
 * Adds the agent to a Cassandra StatefulSet: an init container (`busybox`) that fetches the
 * pinned jar from Maven Central and checks its sha256 into an emptyDir (the official Cassandra
 * image does not ship the agent; a mirror or a baked image can replace `fetchImage`/URL), the
 * agent config (written by the init container from the pod template), JVM_EXTRA_OPTS, the metrics port, and `prometheus.io/*` pod annotations so that
 * with `meshSidecar` Istio merges the agent's metrics into the sidecar's `:15020/stats/prometheus`.
 * Other kinds pass through.
 */
export function withJmxExporter(obj: KubeObject, opts: { fetchImage?: string } = {}): KubeObject {
  if (obj.kind !== "StatefulSet") return obj;
  const sts = structuredClone(obj) as any;
  const tpl = sts.spec.template;
  const pod = tpl.spec;
  const jar = `${AGENT_DIR}/jmx_prometheus_javaagent.jar`;
  pod.volumes = [...(pod.volumes ?? []), { name: "jmx-exporter", emptyDir: { sizeLimit: "16Mi" } }];
  pod.initContainers = [
    ...(pod.initContainers ?? []),
    {
      name: "jmx-exporter",
      image: opts.fetchImage ?? "busybox:1.37",
      imagePullPolicy: "IfNotPresent",
      command: ["sh", "-c", `wget -q -O ${jar}.tmp "$URL" && echo "$SHA256  ${jar}.tmp" | sha256sum -c - && mv ${jar}.tmp ${jar} && printf '%s' "$CONFIG" > ${AGENT_DIR}/config.yaml`],
      env: [
        { name: "URL", value: JMX_EXPORTER_URL },
        { name: "SHA256", value: JMX_EXPORTER_SHA256 },
        // The agent's config travels with the pod template: a change rolls the pods by itself.
        { name: "CONFIG", value: JMX_EXPORTER_CONFIG },
      ],
      volumeMounts: [{ name: "jmx-exporter", mountPath: AGENT_DIR }],
      resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
      securityContext: hardenedContainerSecurity(CASSANDRA_UID),
    },
  ];
  const main = pod.containers.find((c: { name: string }) => c.name === NAME);
  // One JVM_EXTRA_OPTS: the agent joins the options already there (e.g. the direct-memory cap);
  // a second entry of the same name would be refused by server-side apply (env is keyed by name).
  const agent = javaAgentOption(jar, METRICS_PORT, `${AGENT_DIR}/config.yaml`);
  const env: { name: string; value?: string }[] = main.env ?? [];
  const existing = env.find((e) => e.name === "JVM_EXTRA_OPTS");
  main.env = existing
    ? env.map((e) => (e === existing ? { ...e, value: `${e.value ?? ""} ${agent}`.trim() } : e))
    : [...env, { name: "JVM_EXTRA_OPTS", value: agent }];
  main.ports = [...(main.ports ?? []), { name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: "TCP" }];
  main.volumeMounts = [...(main.volumeMounts ?? []), { name: "jmx-exporter", mountPath: AGENT_DIR, readOnly: true }];
  tpl.metadata.annotations = {
    ...(tpl.metadata.annotations ?? {}),
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(METRICS_PORT),
    "prometheus.io/path": "/metrics",
  };
  return sts;
}
