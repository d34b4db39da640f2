import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import { loadJwtVerifier, type JwtVerifier } from "./auth/jwt.js";
import type { CacheEntry } from "./cache/entry.js";
import { LayeredCache } from "./cache/layered.js";
import { CustomDomains, TENANT_HEADER } from "./domains/custom-domains.js";
import type { DnsLookup } from "../../dns-cache/src/shared/verify.js";
import { redactedConfig, type GatewayConfig } from "./config/index.js";
import { createLogger, type GatewayLogFields, type GatewayLogger } from "./observability/logger.js";
import { createMetrics, type GatewayMetrics } from "./observability/metrics.js";
import { REQUEST_ID_HEADER, requestIdFrom } from "./observability/request-id.js";
import { SUBJECT_HEADER, signSubject, signTenant } from "./auth/subject.js";
import { endAfterUpload, requestBody } from "./proxy/body.js";
import { ProxyTrust } from "./proxy/forwarded.js";
import { clientResponseHeaders, upstreamRequestHeaders, wantsReadYourWrites } from "./proxy/headers.js";
import { StreamProxyHandler } from "./proxy/stream-handler.js";
import {
  BodyTooLargeError,
  UpstreamPools,
  classifyUpstreamError,
  matchesPrefix,
  readCapped,
  resolveRoute,
  upstreamPath,
  type ResolvedRoute,
} from "./proxy/upstream.js";

/** The mesh routes reads carrying this header to the command role (read-your-writes). */
export const READ_YOUR_WRITES_HEADER = "x-read-your-writes";

export interface GatewayOptions {
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** Clock for cache expiry, epoch ms (tests move it instead of sleeping). */
  now?: () => number;
  /** Use this verifier instead of reading config.jwt.keyFile. */
  verifier?: JwtVerifier;
  /** Listen address (default 0.0.0.0) and port (default config.port; 0 = ephemeral). */
  host?: string;
  port?: number;
  /** How long stop() waits for in-flight requests before closing their connections. */
  drainMs?: number;
  /** Node's default process metrics on /metrics (default true). */
  defaultMetrics?: boolean;
  /** Resolver of the custom-domain fallback (default: DNS_SERVERS / resolv.conf). */
  dns?: DnsLookup;
}

