/**
 * Cassandra alerts from what the nodes export themselves (the JMX exporter agent,
 * components/cassandra/metrics.ts) and from Prometheus' own scrape health: what an operator
 * watches on a Cassandra data centre. The app-side write latency rule stays in ./rules.ts.
 */
import type { AlertRule, QueryContext } from "./dsl";
import { CASSANDRA_JMX_METRICS as JMX, PROMETHEUS_METRICS as PROM } from "./exporter-metrics";
import { MONITORS, monitorJob } from "./monitors";
import { ns, ONCALL, TEAM } from "./rules-common";
import { counter, gauge } from "./synthetic";

/** Selector of the Cassandra targets: namespace and the Cassandra PodMonitor's job. */
const sel = (c: QueryContext, extra = "") => `${ns(c)},job="${monitorJob(c.namespace, MONITORS.cassandra)}"${extra ? `,${extra}` : ""}`;
/** Labels of a synthetic Cassandra series, as the PodMonitor's target carries them. */
const target = (c: QueryContext, extra: Record<string, string> = {}) => ({
  namespace: c.namespace,
  job: monitorJob(c.namespace, MONITORS.cassandra),
  pod: "cassandra-rack1-0",
  ...extra,
});
const DEFAULT_VOLUME_BYTES = 100 * 1024 ** 3;
const volume = (c: QueryContext) => c.cassandraVolumeBytes ?? DEFAULT_VOLUME_BYTES;

const nodeDown: AlertRule = {
  name: "CassandraNodeDown",
  title: "A Cassandra node is down",
  description:
    "A Cassandra node does not answer its metrics scrape, a peer's failure detector marks a node down, or no node is scraped at all: the data centre runs with a node missing and LOCAL_QUORUM has less headroom.",
  firstCheck: "`kubectl -n platform get pods -l app.kubernetes.io/name=cassandra` and the down pod's events/logs (OOMKilled, disk full, pending PVC); `nodetool status` on a live node.",
  severity: "critical",
  notify: ONCALL,
  area: "cassandra",
  intervalSeconds: 30,
  forSeconds: 120,
  breach: "above",
  thresholds: { local: 0, dev: 0, staging: 0, prod: 0 },
  unit: "nodes",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [PROM.up, JMX.downEndpoints],
    // Failed scrapes first; else the peers' view (a pod that is gone is no target at all); else
    // 1 when not a single node is scraped (the whole DC, or its only node, is gone).
    query: (c) => `count(${PROM.up}{${sel(c)}} == 0) or max(${JMX.downEndpoints}{${sel(c)}}) or absent(${PROM.up}{${sel(c)}})`,
    fixture: {
      healthy: (_t, c) => [gauge(PROM.up, target(c), 1), gauge(JMX.downEndpoints, target(c), 0)],
      breach: (_t, c) => [gauge(PROM.up, target(c), 0), gauge(JMX.downEndpoints, target(c), 0)],
    },
  },
};

function latencyP99(operation: "Read" | "Write", thresholds: AlertRule["thresholds"]): AlertRule {
  const op = operation.toLowerCase();
  return {
    name: `Cassandra${operation}LatencyP99`,
    title: `Cassandra coordinator ${op} latency p99 above target`,
    description: `The 99th percentile of CQL ${op}s as the coordinating node measures them (Cassandra's ClientRequest ${operation} latency) is above the stage's target on some node.`,
    firstCheck: "`nodetool tpstats` (blocked/pending stages), pending compactions and GC pauses of the slow node; `nodetool tablehistograms` for wide partitions or tombstones.",
    severity: "warning",
    notify: TEAM,
    area: "cassandra",
    intervalSeconds: 30,
    forSeconds: 600,
    breach: "above",
    thresholds,
    unit: "seconds",
    source: {
      kind: "promql",
      windowSeconds: 0,
      metrics: [JMX.clientRequestLatency],
      // Cassandra's own p99 over its decaying reservoir (about the last 5 minutes), per node.
      query: (c) => `max(${JMX.clientRequestLatency}{${sel(c, `operation="${operation}",quantile="0.99"`)}})`,
      fixture: {
        healthy: (t, c) => [gauge(JMX.clientRequestLatency, target(c, { operation, quantile: "0.99" }), t / 4)],
        breach: (t, c) => [gauge(JMX.clientRequestLatency, target(c, { operation, quantile: "0.99" }), t * 4)],
      },
    },
  };
}

const pendingCompactions: AlertRule = {
  name: "CassandraPendingCompactions",
  title: "Cassandra compactions fall behind",
  description: "A node has more pending compactions than the threshold for a long time: SSTables pile up, reads touch more files and get slower, and disk use grows.",
  firstCheck: "`nodetool compactionstats` and `nodetool getcompactionthroughput` on the node; disk I/O saturation and write rate (a backlog after a bulk load clears by itself).",
  severity: "warning",
  notify: TEAM,
  area: "cassandra",
  intervalSeconds: 60,
  forSeconds: 1800,
  breach: "above",
  thresholds: { local: 100, dev: 100, staging: 50, prod: 30 },
  unit: "count",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [JMX.pendingCompactions],
    query: (c) => `max(${JMX.pendingCompactions}{${sel(c)}})`,
    fixture: {
      healthy: (t, c) => [gauge(JMX.pendingCompactions, target(c), Math.floor(t / 4))],
      breach: (t, c) => [gauge(JMX.pendingCompactions, target(c), t * 4)],
    },
  },
};

