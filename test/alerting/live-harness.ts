/**
 * Harness of the alerting live test: the real Prometheus and Alertmanager (Debian packages),
 * a webhook receiver, and the scrape/rule config derived from what the stacks declare
 * (PodMonitors of components/alerting/monitors.ts, rules compiled for the local stage).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { homedir } from "node:os";
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AlertRule } from "../../components/alerting/dsl";
import { compileGroups, type CompileContext } from "../../components/alerting/promql";
import type { KubeObject } from "../../components/shared/kube";

/** Ports from env, defaults clear of the shared 9042/7000/6390 (CI runs one process at a time). */
export const PORTS = {
  prometheus: Number(process.env["ALERTING_PROMETHEUS_PORT"] ?? 19090),
  alertmanager: Number(process.env["ALERTING_ALERTMANAGER_PORT"] ?? 19093),
  webhook: Number(process.env["ALERTING_WEBHOOK_PORT"] ?? 19094),
  redis: Number(process.env["ALERTING_REDIS_PORT"] ?? 6690),
  redisExporter: Number(process.env["ALERTING_REDIS_EXPORTER_PORT"] ?? 19121),
  cql: Number(process.env["ALERTING_CASSANDRA_CQL_PORT"] ?? 9642),
  storage: Number(process.env["ALERTING_CASSANDRA_STORAGE_PORT"] ?? 7600),
  jmx: Number(process.env["ALERTING_JMX_EXPORTER_PORT"] ?? 19500),
};

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";

/** Fails with one line naming the tool when it is not installed. */
export function requireTool(path: string, name: string): string {
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}: run \`npm run setup\``);
  return path;
}

const ROOT = join(__dirname, "..", "..");
const CACHE = process.env["PLATFORM_CACHE_DIR"] ?? join(homedir(), ".cache", "platform");

/** A `NAME="value"` assignment in an installer script (the one place its version is pinned). */
export function scriptVersion(script: string, variable: string): string {
  const m = new RegExp(`^${variable}="([^"]+)"`, "m").exec(readFileSync(join(ROOT, "scripts", script), "utf8"));
  if (!m) throw new Error(`scripts/${script} does not set ${variable}`);
  return m[1]!;
}

/** The JMX exporter agent jar scripts/jmx-exporter.sh caches (tests never download it). */
export function jmxExporterJar(): string {
  const jar = join(CACHE, `jmx-exporter-${scriptVersion("jmx-exporter.sh", "JMX_EXPORTER_VERSION")}`, "jmx_prometheus_javaagent.jar");
  return requireTool(jar, "jmx_prometheus_javaagent (scripts/jmx-exporter.sh)");
}

/** The redis_exporter binary scripts/redis-exporter.sh builds. */
export function redisExporterBin(): string {
  const v = scriptVersion("redis-exporter.sh", "REDIS_EXPORTER_VERSION");
  return requireTool(join(CACHE, "bin", `redis_exporter-${v}`, "redis_exporter"), "redis_exporter (scripts/redis-exporter.sh)");
}

/**
 * The rules with test timing: every group evaluated each second, `for:` 2s and rate windows
 * of 10s (1s scrapes), so a fault shows within seconds. Queries, thresholds and labels are the
 * local stage's, compiled by the same code as the stack's PrometheusRule.
 */
export function fastRules(rules: readonly AlertRule[]): AlertRule[] {
  return rules.map((r) =>
    r.source.kind !== "promql"
      ? r
      : { ...r, intervalSeconds: 1, forSeconds: 2, source: { ...r.source, windowSeconds: r.source.windowSeconds > 0 ? 10 : 0 } },
  );
}

export function rulesFile(rules: readonly AlertRule[], ctx: CompileContext): string {
  return stringify({ groups: compileGroups(fastRules(rules), ctx) });
}

/** Where one PodMonitor's pods answer on loopback (the test's stand-in for the pod IPs). */
export interface LocalTarget {
  readonly address: string;
  /** Path on the local process; a meshed pod's `/stats/prometheus` is the app's `/metrics` merged with Envoy's. */
  readonly path: string;
  readonly pod: string;
}

/**
 * Prometheus scrape configs for PodMonitors, as prometheus-operator renders them but with static
 * loopback targets: job `<namespace>/<name>`, the `namespace` and `pod` labels it adds. Meshed
 * endpoints (the sidecar's merged `:15020/stats/prometheus`) are scraped on the app's own
 * `/metrics` locally: there is no sidecar here, and the app metrics are what the agent merges.
 */
export function scrapeConfigs(podMonitors: readonly KubeObject[], targets: Readonly<Record<string, readonly LocalTarget[]>>, intervalSeconds = 1) {
  return podMonitors.map((pm) => {
    const name = pm.metadata.name;
    const local = targets[name];
    if (!local || local.length === 0) throw new Error(`no local target for PodMonitor ${name}`);
    const paths = new Set(local.map((t) => t.path));
    if (paths.size !== 1) throw new Error(`PodMonitor ${name}: one path per job`);
    return {
      job_name: `${pm.metadata.namespace}/${name}`,
      scrape_interval: `${intervalSeconds}s`,
      scrape_timeout: `${intervalSeconds}s`,
      metrics_path: [...paths][0],
      static_configs: local.map((t) => ({ targets: [t.address], labels: { namespace: pm.metadata.namespace!, pod: t.pod } })),
    };
  });
}

/** A child process whose output goes to a log file; `stop` sends SIGTERM and waits. */
export interface Proc {
  readonly child: ChildProcess;
  readonly log: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startProc(bin: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Proc {
  const fd = openSync(logFile, "a");
  const child = spawn(bin, args, { stdio: ["ignore", fd, fd], env });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    log: logFile,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await Promise.race([exited, sleep(10_000).then(() => child.kill("SIGKILL"))]);
      await exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

export function alertmanagerConfig(webhookPort: number): string {
  return stringify({
    route: {
      receiver: "webhook",
      group_by: ["alertname"],
      // Immediate first notification and updates: the test measures fault-to-notification time.
      group_wait: "0s",
      group_interval: "1s",
      repeat_interval: "1h",
    },
    receivers: [{ name: "webhook", webhook_configs: [{ url: `http://127.0.0.1:${webhookPort}/`, send_resolved: true }] }],
  });
}

export function prometheusConfig(scrape: unknown[], alertmanagerPort: number): string {
  return stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: ["rules.yml"],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }] },
    scrape_configs: scrape,
  });
}

/** One webhook notification for one alert, with its arrival time. */
export interface Notification {
  readonly at: number;
  readonly alertname: string;
  readonly status: "firing" | "resolved";
}

/** Alertmanager webhook receiver recording every alert of every POST. */
export async function startWebhook(port: number): Promise<{ server: Server; notifications: Notification[] }> {
  const notifications: Notification[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const at = Date.now();
      try {
        const payload = JSON.parse(body) as { alerts: { status: "firing" | "resolved"; labels: Record<string, string> }[] };
        for (const a of payload.alerts) notifications.push({ at, alertname: a.labels["alertname"]!, status: a.status });
      } catch {
        // a malformed POST is simply not recorded; the waits below then time out with context
      }
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, notifications };
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
