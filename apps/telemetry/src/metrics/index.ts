import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TelemetryObserver } from "../core/types.js";
import { TELEMETRY_METRICS } from "./names.js";

export { TELEMETRY_METRICS } from "./names.js";

export interface TelemetryMetrics extends TelemetryObserver {
  readonly registry: Registry;
  request(op: "ingest" | "query", status: number): void;
  rejected(reason: string): void;
}

/** A registry per server (not prom-client's global one), so tests can run several servers. */
export function createMetrics(role: string, opts: { defaultMetrics?: boolean } = {}): TelemetryMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: TELEMETRY_METRICS.requests,
    help: "HTTP requests by role, operation and status code",
    labelNames: ["role", "op", "status"] as const,
    registers: [registry],
  });
  const ingested = new Counter({
    name: TELEMETRY_METRICS.ingestedEvents,
    help: "Events written to Cassandra and acknowledged",
    registers: [registry],
  });
  const rejected = new Counter({
    name: TELEMETRY_METRICS.ingestRejected,
    help: "Rejected ingest requests by reason",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const writeLatency = new Histogram({
    name: TELEMETRY_METRICS.writeLatency,
    help: "Latency of one Cassandra batch write (seconds)",
    labelNames: ["outcome"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    request: (op, status) => requests.inc({ role, op, status: String(status) }),
    rejected: (reason) => rejected.inc({ reason }),
    ingested: (n) => ingested.inc(n),
    batch: (s, ok) => writeLatency.observe({ outcome: ok ? "ok" : "error" }, s),
  };
}
