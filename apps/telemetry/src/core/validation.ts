import { z } from "zod";
import { LEVELS, LIMITS, type Level } from "./limits.js";

/** An event after validation: timestamp resolved to epoch milliseconds. */
export interface ValidEvent {
  readonly level: Level;
  readonly message: string;
  readonly source: string;
  /** Epoch ms; `undefined` when the producer did not send one (stamped at receipt). */
  readonly timestampMs: number | undefined;
  /**
   * A Map, never a plain object: keys such as `__proto__` or `hasOwnProperty` are data here, and
   * the driver (client option `encoding.map = Map`) encodes a Map entry by entry.
   */
  readonly metadata: ReadonlyMap<string, string> | undefined;
}

export interface EventProblem {
  readonly index: number;
  readonly reason: string;
}

const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * True when `s` has no lone surrogate. The UTF-8 encoder would turn one into U+FFFD, so
 * `"sur\ud800"` would be stored as (and collide with) a real `"sur\ufffd"`.
 */
export const isWellFormed = (s: string) => !/\p{Cs}/u.test(s);
const WELL_FORMED = "must be well-formed Unicode (no lone surrogates)";

const timestamp = z.union([
  z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time with offset or epoch milliseconds" }),
  z.number().int("must be an integer number of epoch milliseconds"),
]);

const eventSchema = z.strictObject({
  level: z.enum(LEVELS, { error: `must be one of ${LEVELS.join("|")}` }),
  message: z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .refine(isWellFormed, WELL_FORMED)
    .refine((m) => utf8Bytes(m) <= LIMITS.maxMessageBytes, `must be at most ${LIMITS.maxMessageBytes} bytes (UTF-8)`),
  source: z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .max(LIMITS.maxSourceChars, `must be at most ${LIMITS.maxSourceChars} characters`)
    // Control characters in a partition key are almost always a producer bug.
    .regex(/^[^\p{Cc}]+$/u, "must not contain control characters")
    .refine(isWellFormed, WELL_FORMED),
  timestamp: timestamp.optional(),
  // Checked by metadataMap() below: a zod record copies into a plain object, where a `__proto__`
  // key sets the prototype (dropped) and keys like `hasOwnProperty` shadow what the driver calls.
  metadata: z.unknown().optional(),
});

/**
 * Metadata as a Map of its own keys (JSON.parse makes `__proto__` an own data property), or the
 * list of problems, each naming the key.
 */
function metadataMap(raw: unknown): { ok: true; map: Map<string, string> | undefined } | { ok: false; problems: string[] } {
  if (raw === undefined) return { ok: true, map: undefined };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, problems: ["metadata must be an object of string to string"] };
  const keys = Object.keys(raw);
  if (keys.length > LIMITS.maxMetadataKeys) return { ok: false, problems: [`metadata must have at most ${LIMITS.maxMetadataKeys} keys`] };
  const problems: string[] = [];
  const map = new Map<string, string>();
  for (const key of keys) {
    const value = (Object.getOwnPropertyDescriptor(raw, key) as PropertyDescriptor).value as unknown;
    const name = JSON.stringify(key);
    if (key.length === 0) problems.push("metadata keys must not be empty");
    else if (key.length > LIMITS.maxMetadataKeyChars) problems.push(`metadata keys must be at most ${LIMITS.maxMetadataKeyChars} characters`);
    else if (!isWellFormed(key)) problems.push(`metadata key ${name} ${WELL_FORMED}`);
    if (typeof value !== "string") problems.push(`metadata.${name} values must be strings`);
    else if (utf8Bytes(value) > LIMITS.maxMetadataValueBytes) problems.push(`metadata.${name} values must be at most ${LIMITS.maxMetadataValueBytes} bytes`);
    else if (!isWellFormed(value)) problems.push(`metadata.${name} ${WELL_FORMED}`);
    else map.set(key, value);
  }
  return problems.length ? { ok: false, problems } : { ok: true, map };
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")} ${i.message}` : i.message)).join("; ");
}

function toMs(ts: string | number): number {
  return typeof ts === "number" ? ts : Date.parse(ts);
}

export type IngestValidation =
  | { readonly ok: true; readonly events: readonly ValidEvent[] }
  | { readonly ok: false; readonly reason: string; readonly problems: readonly EventProblem[] };

/**
 * Validates a parsed ingest body. Every event is checked (not just the first bad one) so a
 * producer can fix a whole batch from one 400; any problem rejects the whole request.
 */