export interface Gateway {
  readonly server: Server;
  readonly metrics: GatewayMetrics;
  readonly cache: LayeredCache;
  readonly log: GatewayLogger;
  /** Base URL once started, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  start(): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
}

interface RequestContext {
  reqId: string;
  reqPath: string;
  reqMethod: string;
  route: string;
  start: number;
  cacheType?: GatewayLogFields["cacheType"];
  cacheKey?: string;
  internal: boolean;
  clientGone?: boolean;
}

interface BufferedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const BEARER_CHALLENGE = { "www-authenticate": 'Bearer error="invalid_token"' };
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>, extra?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...extra,
  });
  res.end(text);
}

function hasRequestBody(req: IncomingMessage): boolean {
  const len = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (len !== undefined && len !== "0");
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const now = options.now ?? Date.now;
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const log = createLogger({
    level: config.logLevel,
    region: config.region,
    stage: config.stage,
    destination: options.logDestination,
    logTypeCounter: metrics.logEvents,
  });
  const cache = new LayeredCache(config, log, now);
  const domains = config.customDomains ? new CustomDomains(config.customDomains, cache, log, now, options.dns) : undefined;
  const pools = new UpstreamPools(config);
  const routes: ResolvedRoute[] = config.routes.map(resolveRoute);
  let verifier: JwtVerifier | undefined = options.verifier;
  const trust = new ProxyTrust(config.trustedProxies);
  let subjectKey: Uint8Array | undefined;
  let draining = false;
  let url = "";

  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (req, res) => {
    handle(req, res).catch((err: Error) => {
      log.error({ logType: "InternalError", errMsg: err.message, errStack: err.stack });
      sendJson(res, 500, { error: "internal_error", reqId: res.getHeader(REQUEST_ID_HEADER) });
    });
  });

  // Requests Node cannot parse never reach the handler: answer them with a request id and a reason too.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const reqId = requestIdFrom(undefined);
    const [status, text, error] = err.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large", "headers_too_large"] : [400, "Bad Request", "bad_request"];
    const body = JSON.stringify({ error, reqId });
    log.info({ logType: "ClientError", reqId, errStatus: status, errMsg: err.code ?? err.message });
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${reqId}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  function finish(ctx: RequestContext, res: ServerResponse): void {
    const seconds = (performance.now() - ctx.start) / 1000;
    const status = res.writableFinished ? res.statusCode : 499; // 499: client closed first
    if (ctx.internal) return;
    metrics.requests.inc({ route: ctx.route, method: ctx.reqMethod, status: String(status) });
    metrics.latency.observe({ route: ctx.route, method: ctx.reqMethod }, seconds);
    log.info({
      logType: status === 499 ? "ClientAbort" : "AccessLog",
      reqId: ctx.reqId,
      reqPath: ctx.reqPath,
      reqMethod: ctx.reqMethod,
      reqCostTime: Math.round(seconds * 1e6) / 1e3,
      route: ctx.route,
      status,
      cacheType: ctx.cacheType,
      cacheKey: ctx.cacheKey,
    });
  }

  function fail(
    ctx: RequestContext,
    res: ServerResponse,
    status: number,
    error: string,
    extra?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): void {
    if (status >= 500) {
      log.error({ logType: "GatewayError", reqId: ctx.reqId, reqPath: ctx.reqPath, reqMethod: ctx.reqMethod, errStatus: status, errMsg: error });
    }
    sendJson(res, status, { error, ...extra, reqId: ctx.reqId }, headers);
  }

  function upstreamFailed(ctx: RequestContext, route: ResolvedRoute, res: ServerResponse | undefined, err: unknown): void {
    const tooLarge = err instanceof BodyTooLargeError;
    const c = tooLarge ? { failure: "other" as const, status: 502 as const, code: "upstream_body_too_large" } : classifyUpstreamError(err);
    metrics.upstreamErrors.inc({ route: route.prefix, reason: c.failure });
    log.error({
      logType: "UpstreamError",
      reqId: ctx.reqId,
      reqPath: ctx.reqPath,
      reqMethod: ctx.reqMethod,
      route: route.prefix,
      errStatus: c.status,
      errMsg: `${c.code}: ${(err as Error).message}`,
    });
    if (!res) return;
    if (res.headersSent) res.destroy(); // mid-body: the only honest signal left is a cut connection
    else sendJson(res, c.status, { error: c.code, reqId: ctx.reqId });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, reqId);
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const ctx: RequestContext = { reqId, reqPath: path, reqMethod: req.method ?? "GET", route: "none", start: performance.now(), internal: false };

    if (path === "/healthz" || path === "/readyz" || path === "/metrics") {
      ctx.internal = true;
      if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
      if (path === "/readyz") {
        // Redis is optional: its state is reported (a probe that times out is "down") but
        // never fails readiness.
        const redis = draining ? cache.redisState : await cache.probe();
        return sendJson(res, draining ? 503 : 200, { status: draining ? "draining" : "ready", redis });
      }
      const text = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType, "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    // An answer ready before the upload is over (401, 404, an upstream's early 413) must not
    // reset the client's connection: see endAfterUpload.
    if (hasRequestBody(req)) endAfterUpload(req, res);
    // One listener: a client that goes away cancels its upstream request; then the access log.
    let onClientGone: (() => void) | undefined;
    res.once("close", () => {
      if (!res.writableFinished) {
        ctx.clientGone = true;
        onClientGone?.();
      }
      finish(ctx, res);
    });

    let tenant: string | undefined;
    if (domains) {
      // Synchronous for the public host and level-1 records; only a level-1 miss awaits.
      const d = domains.decideNow(req.headers.host) ?? (await domains.decide(req.headers.host, reqId));
      if (d.kind === "refused") {
        metrics.customDomainRequests.inc({ source: "none", result: d.reason });
        // 421: this server does not serve that host (RFC 9110 §15.5.20); never a 5xx, even when DNS fails.
        return fail(ctx, res, 421, "misdirected_request", { reason: d.reason, host: d.domain });
      }
      if (d.kind === "tenant") {
        metrics.customDomainRequests.inc({ source: d.source, result: "routed" });
        tenant = d.tenant;
      }
    }

    if (!path.startsWith("/") || DOT_SEGMENT.test(path)) return fail(ctx, res, 400, "bad_path");
    const route = routes.find((r) => matchesPrefix(r.prefix, path));
    if (!route) return fail(ctx, res, 404, "no_route");
    ctx.route = route.prefix;

    let subject: string | undefined;
    if (route.auth) {
      const result = verifier ? await verifier.verifyHeader(req.headers.authorization) : ({ ok: false, reason: "invalid_token" } as const);
      if (!result.ok) {
        log.info({ logType: "AuthFailed", reqId, reqPath: path, errStatus: 401, errMsg: result.reason });
        return fail(ctx, res, 401, "unauthorized", { reason: result.reason }, BEARER_CHALLENGE);
      }
      if (route.perUser && !result.subject) return fail(ctx, res, 401, "unauthorized", { reason: "missing_subject" }, BEARER_CHALLENGE);
      subject = result.subject;
    }

    const withBody = hasRequestBody(req);
    const upPath = upstreamPath(route, rawUrl);
    // Built on first use: a cache hit never needs them.
    let upHeaders: Record<string, string | string[]> | undefined;
    const headersFor = () => {
      if (!upHeaders) {
        upHeaders = upstreamRequestHeaders(req, reqId, trust);
        if (!withBody) delete upHeaders["content-length"];
        // Real clock (not options.now, which moves cache time in tests): the upstream checks it.
        if (subjectKey && subject) upHeaders[SUBJECT_HEADER] = signSubject(subject, subjectKey, Date.now());
        // Config requires the key with custom domains, so a tenant always travels signed.
        if (tenant && subjectKey) upHeaders[TENANT_HEADER] = signTenant(tenant, subjectKey, Date.now());
      }
      return upHeaders;
    };

    if (route.kind === "stream") {
      try {
        await new Promise<void>((resolve, reject) => {
          const handler = new StreamProxyHandler(res, (err) => (err ? reject(err) : resolve()));
          onClientGone = () => handler.abort();
          if (ctx.clientGone) handler.abort(); // left while auth ran
          pools.pool(route.origin).dispatch(
            { origin: route.origin, path: upPath, method: req.method as "GET", headers: headersFor(), body: withBody ? requestBody(req) : null },
            handler,
          );
        });
      } catch (err) {
        if (ctx.clientGone || res.destroyed) return; // client gone: logged as ClientAbort by finish()
        upstreamFailed(ctx, route, res, err);
      }
      return;
    }

    const clientSignal = (): AbortSignal => {
      const abort = new AbortController();
      onClientGone = () => abort.abort();
      if (ctx.clientGone) abort.abort();
      return abort.signal;
    };
    const fetchBuffered = async (signal?: AbortSignal): Promise<BufferedResponse> => {
      const up = await pools.pool(route.origin).request({
        path: upPath,
        method: req.method as "GET",
        headers: headersFor(),
        // A stale-refresh (no signal) is a GET without body; only the client's own fetch reads req.
        body: withBody ? requestBody(req) : null,
        signal,
      });
      const body = await readCapped(up.body, config.maxBufferedBytes, up.headers["content-length"]);
      return { status: up.statusCode, headers: clientResponseHeaders(up.headers, false), body };
    };

    const ttl = route.cacheTtlSeconds ?? 0;
    // A client that just wrote asks to read its own writes: a cached (or stale) copy would hide
    // the write, so go to the upstream, which forwards the header to the mesh's command route.
    const readYourWrites = wantsReadYourWrites(req.headers, READ_YOUR_WRITES_HEADER);
    if (ttl <= 0 || req.method !== "GET" || readYourWrites) {
      ctx.cacheType = ttl > 0 ? "bypass" : undefined;
      const signal = clientSignal();
      try {
        sendBuffered(res, await fetchBuffered(signal));
      } catch (err) {
        if (!signal.aborted) upstreamFailed(ctx, route, res, err);
      }
      return;
    }

    const key = cacheKeyFor(route, rawUrl, subject, tenant);
    ctx.cacheKey = key;
    const hit = await cache.lookup(key, reqId);
    if (hit) {
      metrics.cacheHits.inc({ level: hit.level });
      if (now() < hit.entry.expireAt) {
        ctx.cacheType = hit.level;
        return sendEntry(res, hit.entry, hit.level === "l1" ? "HIT-L1" : "HIT-L2");
      }
      ctx.cacheType = "stale";
      headersFor(); // now, while the client's socket (x-forwarded-for) is still there
      sendEntry(res, hit.entry, "STALE");
      cache.refreshOnce(key, async () => {
        try {
          const fresh = await fetchBuffered();
          if (cacheable(fresh, route)) {
            await cache.store(key, toEntry(fresh, route), reqId);
            log.info({ logType: "CacheRefresh", reqId, cacheKey: key, cacheType: "refresh", route: route.prefix });
          }
        } catch (err) {
          upstreamFailed(ctx, route, undefined, err);
        }
      });
      return;
    }

    metrics.cacheMisses.inc({ route: route.prefix });
    ctx.cacheType = "miss";
    let fresh: BufferedResponse;
    const signal = clientSignal();
    try {
      fresh = await fetchBuffered(signal);
    } catch (err) {
      if (!signal.aborted) upstreamFailed(ctx, route, res, err);
      return;
    }
    if (cacheable(fresh, route)) void cache.store(key, toEntry(fresh, route), reqId);
    sendBuffered(res, fresh, "MISS");
  }

  function toEntry(r: BufferedResponse, route: ResolvedRoute): CacheEntry {
    const headers: Record<string, string> = {};
    for (const name in r.headers) {
      if (name === "set-cookie" || name === "date") continue;
      const v = r.headers[name]!;
      headers[name] = Array.isArray(v) ? v.join(", ") : v;
    }
    const expireAt = now() + (route.cacheTtlSeconds ?? 0) * 1000;
    return { status: r.status, headers, body: r.body, expireAt, deleteAt: expireAt + (route.staleSeconds ?? 0) * 1000 };
  }

  function sendBuffered(res: ServerResponse, r: BufferedResponse, xCache?: string): void {
    if (res.destroyed) return;
    const headers: Record<string, string | string[] | number> = { ...r.headers, "content-length": r.body.length };
    if (xCache) headers["x-cache"] = xCache;
    res.writeHead(r.status, headers);
    res.end(r.body);
  }

  function sendEntry(res: ServerResponse, e: CacheEntry, xCache: string): void {
    sendBuffered(res, { status: e.status, headers: e.headers, body: e.body }, xCache);
  }

  return {
    server,
    metrics,
    cache,
    log,
    get url() {
      return url;
    },
    async start() {
      if (config.jwt && !verifier) verifier = await loadJwtVerifier(config.jwt);
      if (config.subjectKeyFile) subjectKey = await loadSubjectKey(config.subjectKeyFile);
      await cache.connect();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? config.port, options.host ?? "0.0.0.0", () => {
          server.off("error", reject);
          resolve();
        });
      });
      const { port, address } = server.address() as AddressInfo;
      url = `http://${address === "0.0.0.0" || address === "::" ? "127.0.0.1" : address}:${port}`;
      log.info({ logType: "GatewayStart", content: `listening on ${port}`, config: redactedConfig(config) });
      return { port, url };
    },
    async stop() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000);
      await closed;
      clearTimeout(timer);
      await cache.close();
      await pools.close();
      log.info({ logType: "GatewayStop" });
      await new Promise<void>((resolve) => log.pino.flush(() => resolve()));
    },
  };
}

/**
 * Cache key: route, full request URL, a hash of the subject on per-user routes, and the tenant of
 * a custom domain (upstreams answer per tenant, so tenants never share an entry).
 */
export function cacheKeyFor(route: { prefix: string; perUser?: boolean }, rawUrl: string, subject?: string, tenant?: string): string {
  const user = route.perUser && subject ? `|u:${createHash("sha256").update(subject).digest("hex").slice(0, 24)}` : "";
  return `${route.prefix}|${rawUrl}${user}${tenant ? `|t:${tenant}` : ""}`;
}

function cacheable(r: BufferedResponse, route: ResolvedRoute): boolean {
  if (r.status !== 200 || r.headers["set-cookie"] !== undefined) return false;
  const cc = r.headers["cache-control"];
  const text = (Array.isArray(cc) ? cc.join(",") : (cc ?? "")).toLowerCase();
  if (text.includes("no-store")) return false;
  if (text.includes("private") && !route.perUser) return false;
  return true;
}

/** The subject-signing key from its mounted Secret file; throws naming the key on a problem. */
async function loadSubjectKey(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`SUBJECT_KEY_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const key = new TextEncoder().encode(text.trim());
  if (key.length < 32) throw new Error(`SUBJECT_KEY_FILE: the key must be at least 32 bytes, got ${key.length}`);
  return key;
}
