/**
 * The platform's alert rules: with ./rules-cassandra.ts, ./rules-redis.ts and ./rules-aws.ts the one place where
 * alert thresholds live, per stage.
 * Metric names are imported from the apps' contracts and ./exporter-metrics.ts, never retyped.
 * Each PromQL rule carries the synthetic traffic that proves it (see test/alerting/).
 */
import { GATEWAY_METRICS } from "../../apps/gateway/src/metrics/names";
import { TELEMETRY_METRICS } from "../../apps/telemetry/src/metrics/names";
import type { AlertRule, QueryContext } from "./dsl";
import { AWS_RULES } from "./rules-aws";
import { BACKUP_RULES } from "./rules-backup";
import { CASSANDRA_JMX_RULES, CASSANDRA_NODE_DOWN } from "./rules-cassandra";
import { DNS_CACHE_AREA, DNS_CACHE_RUN_NOT_COMPLETED } from "./rules-dns-cache";
import { REDIS_RULES } from "./rules-redis";
import { ONCALL, p99Source, ratioSource, split, TEAM } from "./rules-common";
import { counter } from "./synthetic";

const gateway5xx: AlertRule = {
  name: "GatewayHigh5xxRatio",
  title: "Gateway answers too many requests with 5xx",
  description: "The share of gateway responses with a 5xx status is above the threshold: clients see server errors.",
  firstCheck: "Gateway logs (logType=error) and the telemetry-command/query pods: a failing upstream or Cassandra shows up there first.",
  severity: "critical",
  notify: ONCALL,
  area: "gateway",
  intervalSeconds: 30,
  forSeconds: 300,
  breach: "above",
  thresholds: { local: 0.5, dev: 0.2, staging: 0.05, prod: 0.02 },
  unit: "ratio",
  source: ratioSource({
    windowSeconds: 120,
    bad: { metric: GATEWAY_METRICS.requests, matcher: 'status=~"5.."' },
    all: { metric: GATEWAY_METRICS.requests },
    series: requests5xx,
  }),
};

function requests5xx(c: QueryContext, fraction: number) {
  const labels = (status: string) => ({ namespace: c.namespace, route: "/v1/events", method: "GET", status });
  return split((n) => counter(GATEWAY_METRICS.requests, labels("200"), n), (n) => counter(GATEWAY_METRICS.requests, labels("503"), n), 100, fraction);
}

const gatewayP99: AlertRule = {
  name: "GatewayHighP99Latency",
  title: "Gateway p99 latency above target",
  description: "The 99th percentile of gateway request duration is above the stage's target: the slowest 1% of requests are too slow.",
  firstCheck: "Cache hit ratio (gateway_cache_hits_total vs misses) and telemetry-query latency: a cold or unreachable Redis sends every read to Cassandra.",
  severity: "warning",
  notify: TEAM,
  area: "gateway",
  intervalSeconds: 30,
  forSeconds: 600,
  breach: "above",
  thresholds: { local: 2, dev: 2, staging: 1, prod: 0.5 },
  unit: "seconds",
  source: p99Source({ windowSeconds: 300, metric: GATEWAY_METRICS.latency, labels: { route: "/v1/events", method: "GET" }, perSecond: 50 }),
};

const upstreamFailures: AlertRule = {
  name: "GatewayUpstreamFailures",
  title: "Gateway cannot reach the telemetry services",
  description: "Upstream errors (timeouts, refused connections) per gateway request are above the threshold: the mesh route to telemetry is failing.",
  firstCheck: "Endpoints of the telemetry, telemetry-command and telemetry-query Services and the Istio sidecar logs of the gateway (outlier ejection, mTLS).",
  severity: "critical",
  notify: ONCALL,
  area: "gateway",
  intervalSeconds: 30,
  forSeconds: 300,
  breach: "above",
  thresholds: { local: 0.5, dev: 0.25, staging: 0.1, prod: 0.05 },
  unit: "ratio",
  source: ratioSource({
    windowSeconds: 120,
    bad: { metric: GATEWAY_METRICS.upstreamErrors },
    all: { metric: GATEWAY_METRICS.requests },
    series: upstream,
  }),
};

