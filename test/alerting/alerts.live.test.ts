/**
 * Issue #19, end to end: the real Prometheus and Alertmanager (Debian packages) on loopback
 * scrape what the stack's PodMonitors describe (the gateway, both telemetry roles, a Cassandra
 * node with the JMX exporter agent, Redis with redis_exporter) and evaluate the local stage's
 * rules. Faults (Cassandra stopped, the upstream answering 5xx, Redis killed) must each fire
 * their alert, reach an Alertmanager webhook receiver, and resolve after recovery; every metric
 * a rule names must be in a real scrape.
 *
 * Timing: scrape and evaluation every 1s, `for:` 2s, rate windows 10s (see fastRules), so the
 * whole run is bounded by Cassandra's start (~45s) and restart. Thresholds are the local ones.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "cassandra-driver";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../apps/gateway/src/config/index";
import { createGateway, type Gateway } from "../../apps/gateway/src/server";
import { loadTelemetryConfig } from "../../apps/telemetry/src/config/index";
import { renderSchemaCql, splitCqlStatements } from "../../apps/telemetry/src/schema";
import { createTelemetryServer, type TelemetryServer } from "../../apps/telemetry/src/server";
import { MONITORS, monitorJob, platformScrapeTargets, podMonitorObject, DEFAULT_PROMETHEUS_SELECTOR_LABELS } from "../../components/alerting/monitors";
import { isPromQl } from "../../components/alerting/promql";
import { deployedRules, PLATFORM_ALERT_RULES } from "../../components/alerting/rules";
import { rulesForStage } from "../../components/alerting/dsl";
import { JMX_EXPORTER_CONFIG, JMX_EXPORTER_SHA256, JMX_EXPORTER_VERSION } from "../../components/cassandra/metrics";
import { REDIS_EXPORTER_VERSION } from "../../components/redis/exporter";
import {
  ALERTMANAGER_BIN,
  alertmanagerConfig,
  jmxExporterJar,
  PORTS,
  PROMETHEUS_BIN,
  prometheusConfig,
  redisExporterBin,
  requireTool,
  rulesFile,
  scrapeConfigs,
  scriptVersion,
  sleep,
  startProc,
  startWebhook,
  tail,
  waitFor,
  writeFiles,
  type Notification,
  type Proc,
} from "./live-harness";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const NAMESPACE = "platform";
const KEYSPACE = "telemetry_alerting";
const DC = "datacenter1";
// The local stack as shipped: no custom domains, so no dns-cache and none of its rules.
const LIVE_RULES = deployedRules(PLATFORM_ALERT_RULES, { dnsCache: false });
const LOCAL_RULES = rulesForStage(LIVE_RULES, "local").filter(isPromQl);

const dir = mkdtempSync(join(tmpdir(), "alerting-live-"));
const cassandraEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CASSANDRA_CQL_PORT: String(PORTS.cql),
  CASSANDRA_STORAGE_PORT: String(PORTS.storage),
  CASSANDRA_STATE_DIR: join(ROOT, ".state", `cassandra-alerting-${PORTS.cql}`),
  CASSANDRA_HEAP: "512M",
  CASSANDRA_START_TIMEOUT_S: "150",
};
const cassandra = (cmd: string) => run("bash", [join(ROOT, "scripts", "cassandra.sh"), ...cmd.split(" ")], { env: cassandraEnv, timeout: 200_000 });

let prometheus: Proc;
let alertmanager: Proc;
let redis: Proc;
let redisExporter: Proc;
let webhook: { server: Server; notifications: Notification[] };
let upstream: Server;
let upstream5xx = false;
let gateway: Gateway;
let telemetry: TelemetryServer[] = [];
let traffic: NodeJS.Timeout | undefined;

const promUrl = `http://127.0.0.1:${PORTS.prometheus}`;

async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== "success") throw new Error(`query failed: ${expr}`);
  return body.data.result;
}

const firingAlerts = async () => (await promQuery('ALERTS{alertstate="firing"}')).map((r) => r.metric["alertname"]!).sort();

function startRedis(): Proc {
  return startProc("redis-server", ["--port", String(PORTS.redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru", "--requirepass", "alerting-live"], join(dir, "redis.log"));
}

async function startTelemetry(role: "command" | "query"): Promise<{ server: TelemetryServer; address: string }> {
  const config = loadTelemetryConfig({
    TELEMETRY_ROLE: role,
    CASSANDRA_CONTACT_POINTS: "127.0.0.1",
    CASSANDRA_PORT: String(PORTS.cql),
    CASSANDRA_LOCAL_DC: DC,
    CASSANDRA_KEYSPACE: KEYSPACE,
  });
  const server = createTelemetryServer({ config, log: pino({ level: "silent" }), defaultMetrics: false });
  const port = await server.listen(0, "127.0.0.1");
  return { server, address: `127.0.0.1:${port}` };
}

beforeAll(async () => {
  requireTool(PROMETHEUS_BIN, "prometheus (Debian package)");
  requireTool(ALERTMANAGER_BIN, "prometheus-alertmanager (Debian package)");
  const jar = jmxExporterJar();
  const exporterBin = redisExporterBin();

  // Cassandra first: it takes longest. The agent serves the same config the pods mount.
  writeFiles(dir, { "jmx-exporter.yaml": JMX_EXPORTER_CONFIG });
  cassandraEnv["CASSANDRA_JVM_EXTRA_OPTS"] = `-javaagent:${jar}=127.0.0.1:${PORTS.jmx}:${join(dir, "jmx-exporter.yaml")}`;
  const cassandraUp = cassandra("start").then((r) => {
    // An already running node on these ports would lack the agent (or be someone else's).
    if (r.stdout.trim() !== "launched") throw new Error(`a Cassandra already answers on ${PORTS.cql}; set ALERTING_CASSANDRA_CQL_PORT`);
  });

  redis = startRedis();
  redisExporter = startProc(exporterBin, ["-redis.addr", `redis://127.0.0.1:${PORTS.redis}`, "-web.listen-address", `127.0.0.1:${PORTS.redisExporter}`], join(dir, "redis-exporter.log"), {
    ...process.env,
    REDIS_PASSWORD: "alerting-live",
  });
  webhook = await startWebhook(PORTS.webhook);

  upstream = createServer((_req, res) => {
    res.statusCode = upstream5xx ? 503 : 200;
    res.end(upstream5xx ? "unavailable" : "ok");
  }).listen(0, "127.0.0.1");
  await new Promise((r) => upstream.once("listening", r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const routes = [
    { prefix: "/v1/events", upstream: upstreamUrl, kind: "buffered", auth: false },
    // Nothing listens on the discard port: one request records an upstream error series.
    { prefix: "/down", upstream: "http://127.0.0.1:9", kind: "stream", auth: false },
  ];
  gateway = createGateway(loadGatewayConfig({ REGION: "local", STAGE: "local", ROUTES: JSON.stringify(routes), LOG_LEVEL: "silent" }), {
    host: "127.0.0.1",
    port: 0,
    defaultMetrics: false,
    logDestination: pino.destination("/dev/null"),
  });
  await gateway.start();

  await cassandraUp;
  const client = new Client({ contactPoints: ["127.0.0.1"], protocolOptions: { port: PORTS.cql }, localDataCenter: DC });
  try {
    await client.connect();
    for (const s of splitCqlStatements(renderSchemaCql({ keyspace: KEYSPACE, replication: { [DC]: 1 }, defaultTtlSeconds: 3600 }))) await client.execute(s);
  } finally {
    await client.shutdown();
  }
  const command = await startTelemetry("command");
  const query = await startTelemetry("query");
  telemetry = [command.server, query.server];

  // Scrape targets from the PodMonitors the stack declares; rules compiled for the local stack.
  const monitors = platformScrapeTargets().map((t) => podMonitorObject(t, NAMESPACE, DEFAULT_PROMETHEUS_SELECTOR_LABELS));
  const gatewayAddress = new URL(gateway.url).host;
  const scrape = scrapeConfigs(monitors, {
    [MONITORS.gateway]: [{ address: gatewayAddress, path: "/metrics", pod: "gateway-0" }],
    [MONITORS.telemetry]: [
      { address: command.address, path: "/metrics", pod: "telemetry-command-0" },
      { address: query.address, path: "/metrics", pod: "telemetry-query-0" },
    ],
    [MONITORS.cassandra]: [{ address: `127.0.0.1:${PORTS.jmx}`, path: "/metrics", pod: "cassandra-rack1-0" }],
    [MONITORS.redis]: [{ address: `127.0.0.1:${PORTS.redisExporter}`, path: "/metrics", pod: "redis-0" }],
  });
  writeFiles(dir, {
    "prometheus.yml": prometheusConfig(scrape, PORTS.alertmanager),
    // The local stack's data volume size (tiers: local cassandra.storageGiB 5).
    "rules.yml": rulesFile(LIVE_RULES, { stage: "local", region: "local", namespace: NAMESPACE, cassandraVolumeGiB: 5 }),
    "alertmanager.yml": alertmanagerConfig(PORTS.webhook),
  });
  alertmanager = startProc(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "am-data")}`, `--web.listen-address=127.0.0.1:${PORTS.alertmanager}`, "--cluster.listen-address="],
    join(dir, "alertmanager.log"),
  );
  prometheus = startProc(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "prom-data")}`, `--web.listen-address=127.0.0.1:${PORTS.prometheus}`],
    join(dir, "prometheus.log"),
  );

  // Steady traffic: gateway reads through the upstream, ingests into Cassandra, one rejection.
  let n = 0;
  const ingest = (body: string) => fetch(`http://${command.address}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.text());
  await fetch(`${gateway.url}/down/x`).then((r) => r.text());
  await ingest('{"events": [');
  traffic = setInterval(() => {
    n += 1;
    void fetch(`${gateway.url}/v1/events/${n}`).then((r) => r.text()).catch(() => undefined);
    if (n % 5 === 0) void ingest(JSON.stringify({ events: [{ level: "info", message: `m${n}`, source: "alerting-live" }] })).catch(() => undefined);
  }, 50);

  await waitFor("Prometheus and Alertmanager ready", async () => {
    const [p, a] = await Promise.all([fetch(`${promUrl}/-/ready`), fetch(`http://127.0.0.1:${PORTS.alertmanager}/-/ready`)]);
    return p.ok && a.ok ? true : undefined;
  }, 30_000);
}, 300_000);

afterAll(async () => {
  if (traffic) clearInterval(traffic);
  await Promise.allSettled([prometheus?.stop(), alertmanager?.stop(), redisExporter?.stop(), redis?.stop()]);
  await gateway?.stop();
  await Promise.allSettled(telemetry.map((t) => t.shutdown(1000)));
  upstream?.closeAllConnections();
  await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
  await new Promise((r) => (webhook ? webhook.server.close(r) : r(undefined)));
  // The node is this test's own (own state dir): always stopped.
  await cassandra("stop").catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** Waits for the webhook to receive `status` for `alertname` after `since`; returns the delay in ms. */
