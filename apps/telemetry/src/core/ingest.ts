import type { Client } from "cassandra-driver";
import type { Logger } from "pino";
import { isUnavailable, PartialWriteError } from "./errors.js";
import { identifyEvents, requestDigest } from "./ids.js";
import { LIMITS } from "./limits.js";
import { validateIdempotencyKey, validateIngestBody } from "./validation.js";
import { writeEvents, type WriteOptions } from "./write.js";
import type { HttpResult, TelemetryObserver } from "./types.js";

export const RETRY_AFTER_SECONDS = 5;

export interface IngestRequest {
  readonly method: string | undefined;
  readonly contentType: string | undefined;
  readonly idempotencyKey: string | string[] | undefined;
  /** Raw body, or "too-large" when the adapter stopped reading at the byte limit. */
  readonly body: Buffer | "too-large";
}

export interface IngestDeps {
  readonly getClient: () => Promise<Client>;
  readonly observer?: TelemetryObserver;
  readonly log?: Logger;
  readonly write?: WriteOptions;
  readonly now?: () => number;
}

export function isJsonContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  const mime = ct.split(";")[0]!.trim().toLowerCase();
  return mime === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mime);
}

/** Checks that can run before the body is read (method, content type, headers). */
export function precheckIngest(req: Omit<IngestRequest, "body">): HttpResult | undefined {
  if (req.method !== "POST") {
    return { status: 405, headers: { allow: "POST" }, body: { error: "method not allowed; use POST" }, reason: "method" };
  }
  if (!isJsonContentType(req.contentType)) {
    return { status: 415, body: { error: "content type must be application/json" }, reason: "content_type" };
  }
  const key = validateIdempotencyKey(req.idempotencyKey);
  if (!key.ok) return { status: 400, body: { error: key.reason }, reason: "idempotency_key" };
  return undefined;
}

/**
 * The ingest use case, transport-agnostic: validate everything first (any problem → 400 and
 * nothing is written), then write; 202 only once every event is durably acknowledged at
 * LOCAL_QUORUM.
 */
export async function handleIngest(req: IngestRequest, deps: IngestDeps): Promise<HttpResult> {
  const pre = precheckIngest(req);
  if (pre) return pre;
  if (req.body === "too-large") {
    return { status: 413, body: { error: `body must be at most ${LIMITS.maxBodyBytes} bytes` }, reason: "too_large" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString("utf8"));
  } catch (err) {
    return { status: 400, body: { error: `body is not valid JSON: ${(err as Error).message}` }, reason: "bad_json" };
  }
  const nowMs = (deps.now ?? Date.now)();
  const idempotencyKey = validateIdempotencyKey(req.idempotencyKey);
  const key = idempotencyKey.ok ? idempotencyKey.key : undefined;
  const v = validateIngestBody(parsed, { nowMs, requireTimestamp: key !== undefined });
  if (!v.ok) {
    return { status: 400, body: { error: v.reason, ...(v.problems.length ? { invalid: v.problems } : {}) }, reason: "invalid" };
  }

  const digest = requestDigest(key !== undefined ? { idempotencyKey: key } : { body: req.body });
  const events = identifyEvents(v.events, { nowMs, digest });
  try {
    const client = await deps.getClient();
    const written = await writeEvents(client, events, {
      ...deps.write,
      onBatch: (s, ok) => {
        deps.observer?.batch(s, ok);
        deps.write?.onBatch?.(s, ok);
      },
    });
    deps.observer?.ingested(written);
    return { status: 202, body: { accepted: written } };
  } catch (err) {
    const partial = err instanceof PartialWriteError ? { written: err.written, total: err.total } : {};
    if (isUnavailable(err)) {
      deps.log?.warn({ err: errSummary(err), ...partial }, "ingest: Cassandra unavailable");
      return {
        status: 503,
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
        body: {
          error: "storage unavailable; the request was not acknowledged. Retrying the same request is safe (ids are deterministic).",
        },
        reason: "unavailable",
      };
    }
    deps.log?.error({ err: errSummary(err), ...partial }, "ingest failed");
    return { status: 500, body: { error: "internal error; the request was not acknowledged" }, reason: "error" };
  }
}

export function errSummary(err: unknown): { name: string; message: string } {
  const e = err as Error;
  return { name: e?.name ?? "Error", message: e?.message ?? String(err) };
}
