import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Metric names dns-cache exports; the alert rule imports them from here. */
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
} as const;

export interface DnsCacheMetrics {
  registry: Registry;
  checked: Counter<"result">;
  failed: Counter<"reason">;
  changed: Counter;
  runDuration: Histogram;
  lastSuccess: Gauge;
}

export function createDnsCacheMetrics(opts: { defaultMetrics?: boolean } = {}): DnsCacheMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const M = DNS_CACHE_METRICS;
  return {
    registry,
    checked: new Counter({ name: M.checked, help: "Custom domains checked, by result", labelNames: ["result"], registers }),
    failed: new Counter({ name: M.failed, help: "Custom domains not checked (DNS gave no answer, or the write failed), by reason", labelNames: ["reason"], registers }),
    changed: new Counter({ name: M.changed, help: "Custom domains whose verified state or target changed", registers }),
    runDuration: new Histogram({ name: M.runDuration, help: "Duration of one run over every domain, seconds", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers }),
    lastSuccess: new Gauge({ name: M.lastSuccess, help: "Unix time of the last completed run", registers }),
  };
}