const droppedMutations: AlertRule = {
  name: "CassandraDroppedMutations",
  title: "Cassandra drops writes",
  description: "Nodes drop mutations (writes that waited in a queue longer than the write timeout): replicas diverge until hints or repair catch up, and clients may see write timeouts.",
  firstCheck: "`nodetool tpstats` (MutationStage pending/blocked) and the node's GC and disk latency; run a repair of the telemetry keyspace once the load is back to normal.",
  severity: "warning",
  notify: TEAM,
  area: "cassandra",
  intervalSeconds: 30,
  forSeconds: 600,
  breach: "above",
  thresholds: { local: 1, dev: 0.5, staging: 0.1, prod: 0.1 },
  unit: "per second",
  source: {
    kind: "promql",
    windowSeconds: 300,
    metrics: [JMX.droppedMutations],
    query: (c) => `sum(rate(${JMX.droppedMutations}{${sel(c)}}[${c.window}]))`,
    fixture: {
      healthy: (t, c) => [counter(JMX.droppedMutations, target(c), t / 10)],
      breach: (t, c) => [counter(JMX.droppedMutations, target(c), t * 20)],
    },
  },
};

const diskUse: AlertRule = {
  name: "CassandraDiskUsageHigh",
  title: "Cassandra data fills its volume",
  description:
    "A node's live data (StorageService load) is above the threshold share of its data volume: size-tiered compaction needs free space as large as the SSTables it merges, so past about half full a compaction can fill the disk.",
  firstCheck: "`nodetool tablestats` (which table grows), snapshots left behind (`nodetool listsnapshots`), the events table's TTL; then grow the volume (`cassandra.storageGiB`) or add nodes.",
  severity: "warning",
  notify: TEAM,
  area: "cassandra",
  intervalSeconds: 60,
  forSeconds: 900,
  breach: "above",
  thresholds: { local: 0.8, dev: 0.6, staging: 0.5, prod: 0.5 },
  unit: "ratio",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [JMX.loadBytes],
    // Divided by the provisioned volume size (stack config): the JVM sees no file system sizes.
    query: (c) => `max(${JMX.loadBytes}{${sel(c)}}) / ${volume(c)}`,
    fixture: {
      healthy: (t, c) => [gauge(JMX.loadBytes, target(c), Math.floor(volume(c) * t * 0.5))],
      breach: (t, c) => [gauge(JMX.loadBytes, target(c), Math.ceil(volume(c) * Math.min(0.99, (1 + t) / 2)))],
    },
  },
};

const heapPressure: AlertRule = {
  name: "CassandraHeapPressure",
  title: "Cassandra heap nearly full",
  description: "A node's JVM heap stays above the threshold share of -Xmx on average: garbage collection runs back to back, pauses grow, and the node risks an OutOfMemoryError.",
  firstCheck: "GC logs / `nodetool gcstats` of the node; large partitions (`nodetool tablehistograms`), memtable and cache sizes; the heap size in stacks/config/tiers.ts.",
  severity: "warning",
  notify: TEAM,
  area: "cassandra",
  intervalSeconds: 30,
  forSeconds: 600,
  breach: "above",
  thresholds: { local: 0.9, dev: 0.85, staging: 0.85, prod: 0.8 },
  unit: "ratio",
  source: {
    kind: "promql",
    windowSeconds: 300,
    metrics: [JMX.jvmMemoryUsed, JMX.jvmMemoryMax],
    // Averaged over the window: G1 lets the heap fill up between collections by design.
    query: (c) => `max(avg_over_time(${JMX.jvmMemoryUsed}{${sel(c, 'area="heap"')}}[${c.window}]) / ${JMX.jvmMemoryMax}{${sel(c, 'area="heap"')}})`,
    fixture: {
      healthy: (t, c) => heap(c, t * 0.5),
      // Close to full, so that even a spike shorter than the window lifts the average past t.
      breach: (t, c) => heap(c, Math.min(0.995, t + (1 - t) * 0.9)),
    },
  },
};

function heap(c: QueryContext, fraction: number) {
  const max = 1024 ** 3;
  return [gauge(JMX.jvmMemoryUsed, target(c, { area: "heap" }), Math.floor(max * fraction)), gauge(JMX.jvmMemoryMax, target(c, { area: "heap" }), max)];
}

export const CASSANDRA_NODE_DOWN = nodeDown;
/** The JMX-based rules, after the node-down rule and the app's write latency rule. */
export const CASSANDRA_JMX_RULES: readonly AlertRule[] = [
  latencyP99("Read", { local: 2, dev: 0.5, staging: 0.2, prod: 0.1 }),
  latencyP99("Write", { local: 1, dev: 0.25, staging: 0.1, prod: 0.05 }),
  pendingCompactions,
  droppedMutations,
  diskUse,
  heapPressure,
];
