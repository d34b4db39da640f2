import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type RequestOptions, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadGatewayConfig, type GatewayConfig } from "../../../apps/gateway/src/config/index.js";
import type { GatewayRoute } from "../../../apps/gateway/src/config/keys.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../../apps/gateway/src/server.js";

export interface Upstream {
  url: string;
  port: number;
  server: Server;
  /** Requests seen, in order. */
  seen: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

/** A real node:http upstream on 127.0.0.1, ephemeral port. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** In-memory pino destination. */
export class LogCapture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString("utf8");
    cb();
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  ofType(logType: string): Record<string, unknown>[] {
    return this.lines().filter((l) => l.logType === logType);
  }
}

/** A config through the real loader, from env-style overrides. */
export function gatewayConfig(routes: GatewayRoute[], env: Record<string, string> = {}): GatewayConfig {
  return loadGatewayConfig({ REGION: "eu-west-1", STAGE: "test", ROUTES: JSON.stringify(routes), LOG_LEVEL: "info", ...env });
}

export interface TestGateway {
  gw: Gateway;
  url: string;
  logs: LogCapture;
  stop(): Promise<void>;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<TestGateway> {
  const logs = new LogCapture();
  const gw = createGateway(config, { host: "127.0.0.1", port: 0, defaultMetrics: false, drainMs: 1000, logDestination: logs, ...options });
  const { url } = await gw.start();
  return { gw, url, logs, stop: () => gw.stop() };
}

export interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTP request on a fresh connection (agent: false), whole body read. */
export function httpRequest(url: string, opts: RequestOptions & { body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gw-test-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A private redis-server on its own port, for tests that kill or pause it. */
export async function startPrivateRedis(port?: number): Promise<{ port: number; proc: ChildProcess; kill(): Promise<void> }> {
  const p = port ?? (await freePort());
  const proc = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(p), "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const r = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(p), "ping"], { encoding: "utf8" });
    if (r.stdout?.trim() === "PONG") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port: p,
    proc,
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

export function redisCli(port: number, ...args: string[]): string {
  return spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { encoding: "utf8" }).stdout.trim();
}

/** Value of one series in a Prometheus text exposition; 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf("}"));
    const got = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}
