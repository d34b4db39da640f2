import { Pool, errors as undiciErrors } from "undici";
import type { GatewayConfig } from "../config/index.js";
import type { GatewayRoute } from "../config/keys.js";

export type UpstreamFailure = "timeout" | "refused" | "other";

/** Keep-alive connection pool per upstream origin. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly config: Pick<GatewayConfig, "upstreamTimeoutMs" | "upstreamConnections">) {}

  pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      const t = this.config.upstreamTimeoutMs;
      pool = new Pool(origin, {
        connections: this.config.upstreamConnections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        headersTimeout: t,
        bodyTimeout: t,
        connect: { timeout: Math.min(t, 5_000) },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
    this.pools.clear();
  }
}

/** Parsed upstream of a route: origin for the pool, base path for the path mapping. */
export interface ResolvedRoute extends GatewayRoute {
  origin: string;
  basePath: string;
}

export function resolveRoute(route: GatewayRoute): ResolvedRoute {
  const url = new URL(route.upstream);
  const basePath = url.pathname === "/" ? "" : url.pathname.replace(/\/+$/, "");
  return { ...route, origin: url.origin, basePath };
}

/**
 * nginx `proxy_pass` semantics: an upstream URL without a path keeps the request path as is;
 * an upstream URL with a path replaces the matched prefix by that path.
 */
export function upstreamPath(route: ResolvedRoute, rawUrl: string): string {
  if (!route.basePath) return rawUrl;
  const rest = route.prefix === "/" ? rawUrl.slice(1) : rawUrl.slice(route.prefix.length);
  if (rest === "" || rest.startsWith("?")) return route.basePath + rest;
  return route.basePath + (rest.startsWith("/") ? rest : `/${rest}`);
}

/** True when `path` (no query) falls under `prefix` on a segment boundary. */
export function matchesPrefix(prefix: string, path: string): boolean {
  if (prefix === "/") return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */;
}

export function classifyUpstreamError(err: unknown): { failure: UpstreamFailure; status: 502 | 504; code: string } {
  const e = err as { code?: string; cause?: { code?: string } };
  if (
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    e.code === "ETIMEDOUT"
  ) {
    return { failure: "timeout", status: 504, code: "upstream_timeout" };
  }
  if (e.code === "ECONNREFUSED" || e.cause?.code === "ECONNREFUSED") {
    return { failure: "refused", status: 502, code: "upstream_refused" };
  }
  return { failure: "other", status: 502, code: "upstream_error" };
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`upstream body exceeds ${limit} bytes`);
  }
}

/** Reads a body stream into memory, failing past `limit` bytes. */
export async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): void; on(event: "error", fn: () => void): unknown },
  limit: number,
  declared?: string | string[],
): Promise<Buffer> {
  const length = typeof declared === "string" ? Number(declared) : NaN;
  if (length > limit) {
    body.on("error", () => undefined); // the abort we cause is not news
    body.destroy();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop by throwing makes the iterator destroy the body, aborting the upstream request.
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
