/**
 * Metric names the gateway exports at /metrics. The alert rules import them from here, so a
 * renamed metric breaks the type check instead of silencing an alert.
 */
export const GATEWAY_METRICS = {
  /** Counter, labels: route, method, status. */
  requests: "gateway_http_requests_total",
  /** Histogram (seconds), labels: route, method. */
  latency: "gateway_http_request_duration_seconds",
  /** Counter, labels: level (l1 | l2). */
  cacheHits: "gateway_cache_hits_total",
  /** Counter, labels: route. */
  cacheMisses: "gateway_cache_misses_total",
  /** Counter, labels: route, reason (timeout | refused | other). */
  upstreamErrors: "gateway_upstream_errors_total",
  /** Counter, labels: logType. */
  logEvents: "gateway_log_events_total",
  /** Counter, labels: source (l1 | l2 | dns | none), result (routed | unknown_domain | domain_not_verified | domain_lookup_failed). */
  customDomainRequests: "gateway_custom_domain_requests_total",
} as const;
