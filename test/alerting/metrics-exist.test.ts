/**
 * Issue #7: the metrics the rules query exist. Every metric name in a rule's PromQL is one the
 * gateway or the telemetry services export at /metrics (checked against real servers on
 * loopback) or a documented exporter metric (components/alerting/exporter-metrics.ts).
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../apps/gateway/src/config/index";
import { GATEWAY_METRICS } from "../../apps/gateway/src/metrics/names";
import { createGateway, type Gateway } from "../../apps/gateway/src/server";
import { loadTelemetryConfig } from "../../apps/telemetry/src/config/index";
import { TELEMETRY_METRICS } from "../../apps/telemetry/src/metrics/names";
import { createTelemetryServer, type TelemetryServer } from "../../apps/telemetry/src/server";
import { loadDnsCacheConfig } from "../../apps/dns-cache/src/config";
import { DNS_CACHE_METRICS } from "../../apps/dns-cache/src/metric-names";
import { createDnsCacheService, type DnsCacheService } from "../../apps/dns-cache/src/service";
import { EXPORTER_METRIC_NAMES } from "../../components/alerting/exporter-metrics";
import { isPromQl, queryContext } from "../../components/alerting/promql";
import { PLATFORM_ALERT_RULES } from "../../components/alerting/rules";

const promqlRules = PLATFORM_ALERT_RULES.filter(isPromQl);
const GATEWAY = new Set<string>(Object.values(GATEWAY_METRICS));
const TELEMETRY = new Set<string>(Object.values(TELEMETRY_METRICS));
const DNS_CACHE = new Set<string>(Object.values(DNS_CACHE_METRICS));

/** Metric names an expression selects (`name{...}`), histogram series suffixes folded. */
function referencedMetrics(expr: string): string[] {
  const names = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]!);
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, "")))];
}

/** `# TYPE` declarations and sample names of a Prometheus text exposition. */
function parseExposition(text: string) {
  const types = new Map<string, string>();
  const samples = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    else if (line && !line.startsWith("#")) samples.add(line.split(/[{ ]/)[0]!);
  }
  return { types, samples };
}

const ruleMetrics = (family: Set<string>) => [...new Set(promqlRules.flatMap((r) => r.source.metrics))].filter((m) => family.has(m));

describe("metric names in the rules", () => {
  it.each(promqlRules.map((r) => [r.name, r] as const))("%s lists exactly the metrics its query reads", (_n, rule) => {
    const expr = rule.source.query(queryContext(rule, "platform"));
    expect(referencedMetrics(expr).sort()).toEqual([...rule.source.metrics].sort());
  });

  it("every metric is an app metric or a documented exporter metric", () => {
    const unknown = promqlRules.flatMap((r) => r.source.metrics.filter((m) => !GATEWAY.has(m) && !TELEMETRY.has(m) && !DNS_CACHE.has(m) && !EXPORTER_METRIC_NAMES.has(m)).map((m) => `${r.name}: ${m}`));
    expect(unknown).toEqual([]);
  });

  it("the rules read app metrics of both apps (the running-instance checks below are not vacuous)", () => {
    expect(ruleMetrics(GATEWAY).length).toBeGreaterThan(0);
    expect(ruleMetrics(TELEMETRY).length).toBeGreaterThan(0);
    expect(ruleMetrics(DNS_CACHE).length).toBeGreaterThan(0);
  });
});

