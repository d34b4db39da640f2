import type { Client } from "cassandra-driver";
import type { Logger } from "pino";
import { deniedSources, forbiddenSources, resolveAccess, type AccessDeps, type AccessRequest } from "./access.js";
import { isUnavailable, PartialWriteError } from "./errors.js";
import { claimKey, requestHash } from "./idempotency.js";
import { identifyEvents, requestDigest } from "./ids.js";
import { LIMITS } from "./limits.js";
import { scopeOf } from "./subject.js";
import { validateIdempotencyKey, validateIngestBody } from "./validation.js";
import { preflightEncode, writeEvents, type WriteOptions } from "./write.js";
import type { HttpResult, TelemetryObserver } from "./types.js";

export const RETRY_AFTER_SECONDS = 5;

export interface IngestRequest extends AccessRequest {
  readonly method: string | undefined;
  readonly contentType: string | undefined;
  readonly idempotencyKey: string | string[] | undefined;
  /** Raw body, or "too-large" when the adapter stopped reading at the byte limit. */
  readonly body: Buffer | "too-large";
}

export interface IngestDeps extends AccessDeps {
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

/** The `charset` parameter of a content type, lower-cased and unquoted; undefined when absent. */
export function charsetOf(ct: string): string | undefined {
  for (const param of ct.split(";").slice(1)) {
    const eq = param.indexOf("=");
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    return param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
  }
  return undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Checks that can run before the body is read (method, content type, headers). */
export function precheckIngest(req: Omit<IngestRequest, "body">): HttpResult | undefined {
  if (req.method !== "POST") {
    return { status: 405, headers: { allow: "POST" }, body: { error: "method not allowed; use POST" }, reason: "method" };
  }
  if (!isJsonContentType(req.contentType)) {
    return { status: 415, body: { error: "content type must be application/json" }, reason: "content_type" };
  }
  // JSON is UTF-8 (RFC 8259); decoding another charset as UTF-8 would store something else.
  const charset = charsetOf(req.contentType!);
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    return { status: 415, body: { error: `charset must be utf-8, got ${JSON.stringify(charset.slice(0, 40))}` }, reason: "content_type" };
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
  let text: string;
  try {
    text = utf8.decode(req.body);
  } catch {
    // Not replaced by U+FFFD: two different byte strings must never become the same event.
    return { status: 400, body: { error: "body is not valid UTF-8" }, reason: "bad_json" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { status: 400, body: { error: `body is not valid JSON: ${(err as Error).message}` }, reason: "bad_json" };
  }
  const nowMs = (deps.now ?? Date.now)();
  const resolved = resolveAccess(req, deps, nowMs);
  if (!resolved.ok) return resolved.result;
  const access = resolved.access;
  const scope = scopeOf(access.subject, access.tenant);
  const idempotencyKey = validateIdempotencyKey(req.idempotencyKey);
  const key = idempotencyKey.ok ? idempotencyKey.key : undefined;
  const v = validateIngestBody(parsed, { nowMs, requireTimestamp: key !== undefined });
  if (!v.ok) {
    return { status: 400, body: { error: v.reason, ...(v.problems.length ? { invalid: v.problems } : {}) }, reason: "invalid" };
  }
  // The whole batch or nothing: one foreign source refuses every event, before any write.
  const denied = deniedSources(access, v.events.map((e) => e.source));
  if (denied.length > 0) return forbiddenSources(denied);

  const digest = requestDigest(key !== undefined ? { idempotencyKey: key, scope } : { body: req.body, scope });
  const events = identifyEvents(v.events, { nowMs, digest });
  const unstorable = preflightEncode(events);
  if (unstorable) {
    const problems = [unstorable];
    return { status: 400, body: { error: "1 invalid event(s); nothing was written", invalid: problems }, reason: "invalid" };
  }
  try {
    const client = await deps.getClient();
    if (key !== undefined && (await claimKey(client, scope, key, requestHash(v.events), nowMs)) === "conflict") {
      return {
        status: 409,
        body: { error: "this Idempotency-Key was already used for a different request; nothing was written (use a new key for new events)" },
        reason: "idempotency_conflict",
      };
    }
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
    if (err instanceof PartialWriteError && err.written > 0) {
      // Some partitions are in place and retries within the request did not finish the rest.
      // Not a clean failure: say so, and ask for the retry that completes it (same ids).
      deps.log?.error({ err: errSummary(err), ...partial }, "ingest: partial write");
      return {
        status: 503,
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
        body: {
          error: `partially written (${err.written} of ${err.total} events); not acknowledged. Retry the same request (same Idempotency-Key, or the same body) to complete it under the same ids.`,
          ...partial,
        },
        reason: "partial",
      };
    }
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
