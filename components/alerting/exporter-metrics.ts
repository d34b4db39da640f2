/**
 * Metrics the alert rules read that the platform's own apps do not export. Each comes from a
 * standard exporter; the rules import these constants so every name has one documented source.
 * (App metrics come from `apps/gateway/src/metrics/names.ts` and `apps/telemetry/src/metrics/names.ts`.)
 */

/**
 * redis_exporter (oliver006/redis_exporter, the exporter of the Bitnami and prometheus-community
 * charts), scraped next to the in-cluster Redis of the local stage. ElastiCache stages use the
 * CloudWatch metrics in ./cloudwatch-metrics.ts instead.
 */
export const REDIS_EXPORTER_METRICS = {
  /** Gauge: 1 when the exporter could reach Redis on its last scrape. */
  up: "redis_up",
  /** Gauge: `used_memory` from INFO memory, bytes. */
  memoryUsed: "redis_memory_used_bytes",
  /** Gauge: `maxmemory`, bytes (0 = no limit). */
  memoryMax: "redis_memory_max_bytes",
  /** Counter: `evicted_keys` from INFO stats. */
  evictedKeys: "redis_evicted_keys_total",
  /** Gauge: client connections (INFO clients `connected_clients`). */
  connectedClients: "redis_connected_clients",
} as const;

/**
 * The Prometheus JMX exporter Java agent in the Cassandra pods (components/cassandra/metrics.ts):
 * names its config renames Cassandra's MBeans to, plus the JVM metrics the agent always adds.
 */
export const CASSANDRA_JMX_METRICS = {
  /** Gauge, labels: operation (read|write), quantile ("0.99"). Coordinator latency, seconds. */
  clientRequestLatency: "cassandra_client_request_latency_seconds",
  /** Gauge: compactions waiting to run on the node. */
  pendingCompactions: "cassandra_compaction_pending_tasks",
  /** Counter: mutations dropped because they timed out in a queue (load shedding). */
  droppedMutations: "cassandra_dropped_mutations_total",
  /** Gauge: live data on disk, bytes (StorageService load, summed over keyspaces). */
  loadBytes: "cassandra_storage_load_bytes",
  /** Gauge: peers this node's failure detector marks down (sees nodes that cannot report). */
  downEndpoints: "cassandra_failure_detector_down_endpoints",
  /** Gauge, label area (heap|nonheap): JVM memory in use, bytes. */
  jvmMemoryUsed: "jvm_memory_used_bytes",
  /** Gauge, label area: the JVM's memory limit, bytes (-Xmx for the heap). */
  jvmMemoryMax: "jvm_memory_max_bytes",
} as const;

/**
 * Prometheus itself: `up` is the health of every scrape (1 = the target answered), written
 * by Prometheus for each target of a PodMonitor; the job label is `<namespace>/<PodMonitor>`.
 */
export const PROMETHEUS_METRICS = {
  up: "up",
} as const;

/**
 * kube-state-metrics (part of kube-prometheus-stack): CronJob status. The backup and repair
 * CronJobs fail unless every node succeeded, so their last successful time is the last good
 * backup / repair of the whole data centre.
 */
export const KUBE_STATE_METRICS = {
  /** Gauge, labels namespace, cronjob: Unix time of the CronJob's last successful run (absent before the first). */
  cronJobLastSuccess: "kube_cronjob_status_last_successful_time",
  /** Gauge, labels namespace, cronjob: Unix time the CronJob was created. */
  cronJobCreated: "kube_cronjob_created",
} as const;

/** Every exporter metric name a rule may reference. */
export const EXPORTER_METRIC_NAMES: ReadonlySet<string> = new Set<string>([
  ...Object.values(REDIS_EXPORTER_METRICS),
  ...Object.values(CASSANDRA_JMX_METRICS),
  ...Object.values(PROMETHEUS_METRICS),
  ...Object.values(KUBE_STATE_METRICS),
]);
