/**
 * `npm run dev`: Redis and a single-node Cassandra (the test scripts), the telemetry roles with
 * the CQRS router, the gateway with the local stack's route table, and the dashboard's Vite
 * server. Ready only once every printed URL answers; stop() undoes exactly what start did.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "cassandra-driver";
import { renderSchemaCql, splitCqlStatements } from "../../apps/telemetry/src/schema";
import { DEV_DATA_CENTER, DEV_KEYSPACE, DEV_TELEMETRY_ENV, DEV_VITE_ENV, GATEWAY_API_PREFIX, REPO_ROOT, type DevOptions } from "./config";
import { TELEMETRY_ENV } from "../../apps/telemetry/src/config/keys";
import { writeDevGatewayFiles } from "./gateway-env";
import { runScript, spawnGroup, waitForUrl, type ChildHandle } from "./processes";

export interface DevUrls {
  readonly dashboard: string;
  /** Gateway health endpoint; the API is under `${gatewayApi}`. */
  readonly gateway: string;
  readonly gatewayApi: string;
  /** The `telemetry` mesh host (CQRS router), no auth: `/api/query`, `/api/ingest`, `/readyz`. */
  readonly telemetry: string;
}

export interface DevSession {
  readonly urls: DevUrls;
  /** Dev JWT for the gateway (the Vite proxy adds it; for curl: `Authorization: Bearer $(cat tokenFile)`). */
  readonly tokenFile: string;
  readonly logDir: string;
  readonly children: readonly ChildHandle[];
  /** What this session started (and will stop); a Redis/Cassandra already running is left alone. */
  readonly started: { readonly redis: boolean; readonly cassandra: boolean };
  stop(): Promise<void>;
}

const SCRIPTS = join(REPO_ROOT, "scripts");
const READY_TIMEOUT_MS = 120_000;
/** CQL port of scripts/cassandra.sh (it honours the same variable). */
const CQL_PORT = Number(process.env["CASSANDRA_CQL_PORT"] ?? 9042);

async function status(script: string, args: string[], logFile: string): Promise<string> {
  return runScript("bash", [join(SCRIPTS, script), "status", ...args], { cwd: REPO_ROOT, logFile }).catch((err: Error) => err.message);
}

/** Keyspace and tables from the shared .cql (idempotent: CREATE ... IF NOT EXISTS). */
async function ensureSchema(port: number): Promise<void> {
  const client = new Client({ contactPoints: ["127.0.0.1"], protocolOptions: { port }, localDataCenter: DEV_DATA_CENTER });
  try {
    await client.connect();
    const cql = renderSchemaCql({ keyspace: DEV_KEYSPACE, replication: { [DEV_DATA_CENTER]: 1 }, defaultTtlSeconds: 7 * 24 * 3600 });
    for (const statement of splitCqlStatements(cql)) await client.execute(statement);
  } finally {
    await client.shutdown();
  }
}

/**
 * Starts everything. On failure or `signal` abort, whatever was started is stopped before the
 * promise rejects. `log` receives progress lines.
 */
