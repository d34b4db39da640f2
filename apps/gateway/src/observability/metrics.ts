import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { GATEWAY_METRICS } from "../metrics/names.js";

export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<"route" | "method" | "status">;
  latency: Histogram<"route" | "method">;
  cacheHits: Counter<"level">;
  cacheMisses: Counter<"route">;
  upstreamErrors: Counter<"route" | "reason">;
  logEvents: Counter<"logType">;
  customDomainRequests: Counter<"source" | "result">;
}

/** One registry per gateway instance, so tests can run several gateways in one process. */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: GATEWAY_METRICS.requests, help: "HTTP requests by route, method and status", labelNames: ["route", "method", "status"], registers }),
    latency: new Histogram({
      name: GATEWAY_METRICS.latency,
      help: "Request duration in seconds, from first byte in to response end",
      labelNames: ["route", "method"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    cacheHits: new Counter({ name: GATEWAY_METRICS.cacheHits, help: "Cache hits by level (l1 | l2)", labelNames: ["level"], registers }),
    cacheMisses: new Counter({ name: GATEWAY_METRICS.cacheMisses, help: "Cache misses by route", labelNames: ["route"], registers }),
    upstreamErrors: new Counter({ name: GATEWAY_METRICS.upstreamErrors, help: "Upstream errors by route and reason", labelNames: ["route", "reason"], registers }),
    logEvents: new Counter({ name: GATEWAY_METRICS.logEvents, help: "Log events by logType", labelNames: ["logType"], registers }),
    customDomainRequests: new Counter({
      name: GATEWAY_METRICS.customDomainRequests,
      help: "Requests on custom domains by where the domain's record came from and the outcome",
      labelNames: ["source", "result"],
      registers,
    }),
  };
}
