/**
 * Metric names the telemetry services export at /metrics; the alert rules import them.
 */
export const TELEMETRY_METRICS = {
  /** Counter, labels: role, op (ingest | query), status. */
  requests: "telemetry_http_requests_total",
  /** Counter of accepted (written) events. */
  ingestedEvents: "telemetry_ingest_events_total",
  /** Counter of rejected ingest requests, labels: reason. */
  ingestRejected: "telemetry_ingest_rejected_total",
  /** Histogram (seconds) of Cassandra batch write latency. */
  writeLatency: "telemetry_cassandra_write_duration_seconds",
} as const;