describe("running apps export every app metric a rule reads", () => {
  let upstream: Server;
  let gateway: Gateway;
  let telemetry: TelemetryServer;
  let telemetryUrl: string;
  let dnsCache: DnsCacheService;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end("ok")).listen(0, "127.0.0.1");
    await once(upstream, "listening");
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    // Port 9 (discard) on loopback: nothing listens, so the proxy records an upstream error.
    const routes = [
      { prefix: "/v1/events", upstream: upstreamUrl, kind: "buffered", auth: false },
      { prefix: "/down", upstream: "http://127.0.0.1:9", kind: "stream", auth: false },
    ];
    // No REDIS_HOST: the gateway runs on its L1 cache only.
    const gwConfig = loadGatewayConfig({ REGION: "local", STAGE: "local", ROUTES: JSON.stringify(routes), LOG_LEVEL: "silent" });
    gateway = createGateway(gwConfig, { host: "127.0.0.1", port: 0, defaultMetrics: false, logDestination: pino.destination("/dev/null") });
    await gateway.start();

    // Cassandra is not needed for /metrics; the lazy client never connects here.
    const tConfig = loadTelemetryConfig({
      TELEMETRY_ROLE: "command",
      CASSANDRA_CONTACT_POINTS: "127.0.0.1",
      CASSANDRA_PORT: "9",
      CASSANDRA_LOCAL_DC: "local",
      CASSANDRA_KEYSPACE: "telemetry",
    });
    telemetry = createTelemetryServer({ config: tConfig, log: pino({ level: "silent" }), defaultMetrics: false });
    telemetryUrl = `http://127.0.0.1:${await telemetry.listen(0, "127.0.0.1")}`;

    // An empty registry: the run completes without touching Redis (port 9: nothing answers).
    dnsCache = createDnsCacheService(
      loadDnsCacheConfig({ CUSTOM_DOMAINS: "{}", PUBLIC_HOST: "api.platform.example", REDIS_HOST: "127.0.0.1", REDIS_PORT: "9", METRICS_PORT: "0", LOG_LEVEL: "silent" }),
      { host: "127.0.0.1", logDestination: pino.destination("/dev/null"), defaultMetrics: false },
    );
    await dnsCache.start();
    await dnsCache.settled();

    // Traffic so labelled series have samples: a proxied read, an upstream failure, a rejection.
    await fetch(`${gateway.url}/v1/events/x`).then((r) => r.text());
    await fetch(`${gateway.url}/down/x`).then((r) => r.text());
    await fetch(`${telemetryUrl}/v1/events/ingest`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }).then((r) => r.text());
  });

  afterAll(async () => {
    await gateway?.stop();
    await telemetry?.shutdown(1000);
    await dnsCache?.stop();
    upstream?.closeAllConnections();
    await new Promise((r) => upstream?.close(r));
  });

  async function assertExports(url: string, metrics: string[]) {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    const { types, samples } = parseExposition(await res.text());
    const missing = metrics.filter((m) => !types.has(m));
    expect(missing, `not declared at ${url}/metrics`).toEqual([]);
    // Rules read histograms through `_bucket` and counters through rate(): check the types match.
    for (const m of metrics) expect([m, types.get(m)]).toEqual([m, m.endsWith("_seconds") ? "histogram" : "counter"]);
    return samples;
  }

  it("gateway", async () => {
    const metrics = ruleMetrics(GATEWAY);
    const samples = await assertExports(gateway.url, metrics);
    // The traffic above produced samples for every gateway metric the rules read.
    const expected = metrics.map((m) => (m.endsWith("_seconds") ? `${m}_bucket` : m));
    expect(expected.filter((s) => !samples.has(s))).toEqual([]);
  });

  it("telemetry (command)", async () => {
    const metrics = ruleMetrics(TELEMETRY);
    const samples = await assertExports(telemetryUrl, metrics);
    // Without Cassandra no write is timed; the counters have samples from the rejected request.
    expect(metrics.filter((m) => !m.endsWith("_seconds") && !samples.has(m))).toEqual([]);
  });

  it("dns-cache", async () => {
    const res = await fetch(`${dnsCache.url}/metrics`);
    const { types, samples } = parseExposition(await res.text());
    // Both are gauges (a timestamp and the configured interval), read as instant values.
    for (const m of ruleMetrics(DNS_CACHE)) {
      expect([m, types.get(m)]).toEqual([m, "gauge"]);
      expect(samples.has(m), m).toBe(true);
    }
  });
});
