import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { clientOptions, createLazyClient, hasUpHost, type LazyClient } from "./client.js";
import { describeConfig, loadTelemetryConfig, type TelemetryConfig } from "./config/index.js";
import { TELEMETRY_API_PATH } from "./config/keys.js";
import { READ_CONSISTENCY } from "./core/query.js";
import { sendResult, serveIngest, serveQuery } from "./http.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics, type TelemetryMetrics } from "./metrics/index.js";

/**
 * The Kubernetes services: `command` serves ingest and read-your-writes queries (LOCAL_QUORUM),
 * `query` serves reads only (LOCAL_ONE). Same core as the Vercel functions.
 */
export interface TelemetryServer {
  readonly server: Server;
  readonly metrics: TelemetryMetrics;
  readonly client: LazyClient;
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, drains in-flight requests, then closes the Cassandra client. */
  shutdown(timeoutMs?: number): Promise<void>;
}

export interface ServerOptions {
  readonly config: TelemetryConfig;
  readonly log?: Logger;
  readonly client?: LazyClient;
  readonly defaultMetrics?: boolean;
}

export function createTelemetryServer(opts: ServerOptions): TelemetryServer {
  const { config } = opts;
  const role = config.role;
  const log = opts.log ?? createLogger({ role });
  const client = opts.client ?? createLazyClient(() => clientOptions(config));
  const metrics = createMetrics(role, { defaultMetrics: opts.defaultMetrics });
  const getClient = () => client.get();
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    switch (path) {
      case "/healthz":
        return sendResult(res, { status: 200, body: { status: "ok" } });
      case "/readyz": {
        // Ready once connected and the driver sees a live host; no query per probe.
        if (draining) return sendResult(res, { status: 503, body: { status: "draining" } });
        if (!client.peek()) await client.get().catch(() => undefined);
        const up = hasUpHost(client.peek());
        return sendResult(res, { status: up ? 200 : 503, body: { status: up ? "ready" : "cassandra unavailable" } });
      }
      case "/metrics": {
        const text = await metrics.registry.metrics();
        res.setHeader("content-type", metrics.registry.contentType);
        res.end(text);
        return;
      }
      case `${TELEMETRY_API_PATH}/ingest`:
      case "/v1/events/ingest": {
        if (role !== "command") break;
        const r = await serveIngest(req, res, { getClient, observer: metrics, log, subjectKey: config.subjectKey, tenants: config.tenants });
        metrics.request("ingest", r.status);
        if (r.status >= 400) metrics.rejected(r.reason ?? "error");
        return;
      }
      case `${TELEMETRY_API_PATH}/query`:
      case "/v1/events": {
        const r = await serveQuery(req, res, { getClient, consistency: READ_CONSISTENCY[role], log, subjectKey: config.subjectKey, tenants: config.tenants });
        metrics.request("query", r.status);
        return;
      }
    }
    sendResult(res, { status: 404, body: { error: "not found" } }, false, req);
  }

  const server = createServer((req, res) => {
    inFlight++;
    res.on("finish", () => {
      // A keep-alive socket that finished its last response while draining would otherwise
      // hold server.close() open until the client's idle timeout.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    res.on("close", () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
    // While draining, ask keep-alive clients to reconnect elsewhere.
    if (draining) res.setHeader("connection", "close");
    route(req, res).catch((err: unknown) => {
      log.error({ err: { message: (err as Error)?.message } }, "unhandled request error");
      if (!res.headersSent) sendResult(res, { status: 500, body: { error: "internal error" } });
      else res.destroy();
    });
  });
  // Slightly above typical load-balancer idle timeouts, so the LB closes idle sockets first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000; // must exceed keepAliveTimeout


  return {
    server,
    metrics,
    client,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const addr = server.address();
          resolve(typeof addr === "object" && addr ? addr.port : port);
        });
      });
    },
    async shutdown(timeoutMs = 25_000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));
      const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
      if ((await Promise.race([drained.then(() => closed), timer])) === "timeout") {
        log.warn({ inFlight }, "shutdown timeout; closing remaining connections");
        server.closeAllConnections();
      }
      await client.close();
    },
  };
}

async function main(): Promise<void> {
  const log = createLogger();
  let config: TelemetryConfig;
  try {
    config = loadTelemetryConfig(process.env);
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }
  const app = createTelemetryServer({ config, log: log.child({ role: config.role }) });
  const port = await app.listen(config.port);
  log.info({ config: describeConfig(config), port }, "telemetry server listening");
  // Connect eagerly in the background so /readyz turns green without waiting for traffic.
  app.client.get().catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, "initial connect failed; will retry"));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "draining");
    app.shutdown().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err: { message: (err as Error).message } }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

if (require.main === module) void main();
