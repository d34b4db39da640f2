import { createHash } from "node:crypto";
import { types } from "cassandra-driver";
import type { ValidEvent } from "./validation.js";

/**
 * Deterministic timeuuids, made on the client from the event timestamp, so that a retried request
 * writes the very same rows (an INSERT of an existing primary key overwrites it: no duplicate).
 *
 * Layout: the 60-bit time field is the event's millisecond plus a 0..9999 "ticks" offset, and the
 * clock sequence (2 bytes) and node (6 bytes) come from a SHA-256 digest instead of the random
 * values a v1 UUID would use. Two schemes feed the digest:
 *
 * - With an Idempotency-Key: digest(key, index in request). A retry with the same key and body
 *   maps event i to the same id; two different requests with identical events stay distinct.
 * - Without a key: digest(canonical event content, occurrence number of that identical content
 *   in the request). A blind retry of the same body is still idempotent as long as the producer
 *   sends timestamps; identical events within one request are kept as separate rows. Events
 *   without a timestamp are stamped at receipt, so only the keyed path (which then requires
 *   timestamps) guarantees exactly-once across retries.
 *
 * Ordering: ids sort by the event millisecond; within one millisecond the order is arbitrary
 * (the ticks come from the digest), which is acceptable at the API's millisecond precision.
 */
export function eventId(timestampMs: number, digest: Buffer): types.TimeUuid {
  const ticks = digest.readUInt16BE(0) % 10000;
  return types.TimeUuid.fromDate(new Date(timestampMs), ticks, digest.subarray(4, 10), digest.subarray(2, 4));
}

export function keyedDigest(idempotencyKey: string, index: number): Buffer {
  return createHash("sha256").update("k\0").update(idempotencyKey).update("\0").update(String(index)).digest();
}

/** Canonical JSON of an event (metadata keys sorted), so key order does not change the id. */
export function canonicalEvent(e: ValidEvent, timestampMs: number): string {
  const metadata = e.metadata ? Object.fromEntries(Object.entries(e.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : null;
  return JSON.stringify([e.source, e.level, e.message, timestampMs, metadata]);
}

export function contentDigest(canonical: string, occurrence: number): Buffer {
  return createHash("sha256").update("c\0").update(canonical).update("\0").update(String(occurrence)).digest();
}

export interface IdentifiedEvent extends ValidEvent {
  readonly timestampMs: number;
  readonly day: string;
  readonly id: types.TimeUuid;
}

/** Resolves timestamps and assigns ids to a validated request. */
export function identifyEvents(events: readonly ValidEvent[], opts: { nowMs: number; idempotencyKey?: string }): IdentifiedEvent[] {
  const seen = new Map<string, number>();
  return events.map((e, index) => {
    const timestampMs = e.timestampMs ?? opts.nowMs;
    let digest: Buffer;
    if (opts.idempotencyKey !== undefined) {
      digest = keyedDigest(opts.idempotencyKey, index);
    } else {
      const canonical = canonicalEvent(e, timestampMs);
      const occurrence = seen.get(canonical) ?? 0;
      seen.set(canonical, occurrence + 1);
      digest = contentDigest(canonical, occurrence);
    }
    return { ...e, timestampMs, day: utcDay(timestampMs), id: eventId(timestampMs, digest) };
  });
}

/** The partition day of a timestamp, in UTC whatever the process time zone. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
