/**
 * Alerts on managed AWS resources, compiled to CloudWatch alarms that notify the SNS topic.
 * No `local` thresholds: the local stack has no AWS resources.
 */
import type { AlertRule } from "./dsl";
import { ONCALL, TEAM } from "./rules-common";

const elastiCacheMemory: AlertRule = {
  name: "ElastiCacheMemoryHigh",
  title: "ElastiCache node memory nearly full",
  description: "An ElastiCache node uses more than the threshold percentage of its memory for data: it evicts L2 cache entries (allkeys-lru).",
  firstCheck: "CloudWatch CurrItems/BytesUsedForCache for the node and the gateway cache TTL; scale the node type in stacks/config/tiers.ts.",
  severity: "warning",
  notify: TEAM,
  area: "elasticache",
  intervalSeconds: 60,
  forSeconds: 300,
  breach: "above",
  thresholds: { dev: 90, staging: 85, prod: 80 },
  unit: "percent",
  source: { kind: "cloudwatch", namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", statistic: "Maximum", dimensionsFrom: "elasticache", treatMissingData: "missing" },
};

const elastiCacheEvictions: AlertRule = {
  name: "ElastiCacheEvictions",
  title: "ElastiCache evicts keys",
  description: "An ElastiCache node evicts more keys per minute than the threshold: the L2 cache is too small and the gateway's hit ratio drops.",
  firstCheck: "DatabaseMemoryUsagePercentage of the same node and gateway_cache_misses_total; size the node type up or shorten TTLs.",
  severity: "warning",
  notify: TEAM,
  area: "elasticache",
  intervalSeconds: 60,
  forSeconds: 600,
  breach: "above",
  thresholds: { dev: 1000, staging: 500, prod: 100 },
  unit: "count",
  source: { kind: "cloudwatch", namespace: "AWS/ElastiCache", metricName: "Evictions", statistic: "Sum", dimensionsFrom: "elasticache", treatMissingData: "notBreaching" },
};

const lb5xx: AlertRule = {
  name: "LoadBalancer5xx",
  title: "Load balancer returns 5xx itself",
  description: "The load balancer generated more 5xx responses per minute than the threshold (no healthy target, target timeouts): requests never reach the gateway.",
  firstCheck: "Target health of the Istio ingress gateway's target group and the ingress gateway pods (`kubectl -n istio-system get pods`).",
  severity: "critical",
  notify: ONCALL,
  area: "loadbalancer",
  intervalSeconds: 60,
  forSeconds: 300,
  breach: "above",
  thresholds: { dev: 50, staging: 20, prod: 10 },
  unit: "count",
  source: { kind: "cloudwatch", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", statistic: "Sum", dimensionsFrom: "loadbalancer", treatMissingData: "notBreaching" },
};

const lbLatency: AlertRule = {
  name: "LoadBalancerTargetLatencyP99",
  title: "Load balancer sees slow targets",
  description: "The p99 of target response time at the load balancer is above the threshold: end-to-end latency as clients see it (TLS and mesh hops included).",
  firstCheck: "GatewayHighP99Latency for the same window: if the gateway is fast, look at the ingress gateway and the mesh hop; if not, follow that alert.",
  severity: "warning",
  notify: TEAM,
  area: "loadbalancer",
  intervalSeconds: 60,
  forSeconds: 600,
  breach: "above",
  thresholds: { dev: 3, staging: 2, prod: 1 },
  unit: "seconds",
  source: { kind: "cloudwatch", namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", statistic: "p99", dimensionsFrom: "loadbalancer", treatMissingData: "notBreaching" },
};

export const AWS_RULES: readonly AlertRule[] = [elastiCacheMemory, elastiCacheEvictions, lb5xx, lbLatency];
