import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { DNS_CACHE_METRICS } from "./metric-names.js";

export { DNS_CACHE_METRICS } from "./metric-names.js";

export interface DnsCacheMetrics {
  registry: Registry;
  checked: Counter<"result">;
  failed: Counter<"reason">;
  changed: Counter;
  runDuration: Histogram;
  lastSuccess: Gauge;
  interval: Gauge;
}

export function createDnsCacheMetrics(opts: { defaultMetrics?: boolean; intervalSeconds?: number } = {}): DnsCacheMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const M = DNS_CACHE_METRICS;
  const interval = new Gauge({ name: M.interval, help: "Seconds between two runs (configured)", registers });
  interval.set(opts.intervalSeconds ?? 0);
  return {
    registry,
    interval,
    checked: new Counter({ name: M.checked, help: "Custom domains checked, by result", labelNames: ["result"], registers }),
    failed: new Counter({ name: M.failed, help: "Custom domains not checked (DNS gave no answer, or the write failed), by reason", labelNames: ["reason"], registers }),
    changed: new Counter({ name: M.changed, help: "Custom domains whose verified state or target changed", registers }),
    runDuration: new Histogram({ name: M.runDuration, help: "Duration of one run over every domain, seconds", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers }),
    lastSuccess: new Gauge({ name: M.lastSuccess, help: "Unix time of the last completed run", registers }),
  };
}
