/**
 * Metric names dns-cache exports; the alert rule imports them from here (a module without
 * prom-client, so the Pulumi program does not load it).
 */
export const DNS_CACHE_METRICS = {
  /** Counter: domains checked (an answer was had), label result (verified | unverified). */
  checked: "dns_cache_domains_checked_total",
  /** Counter: domains whose lookup got no answer (timeout, SERVFAIL) or whose write failed. */
  failed: "dns_cache_domains_failed_total",
  /** Counter: domains whose verified state or target changed since the previous record. */
  changed: "dns_cache_domains_changed_total",
  /** Histogram (seconds): duration of one run over every domain. */
  runDuration: "dns_cache_run_duration_seconds",
  /** Gauge: Unix time (seconds) at which the last run completed (every domain attempted, Redis reachable). */
  lastSuccess: "dns_cache_last_success_timestamp_seconds",
  /** Gauge: the configured interval, seconds (the alert counts missed runs in intervals). */
  interval: "dns_cache_interval_seconds",
} as const;

