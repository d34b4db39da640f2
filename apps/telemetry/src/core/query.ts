import { types, type Client } from "cassandra-driver";
import type { Logger } from "pino";
import { deniedSources, forbiddenSources, resolveAccess, type AccessDeps, type AccessRequest } from "./access.js";
import { isUnavailable } from "./errors.js";
import { errSummary, RETRY_AFTER_SECONDS } from "./ingest.js";
import { decodeToken, queryEvents } from "./read.js";
import type { HttpResult } from "./types.js";
import { validateQueryParams } from "./validation.js";

export const QUERY_CACHE_CONTROL = "private, no-cache";

export interface QueryRequest extends AccessRequest {
  readonly method: string | undefined;
  /** The request URL (path + query string). */
  readonly url: string | undefined;
}

export interface QueryDeps extends AccessDeps {
  readonly getClient: () => Promise<Client>;
  /** LOCAL_ONE for the query role; LOCAL_QUORUM where reads must see acknowledged writes. */
  readonly consistency: number;
  readonly log?: Logger;
  readonly now?: () => number;
}

export const READ_CONSISTENCY = {
  query: types.consistencies.localOne,
  command: types.consistencies.localQuorum,
} as const;

export async function handleQuery(req: QueryRequest, deps: QueryDeps): Promise<HttpResult> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return { status: 405, headers: { allow: "GET, HEAD" }, body: { error: "method not allowed; use GET" }, reason: "method" };
  }
  const search = new URL(req.url ?? "/", "http://localhost").searchParams;
  const v = validateQueryParams(search);
  if (!v.ok) return { status: 400, body: { error: v.reason }, reason: "invalid" };
  const resolved = resolveAccess(req, deps, (deps.now ?? Date.now)());
  if (!resolved.ok) return resolved.result;
  const denied = deniedSources(resolved.access, [v.params.source]);
  if (denied.length > 0) return forbiddenSources(denied);
  let cursor: types.TimeUuid | undefined;
  if (v.params.pageToken !== undefined) {
    cursor = decodeToken(v.params.pageToken);
    if (!cursor) return { status: 400, body: { error: "pageToken is not a valid paging token" }, reason: "invalid" };
  }
  try {
    const client = await deps.getClient();
    const page = await queryEvents(client, v.params, cursor, deps.consistency);
    // Browsers revalidate every time (live data); the gateway may still hold a per-user copy for
    // its few-second TTL (`private` is allowed on per-user routes, `no-store` would forbid it).
    return { status: 200, headers: { "cache-control": QUERY_CACHE_CONTROL }, body: page };
  } catch (err) {
    if (isUnavailable(err)) {
      deps.log?.warn({ err: errSummary(err) }, "query: Cassandra unavailable");
      return { status: 503, headers: { "retry-after": String(RETRY_AFTER_SECONDS) }, body: { error: "storage unavailable" }, reason: "unavailable" };
    }
    deps.log?.error({ err: errSummary(err) }, "query failed");
    return { status: 500, body: { error: "internal error" }, reason: "error" };
  }
}