export function validateIngestBody(body: unknown, opts: { nowMs: number; requireTimestamp: boolean }): IngestValidation {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'body must be a JSON object {"events": [...]}', problems: [] };
  }
  const extra = Object.keys(body).filter((k) => k !== "events");
  if (extra.length > 0) return { ok: false, reason: `unknown top-level field(s): ${extra.join(", ")}`, problems: [] };
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) return { ok: false, reason: '"events" must be an array', problems: [] };
  if (events.length === 0) return { ok: false, reason: '"events" must not be empty', problems: [] };
  if (events.length > LIMITS.maxEventsPerRequest) {
    return { ok: false, reason: `at most ${LIMITS.maxEventsPerRequest} events per request, got ${events.length}`, problems: [] };
  }

  const valid: ValidEvent[] = [];
  const problems: EventProblem[] = [];
  events.forEach((raw, index) => {
    const r = eventSchema.safeParse(raw);
    if (!r.success) {
      problems.push({ index, reason: formatIssues(r.error) });
      return;
    }
    const e = r.data;
    const meta = metadataMap(e.metadata);
    if (!meta.ok) {
      problems.push({ index, reason: meta.problems.join("; ") });
      return;
    }
    let timestampMs: number | undefined;
    if (e.timestamp !== undefined) {
      timestampMs = toMs(e.timestamp);
      if (!Number.isFinite(timestampMs) || timestampMs < LIMITS.minTimestampMs) {
        problems.push({ index, reason: "timestamp must not be before 2000-01-01" });
        return;
      }
      if (timestampMs > opts.nowMs + LIMITS.maxFutureSkewMs) {
        problems.push({ index, reason: "timestamp must not be more than 24h in the future" });
        return;
      }
    } else if (opts.requireTimestamp) {
      // A retried request must map to the same rows; a receipt time would differ per attempt.
      problems.push({ index, reason: "timestamp is required when an Idempotency-Key is sent" });
      return;
    }
    valid.push({ level: e.level, message: e.message, source: e.source, timestampMs, metadata: meta.map });
  });
  if (problems.length > 0) return { ok: false, reason: `${problems.length} invalid event(s); nothing was written`, problems };
  return { ok: true, events: valid };
}

/** Validates the Idempotency-Key header (undefined when absent). */
export function validateIdempotencyKey(value: string | string[] | undefined): { ok: true; key?: string } | { ok: false; reason: string } {
  if (value === undefined) return { ok: true };
  if (Array.isArray(value)) return { ok: false, reason: "Idempotency-Key must be sent once" };
  if (value.length < 1 || value.length > LIMITS.maxIdempotencyKeyChars || !/^[\x21-\x7e]+$/.test(value)) {
    return { ok: false, reason: `Idempotency-Key must be 1..${LIMITS.maxIdempotencyKeyChars} visible ASCII characters` };
  }
  return { ok: true, key: value };
}

export interface QueryParams {
  readonly source: string;
  readonly day: string;
  readonly limit: number;
  readonly level: Level | undefined;
  readonly pageToken: string | undefined;
}

const dayRegex = /^\d{4}-\d{2}-\d{2}$/;

const querySchema = z.strictObject({
  source: z
    .string({ error: "is required" })
    .min(1, "must not be empty")
    .max(LIMITS.maxSourceChars, `must be at most ${LIMITS.maxSourceChars} characters`),
  day: z
    .string({ error: "is required (YYYY-MM-DD)" })
    .regex(dayRegex, "must be YYYY-MM-DD")
    .refine((d) => {
      const t = Date.parse(`${d}T00:00:00Z`);
      return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
    }, "must be a real calendar date"),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `must be an integer 1..${LIMITS.query.maxLimit}`)
    .transform(Number)
    .pipe(z.number().min(1, `must be an integer 1..${LIMITS.query.maxLimit}`).max(LIMITS.query.maxLimit, `must be an integer 1..${LIMITS.query.maxLimit}`))
    .optional(),
  level: z.enum(LEVELS, { error: `must be one of ${LEVELS.join("|")}` }).optional(),
  pageToken: z.string().min(1).max(LIMITS.query.maxTokenChars, "is not a valid paging token").optional(),
});

/** Validates query-string parameters; repeated parameters are rejected rather than guessed. */
export function validateQueryParams(search: URLSearchParams): { ok: true; params: QueryParams } | { ok: false; reason: string } {
  const obj: Record<string, string> = {};
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key);
    if (all.length > 1) return { ok: false, reason: `${key} must be given once` };
    obj[key] = all[0]!;
  }
  const r = querySchema.safeParse(obj);
  if (!r.success) return { ok: false, reason: formatIssues(r.error).replace(/Unrecognized key/g, "unknown parameter") };
  return {
    ok: true,
    params: {
      source: r.data.source,
      day: r.data.day,
      limit: r.data.limit ?? LIMITS.query.defaultLimit,
      level: r.data.level,
      pageToken: r.data.pageToken,
    },
  };
}