function upstream(c: QueryContext, fraction: number) {
  return [
    counter(GATEWAY_METRICS.requests, { namespace: c.namespace, route: "/v1/events", method: "GET", status: "200" }, 100),
    counter(GATEWAY_METRICS.upstreamErrors, { namespace: c.namespace, route: "/v1/events", reason: "timeout" }, 100 * fraction),
  ];
}

const ingestRejections: AlertRule = {
  name: "TelemetryIngestRejections",
  title: "Telemetry rejects too many ingest requests",
  description: "The share of ingest requests the command service rejects (validation, size, overload) is above the threshold: producers are losing events.",
  firstCheck: "The `reason` label of telemetry_ingest_rejected_total: validation means a producer change, overload means capacity (HPA, Cassandra).",
  severity: "warning",
  notify: TEAM,
  area: "telemetry",
  intervalSeconds: 60,
  forSeconds: 600,
  breach: "above",
  thresholds: { local: 0.5, dev: 0.25, staging: 0.1, prod: 0.05 },
  unit: "ratio",
  source: ratioSource({
    windowSeconds: 300,
    bad: { metric: TELEMETRY_METRICS.ingestRejected },
    all: { metric: TELEMETRY_METRICS.requests, matcher: 'op="ingest"' },
    series: ingest,
  }),
};

function ingest(c: QueryContext, fraction: number) {
  return [
    counter(TELEMETRY_METRICS.requests, { namespace: c.namespace, role: "command", op: "ingest", status: "202" }, 40),
    counter(TELEMETRY_METRICS.ingestRejected, { namespace: c.namespace, reason: "validation" }, 40 * fraction),
  ];
}

const cassandraWriteLatency: AlertRule = {
  name: "CassandraHighWriteLatency",
  title: "Cassandra write latency p99 above target",
  description: "The 99th percentile of Cassandra batch writes measured by telemetry-command is above the stage's target: ingest slows down and may time out.",
  firstCheck: "Cassandra node load: pending compactions and GC pauses (`nodetool tpstats`, `nodetool compactionstats`) and disk latency of the data volumes.",
  severity: "warning",
  notify: TEAM,
  area: "cassandra",
  intervalSeconds: 30,
  forSeconds: 600,
  breach: "above",
  thresholds: { local: 1, dev: 0.5, staging: 0.25, prod: 0.1 },
  unit: "seconds",
  source: p99Source({ windowSeconds: 300, metric: TELEMETRY_METRICS.writeLatency, labels: { outcome: "ok" }, perSecond: 20 }),
};

/** Every platform alert, in README order. */
export const PLATFORM_ALERT_RULES: readonly AlertRule[] = [
  gateway5xx,
  gatewayP99,
  upstreamFailures,
  ingestRejections,
  CASSANDRA_NODE_DOWN,
  cassandraWriteLatency,
  ...CASSANDRA_JMX_RULES,
  ...BACKUP_RULES,
  ...REDIS_RULES,
  DNS_CACHE_RUN_NOT_COMPLETED,
  ...AWS_RULES,
];

/** What a stack runs beyond the always-deployed workloads. */
export interface DeployedWorkloads {
  /** dns-cache (custom domains configured). */
  readonly dnsCache: boolean;
}

/**
 * The rules for what a stack deploys: dns-cache's only where it runs (its rule treats a missing
 * dns-cache as an outage). The README table and the promtool tests cover the full list.
 */
export function deployedRules(rules: readonly AlertRule[], w: DeployedWorkloads): AlertRule[] {
  return rules.filter((r) => w.dnsCache || r.area !== DNS_CACHE_AREA);
}