export async function startDev(opts: DevOptions, log: (line: string) => void, signal?: AbortSignal): Promise<DevSession> {
  const { ports, stateDir } = opts;
  const logDir = join(stateDir, "logs");
  mkdirSync(logDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const children: ChildHandle[] = [];
  const started = { redis: false, cassandra: false };
  const stopChildren: (() => Promise<void>)[] = [];
  const stop = async () => {
    // Apps first, all at once (each drains its own connections), then the stores in reverse order.
    await Promise.all(stopChildren.splice(0).map((fn) => fn()));
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((err: Error) => log(`cleanup: ${err.message}`));
  };
  const check = () => {
    if (signal?.aborted) throw new Error("interrupted");
  };
  const spawnNode = (name: string, args: string[], env: Record<string, string>) => {
    const child = spawnGroup(name, process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, logFile: join(logDir, `${name}.log`) });
    children.push(child);
    stopChildren.push(async () => {
      const t0 = Date.now();
      await child.stop();
      log(`stopped ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    });
    return child;
  };

  try {
    const gatewayFiles = await writeDevGatewayFiles(stateDir, ports);
    const token = readFileSync(gatewayFiles.tokenFile, "utf8");

    // Vite does not depend on anything: start it first so its dependency scan overlaps Cassandra's start.
    const vite = spawnNode("dashboard", [join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js"), join(REPO_ROOT, "apps", "dashboard"), "--host", "127.0.0.1", "--port", String(ports.dashboard), "--strictPort", "--clearScreen", "false"], {
      [DEV_VITE_ENV.gatewayUrl]: `http://127.0.0.1:${ports.gateway}`,
      [DEV_VITE_ENV.tokenFile]: gatewayFiles.tokenFile,
      // Under node_modules: @vitejs/plugin-react skips it there (elsewhere Babel would re-transform the pre-bundled deps).
      [DEV_VITE_ENV.cacheDir]: process.env[DEV_VITE_ENV.cacheDir] ?? join(REPO_ROOT, "node_modules", ".vite", "dashboard"),
      [DEV_VITE_ENV.apiBase]: GATEWAY_API_PREFIX,
    });

    // One log per script call, so an error shows that call's output only.
    const scriptLog = (name: string) => join(logDir, `${name}.log`);
    if (!(await status("redis.sh", [String(ports.redis)], scriptLog("redis-status"))).includes("redis running")) {
      started.redis = true;
      cleanups.push(() => runScript("bash", [join(SCRIPTS, "redis.sh"), "stop", String(ports.redis)], { cwd: REPO_ROOT, logFile: scriptLog("redis-stop") }).then(() => undefined));
      log(`starting Redis on 127.0.0.1:${ports.redis}`);
      await runScript("bash", [join(SCRIPTS, "redis.sh"), "start", String(ports.redis)], { cwd: REPO_ROOT, logFile: scriptLog("redis-start"), signal });
    }
    check();

    const cass = await status("cassandra.sh", [], scriptLog("cassandra-status"));
    // `start` prints "launched" when this call started the node (stop it at the end) or "running"
    // when someone else did (leave it). Interrupted mid-start, a node that was stopped before is ours.
    let launched: boolean | undefined = /\bstopped\b/.test(cass) ? undefined : false;
    cleanups.push(async () => {
      if (launched === false) return;
      await runScript("bash", [join(SCRIPTS, "cassandra.sh"), "stop"], { cwd: REPO_ROOT, logFile: scriptLog("cassandra-stop") });
    });
    log(launched === false ? "Cassandra already running or starting; waiting for CQL (it will be left running)" : "starting Cassandra (30-90 s on a small machine)");
    const timer = setTimeout(() => log("still waiting for Cassandra..."), 60_000);
    try {
      // The script bounds the wait itself (CASSANDRA_START_TIMEOUT_S, 240 s by default).
      const last = await runScript("bash", [join(SCRIPTS, "cassandra.sh"), "start"], { cwd: REPO_ROOT, logFile: scriptLog("cassandra-start"), signal });
      launched = last.trim() === "launched";
      started.cassandra = launched;
    } finally {
      clearTimeout(timer);
    }
    check();
    await ensureSchema(CQL_PORT);
    check();

    const telemetry = spawnNode("telemetry", ["--import", "tsx", join(SCRIPTS, "dev", "telemetry.ts")], {
      [DEV_TELEMETRY_ENV.router]: String(ports.telemetry),
      [DEV_TELEMETRY_ENV.command]: String(ports.command),
      [DEV_TELEMETRY_ENV.query]: String(ports.query),
      CASSANDRA_CONTACT_POINTS: "127.0.0.1",
      CASSANDRA_PORT: String(CQL_PORT),
      CASSANDRA_LOCAL_DC: DEV_DATA_CENTER,
      CASSANDRA_KEYSPACE: DEV_KEYSPACE,
      // Idempotency-Keys scoped by the subject the gateway signs (apps/telemetry/src/core/subject.ts).
      [TELEMETRY_ENV.subjectKey]: gatewayFiles.subjectKey,
    });
    const gateway = spawnNode("gateway", ["--import", "tsx", join(REPO_ROOT, "apps", "gateway", "src", "main.ts")], gatewayFiles.env);

    const base = (p: number) => `http://127.0.0.1:${p}`;
    const urls: DevUrls = {
      dashboard: `${base(ports.dashboard)}/`,
      gateway: `${base(ports.gateway)}/healthz`,
      gatewayApi: `${base(ports.gateway)}${GATEWAY_API_PREFIX}`,
      telemetry: base(ports.telemetry),
    };
    log("waiting for every URL to answer");
    const wait = { timeoutMs: READY_TIMEOUT_MS, signal };
    const day = new Date().toISOString().slice(0, 10);
    await Promise.all([
      waitForUrl(urls.dashboard, { ...wait, child: vite }),
      // The entry module compiles on first request; warming it keeps the first page load fast.
      waitForUrl(`${base(ports.dashboard)}/src/main.tsx`, { ...wait, child: vite }),
      waitForUrl(urls.gateway, { ...wait, child: gateway }),
      waitForUrl(`${urls.telemetry}/readyz`, { ...wait, child: telemetry }),
      waitForUrl(`${base(ports.command)}/readyz`, { ...wait, child: telemetry }),
    ]);
    // End to end: dashboard proxy → gateway (JWT) → router → query role → Cassandra.
    await waitForUrl(`${base(ports.dashboard)}${GATEWAY_API_PREFIX}/query?source=dev&day=${day}&limit=1`, { ...wait, child: gateway });
    await waitForUrl(`${urls.gatewayApi}/query?source=dev&day=${day}&limit=1`, { ...wait, headers: { authorization: `Bearer ${token}` } });
    check();
    return { urls, tokenFile: gatewayFiles.tokenFile, logDir, children, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
