import { createHash } from "node:crypto";
import { types } from "cassandra-driver";
import type { ValidEvent } from "./validation.js";

/**
 * Deterministic timeuuids, made on the client from the event timestamp, so that a retried request
 * writes the very same rows (an INSERT of an existing primary key overwrites it: no duplicate).
 *
 * Layout of a v1 UUID: a 60-bit time field (100 ns units), a 14-bit clock sequence and a 48-bit
 * node. We put the event's millisecond in the time field plus the event's index in the request
 * as the sub-millisecond "ticks" (requests hold at most 1,000 events, ticks go to 9,999), and
 * take clock sequence and node from one SHA-256 digest per request instead of random values:
 *
 * - With an Idempotency-Key: digest of the key. A retry with the same key maps event i to the
 *   same id; two different requests with identical events stay distinct.
 * - Without a key: digest of the raw request body. A blind retry of the same bytes is idempotent
 *   as long as the producer sends timestamps (events without one are stamped at receipt, so only
 *   the keyed path, which then requires timestamps, guarantees exactly-once across retries).
 *   Identical events inside one request stay separate rows (different index).
 *
 * Two different requests collide only if their digests agree on 62 bits and they carry an event
 * at the same index in the same millisecond. One hash per request (not per event) keeps the cost
 * negligible next to the write. Within one millisecond, ids of a request keep the request order.
 */
export function eventId(timestampMs: number, index: number, digest: Buffer): types.TimeUuid {
  // Same bytes as types.TimeUuid.fromDate(date, ticks, node, clock) (a unit test checks this),
  // written directly: the driver's generic path costs ~10 µs per id in Long arithmetic.
  const t = (BigInt(timestampMs) + GREGORIAN_OFFSET_MS) * 10_000n + BigInt(index % 10_000);
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(Number(t & 0xffffffffn), 0); // time_low
  b.writeUInt16BE(Number((t >> 32n) & 0xffffn), 4); // time_mid
  b.writeUInt16BE(Number((t >> 48n) & 0x0fffn) | 0x1000, 6); // version 1 + time_hi
  b[8] = (digest[0]! & 0x3f) | 0x80; // RFC 4122 variant + clock sequence
  b[9] = digest[1]!;
  digest.copy(b, 10, 2, 8); // node
  return new types.TimeUuid(b);
}

/** Milliseconds between the UUID epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET_MS = 12_219_292_800_000n;

/**
 * `scope` is the caller's idempotency scope (core/subject.ts): with a subject, the same key (or
 * body) of two callers gives different ids, so one caller can never address another's rows.
 * The anonymous scope ("") hashes exactly as before scopes existed, so retries that span an
 * upgrade still map to the same rows.
 */
export function requestDigest(input: ({ idempotencyKey: string } | { body: Buffer }) & { scope?: string }): Buffer {
  const h = createHash("sha256");
  if (input.scope) h.update("scope\0").update(input.scope).update("\0");
  if ("idempotencyKey" in input) h.update("key\0").update(input.idempotencyKey);
  else h.update("body\0").update(input.body);
  return h.digest();
}

export interface IdentifiedEvent extends ValidEvent {
  readonly timestampMs: number;
  readonly day: string;
  readonly id: types.TimeUuid;
}

/** Resolves timestamps and assigns ids to a validated request. */
export function identifyEvents(events: readonly ValidEvent[], opts: { nowMs: number; digest: Buffer }): IdentifiedEvent[] {
  return events.map((e, index) => {
    const timestampMs = e.timestampMs ?? opts.nowMs;
    return { ...e, timestampMs, day: utcDay(timestampMs), id: eventId(timestampMs, index, opts.digest) };
  });
}

/** The partition day of a timestamp, in UTC whatever the process time zone. */
export function utcDay(ms: number): string {
  // Events of a request share a handful of days: format each day number once.
  const dayNumber = Math.floor(ms / 86_400_000);
  let day = dayCache.get(dayNumber);
  if (day === undefined) {
    day = new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
    if (dayCache.size > 1024) dayCache.clear();
    dayCache.set(dayNumber, day);
  }
  return day;
}
const dayCache = new Map<number, string>();