async function notified(alertname: string, status: Notification["status"], since: number, timeoutMs: number): Promise<number> {
  const hit = await waitFor(
    `${status} notification of ${alertname} (received: ${JSON.stringify(webhook.notifications.map((x) => `${x.alertname}:${x.status}`))}; prometheus log:\n${tail(prometheus.log, 5)})`,
    async () => webhook.notifications.find((x) => x.alertname === alertname && x.status === status && x.at >= since),
    timeoutMs,
  );
  return hit.at - since;
}

const timings: Record<string, { fire: number; resolve: number }> = {};
/** Alert names that went firing during each fault, from its injection to its recovery. */
const firedDuring: Record<string, string[]> = {};
const firingSince = (t: number) => [...new Set(webhook.notifications.filter((x) => x.status === "firing" && x.at >= t).map((x) => x.alertname))].sort();

describe("alerts on a real Prometheus + Alertmanager", () => {
  it("pins the same agent and exporter versions as the installers (and the jar the pods fetch)", () => {
    expect(scriptVersion("jmx-exporter.sh", "JMX_EXPORTER_VERSION")).toBe(JMX_EXPORTER_VERSION);
    expect(createHash("sha256").update(readFileSync(jmxExporterJar())).digest("hex")).toBe(JMX_EXPORTER_SHA256);
    expect(scriptVersion("redis-exporter.sh", "REDIS_EXPORTER_VERSION")).toBe(REDIS_EXPORTER_VERSION);
  });

  it("scrapes every PodMonitor's targets and nothing fires while healthy", async () => {
    const health = await waitFor(
      "every target up",
      async () => {
        const r = await promQuery("up");
        return r.length === 5 && r.every((s) => s.value[1] === "1") ? r : undefined;
      },
      60_000,
    );
    // The local stack's PodMonitors (no dns-cache without custom domains), as prometheus-operator names their jobs.
    expect(new Set(health.map((s) => s.metric["job"]))).toEqual(new Set(platformScrapeTargets().map((t) => monitorJob(NAMESPACE, t.name))));
    // Rate windows need a few scrapes; then the healthy platform has no alert firing.
    await sleep(12_000);
    expect(await firingAlerts()).toEqual([]);
  }, 120_000);

  it("every metric a local rule names is in a real scrape", async () => {
    const missing: string[] = [];
    for (const rule of LOCAL_RULES) {
      for (const metric of rule.source.metrics) {
        // Histograms are read through their `_bucket` series.
        const found = await promQuery(`count({__name__=~"${metric}(_bucket)?",namespace="${NAMESPACE}"})`);
        if (found.length === 0) missing.push(`${rule.name}: ${metric}`);
      }
    }
    expect(missing).toEqual([]);
    expect(LOCAL_RULES.length).toBeGreaterThanOrEqual(12);
  }, 60_000);

  it("Cassandra stopped: CassandraNodeDown fires, reaches the webhook, resolves after restart", async () => {
    const t0 = Date.now();
    await cassandra("stop");
    const fire = await notified("CassandraNodeDown", "firing", t0, 60_000);
    const t1 = Date.now();
    await cassandra("start");
    const resolve = await notified("CassandraNodeDown", "resolved", t1, 60_000);
    timings["CassandraNodeDown"] = { fire, resolve };
    firedDuring["cassandra"] = firingSince(t0);
  }, 300_000);

  it("upstream answering 5xx: GatewayHigh5xxRatio fires and resolves when it recovers", async () => {
    const t0 = Date.now();
    upstream5xx = true;
    const fire = await notified("GatewayHigh5xxRatio", "firing", t0, 60_000);
    const t1 = Date.now();
    upstream5xx = false;
    const resolve = await notified("GatewayHigh5xxRatio", "resolved", t1, 60_000);
    timings["GatewayHigh5xxRatio"] = { fire, resolve };
    firedDuring["upstream"] = firingSince(t0);
  }, 150_000);

  it("Redis killed: RedisDown fires and resolves when Redis is back", async () => {
    const t0 = Date.now();
    await redis.stop("SIGKILL");
    const fire = await notified("RedisDown", "firing", t0, 60_000);
    const t1 = Date.now();
    redis = startRedis();
    const resolve = await notified("RedisDown", "resolved", t1, 60_000);
    timings["RedisDown"] = { fire, resolve };
    firedDuring["redis"] = firingSince(t0);
  }, 150_000);

  it("each fault fired only its own alerts", () => {
    console.info(`fault -> webhook notification (ms): ${JSON.stringify(timings)}`);
    expect(firedDuring).toEqual({
      // With the only node down every ingest fails too: the command side rejects them.
      cassandra: ["CassandraNodeDown", "TelemetryIngestRejections"],
      upstream: ["GatewayHigh5xxRatio"],
      redis: ["RedisDown"],
    });
  });
});
