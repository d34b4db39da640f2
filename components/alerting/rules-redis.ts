/**
 * Redis alerts for the in-cluster Redis of the local stage (redis_exporter metrics). ElastiCache
 * stages watch the same signals through CloudWatch (./rules-aws.ts), so these have only a
 * `local` threshold.
 */
import type { AlertRule } from "./dsl";
import { REDIS_EXPORTER_METRICS as REDIS } from "./exporter-metrics";
import { ns, ONCALL, TEAM } from "./rules-common";
import { counter, gauge } from "./synthetic";

const labels = (namespace: string) => ({ namespace, instance: "redis:9121" });
const MAX_BYTES = 256 * 1024 * 1024;

const redisMemory: AlertRule = {
  name: "RedisMemoryHigh",
  title: "Redis is close to maxmemory",
  description: "Redis uses more than the threshold share of its maxmemory: it is about to evict L2 cache entries under the LRU policy.",
  firstCheck: "Key count and TTLs of the gateway's L2 entries (`redis-cli info keyspace`); raise maxmemory or lower the cache TTL.",
  severity: "warning",
  notify: TEAM,
  area: "redis",
  intervalSeconds: 30,
  forSeconds: 300,
  breach: "above",
  thresholds: { local: 0.9 },
  unit: "ratio",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [REDIS.memoryUsed, REDIS.memoryMax],
    // `> 0` drops instances without maxmemory (0 = unlimited), which would divide to +Inf.
    query: (c) => `max(${REDIS.memoryUsed}{${ns(c)}} / (${REDIS.memoryMax}{${ns(c)}} > 0))`,
    fixture: {
      healthy: (t, c) => [gauge(REDIS.memoryUsed, labels(c.namespace), MAX_BYTES * t * 0.5), gauge(REDIS.memoryMax, labels(c.namespace), MAX_BYTES)],
      breach: (t, c) => [gauge(REDIS.memoryUsed, labels(c.namespace), MAX_BYTES * Math.min(0.99, (1 + t) / 2)), gauge(REDIS.memoryMax, labels(c.namespace), MAX_BYTES)],
    },
  },
};

const redisEvictions: AlertRule = {
  name: "RedisEvictions",
  title: "Redis evicts keys",
  description: "Redis evicts more keys per second than the threshold: the L2 cache is too small for the working set and the hit ratio drops.",
  firstCheck: "`redis-cli info memory` (used vs maxmemory) and the gateway's gateway_cache_misses_total: size the cache up or shorten TTLs.",
  severity: "warning",
  notify: TEAM,
  area: "redis",
  intervalSeconds: 30,
  forSeconds: 600,
  breach: "above",
  thresholds: { local: 10 },
  unit: "per second",
  source: {
    kind: "promql",
    windowSeconds: 300,
    metrics: [REDIS.evictedKeys],
    query: (c) => `sum(rate(${REDIS.evictedKeys}{${ns(c)}}[${c.window}]))`,
    fixture: {
      healthy: (t, c) => [counter(REDIS.evictedKeys, labels(c.namespace), t / 10)],
      breach: (t, c) => [counter(REDIS.evictedKeys, labels(c.namespace), t * 20)],
    },
  },
};

const redisDown: AlertRule = {
  name: "RedisDown",
  title: "Redis is unreachable",
  description: "redis_exporter cannot reach Redis, or no exporter is scraped at all (the pod is gone): the gateway runs on its L1 cache only and every L1 miss goes to the telemetry services.",
  firstCheck: "`kubectl -n platform get pods -l app.kubernetes.io/name=redis` and the pod's events (OOMKilled, probe failures).",
  severity: "critical",
  notify: ONCALL,
  area: "redis",
  intervalSeconds: 30,
  forSeconds: 120,
  breach: "below",
  thresholds: { local: 1 },
  unit: "count",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [REDIS.up],
    // `or vector(0)`: without the pod there is no exporter and no redis_up series at all.
    query: (c) => `min(${REDIS.up}{${ns(c)}}) or vector(0)`,
    fixture: {
      healthy: (_t, c) => [gauge(REDIS.up, labels(c.namespace), 1)],
      breach: (_t, c) => [gauge(REDIS.up, labels(c.namespace), 0)],
    },
  },
};

const redisClients: AlertRule = {
  name: "RedisConnectedClientsHigh",
  title: "Redis has too many client connections",
  description: "Redis holds more client connections than the threshold: a client leaks connections (or the gateway scaled far out) and Redis approaches maxclients, after which it refuses new ones.",
  firstCheck: "`redis-cli client list` grouped by address: which pods hold the connections; the gateway's replica count and its Redis client settings.",
  severity: "warning",
  notify: TEAM,
  area: "redis",
  intervalSeconds: 30,
  forSeconds: 300,
  breach: "above",
  thresholds: { local: 1000 },
  unit: "count",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [REDIS.connectedClients],
    query: (c) => `max(${REDIS.connectedClients}{${ns(c)}})`,
    fixture: {
      healthy: (t, c) => [gauge(REDIS.connectedClients, labels(c.namespace), Math.floor(t / 10))],
      breach: (t, c) => [gauge(REDIS.connectedClients, labels(c.namespace), t * 2)],
    },
  },
};

export const REDIS_RULES: readonly AlertRule[] = [redisMemory, redisEvictions, redisDown, redisClients];
