import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pino, { type DestinationStream, type Logger } from "pino";
import type { DnsCacheConfig } from "./config.js";
import { createDnsCacheMetrics, type DnsCacheMetrics } from "./metrics.js";
import { runOnce } from "./run.js";
import { createResolver } from "./shared/verify.js";

export interface DnsCacheService {
  readonly metrics: DnsCacheMetrics;
  readonly log: Logger;
  /** Metrics URL once started. */
  readonly url: string;
  /** Starts the metrics server and the loop (first run at once). */
  start(): Promise<void>;
  /** Resolves after the run in progress (if any) finishes; for tests. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A loop, not a CronJob: the metrics (last completed run, durations, counters) must stay
 * scrapeable between runs for the "run not completed" alert, and a CronJob pod exits after its
 * run (it would need a Pushgateway). A run that overruns the interval delays the next one
 * instead of overlapping it.
 */
export interface DnsCacheServiceOptions {
  /** Where log lines go. @default stdout */
  logDestination?: DestinationStream;
  /** Listen address of /metrics. @default "0.0.0.0" */
  host?: string;
  /** Node's process metrics on /metrics. @default true */
  defaultMetrics?: boolean;
}

export function createDnsCacheService(config: DnsCacheConfig, opts: DnsCacheServiceOptions = {}): DnsCacheService {
  const metrics = createDnsCacheMetrics({ defaultMetrics: opts.defaultMetrics ?? true, intervalSeconds: config.intervalSeconds });
  const log = pino(
    { level: config.logLevel, base: { app: "dns-cache" }, messageKey: "content", formatters: { level: (label) => ({ logLevel: label }) } },
    opts.logDestination ?? pino.destination({ fd: 1 }),
  );
  const redis = new Redis({
    host: config.redis.host,
    port: config.redis.port,
    password: config.redis.password,
    tls: config.redis.tls ? {} : undefined,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 5000,
  });
  // Reconnect attempts repeat the same error: log each distinct one once per outage.
  let lastRedisError = "";
  redis.on("error", (err: Error) => {
    if (err.message === lastRedisError) return;
    lastRedisError = err.message;
    log.warn({ logType: "RedisError", errMsg: err.message });
  });
  redis.on("ready", () => (lastRedisError = ""));
  const dns = createResolver({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let url = "";
  let server: Server | undefined;

  const tick = (): void => {
    const started = Date.now();
    running = runOnce({ domains: config.domains, publicHost: config.publicHost, intervalSeconds: config.intervalSeconds, dns, redis, log, metrics })
      .then(() => undefined)
      .catch((err: Error) => log.error({ logType: "RunFailed", errMsg: err.message }))
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, Math.max(0, started + config.intervalSeconds * 1000 - Date.now()));
      });
  };

  return {
    metrics,
    log,
    get url() {
      return url;
    },
    async start() {
      server = createServer((req, res) => {
        if (req.url === "/healthz") return void res.end("ok");
        if (req.url !== "/metrics") return void res.writeHead(404).end();
        void metrics.registry.metrics().then((text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text));
      });
      await new Promise<void>((resolve) => server!.listen(config.metricsPort, opts.host ?? "0.0.0.0", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await redis.connect().catch((err: Error) => log.warn({ logType: "RedisError", errMsg: err.message }));
      log.info({ logType: "DnsCacheStart", domains: Object.keys(config.domains).length, intervalSeconds: config.intervalSeconds });
      tick();
    },
    settled: () => running,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      redis.disconnect();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
