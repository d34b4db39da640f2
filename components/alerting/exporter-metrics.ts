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
} as const;

/**
 * kube-state-metrics (kubernetes/kube-state-metrics, part of kube-prometheus-stack): the
 * Cassandra StatefulSet's desired and ready replicas. A node that is down (crashed, not ready,
 * or its pod unschedulable) shows as desired > ready. This works for any Cassandra metrics
 * agent (JMX exporter, MCAC), because it does not depend on the node being able to export.
 */
export const KUBE_STATE_METRICS = {
  /** Gauge, labels: namespace, statefulset. Desired replicas. */
  statefulSetReplicas: "kube_statefulset_replicas",
  /** Gauge, labels: namespace, statefulset. Replicas whose readiness probe passes. */
  statefulSetReadyReplicas: "kube_statefulset_status_replicas_ready",
} as const;

/** Every exporter metric name a rule may reference. */
export const EXPORTER_METRIC_NAMES: ReadonlySet<string> = new Set<string>([
  ...Object.values(REDIS_EXPORTER_METRICS),
  ...Object.values(KUBE_STATE_METRICS),
]);
