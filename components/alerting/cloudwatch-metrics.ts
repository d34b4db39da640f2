/**
 * The CloudWatch metrics the alarms may use, per namespace, with the one dimension that names
 * the resource. Kept small and explicit so a typo in a rule is a validation error instead of an
 * alarm that watches a metric nobody publishes (it would sit in INSUFFICIENT_DATA forever).
 *
 * - AWS/ElastiCache (Redis OSS / Valkey): host and engine metrics are published per member
 *   cluster, dimension `CacheClusterId` (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html).
 * - AWS/ApplicationELB: load-balancer-level metrics, dimension `LoadBalancer` = the ARN suffix
 *   `app/<name>/<id>` (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
 *   Target-group metrics (UnHealthyHostCount, ...) need a `TargetGroup` dimension too and are
 *   deliberately absent.
 */
export const CLOUDWATCH_METRICS = {
  "AWS/ElastiCache": {
    resource: "elasticache",
    dimension: "CacheClusterId",
    metrics: [
      "DatabaseMemoryUsagePercentage",
      "Evictions",
      "EngineCPUUtilization",
      "CPUUtilization",
      "CurrConnections",
      "NewConnections",
      "FreeableMemory",
      "BytesUsedForCache",
      "ReplicationLag",
      "CacheHits",
      "CacheMisses",
      "NetworkBytesIn",
      "NetworkBytesOut",
      "SwapUsage",
    ],
  },
  "AWS/ApplicationELB": {
    resource: "loadbalancer",
    dimension: "LoadBalancer",
    metrics: [
      "HTTPCode_ELB_5XX_Count",
      "HTTPCode_ELB_4XX_Count",
      "HTTPCode_Target_5XX_Count",
      "TargetResponseTime",
      "RequestCount",
      "RejectedConnectionCount",
      "TargetConnectionErrorCount",
      "ActiveConnectionCount",
      "NewConnectionCount",
      "ProcessedBytes",
    ],
  },
} as const satisfies Record<string, { resource: "elasticache" | "loadbalancer"; dimension: string; metrics: readonly string[] }>;

export type CloudWatchNamespace = keyof typeof CLOUDWATCH_METRICS;

/**
 * Member cluster ids of a cluster-mode-disabled replication group: ElastiCache names them
 * `<replicationGroupId>-001`, `-002`, ... in creation order.
 */
export function memberClusterIds(replicationGroupId: string, nodeCount: number): string[] {
  return Array.from({ length: nodeCount }, (_, i) => `${replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
}
