import { createHash } from "node:crypto";
import { types, type Client } from "cassandra-driver";
import type { ValidEvent } from "./validation.js";

/**
 * Idempotency-Key records (table `idempotency_keys`, schema/telemetry.cql): the first request
 * that uses a key in a caller's scope binds the key to a digest of its events, with a
 * lightweight transaction so two racing requests cannot both win. A later request with the same
 * key is a retry when its digest matches (its rows are rewritten under the same ids: no
 * duplicate) and a conflict otherwise (409, nothing written): an acknowledged event is never
 * silently replaced.
 */
const CLAIM = "INSERT INTO idempotency_keys (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?) IF NOT EXISTS";

export type Claim = "new" | "retry" | "conflict";

/** Digest of what a request asks to store, independent of JSON spelling (key order, spaces). */
export function requestHash(events: readonly ValidEvent[]): Buffer {
  const h = createHash("sha256");
  for (const e of events) {
    const meta = e.metadata ? [...e.metadata].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
    h.update(JSON.stringify([e.level, e.message, e.source, e.timestampMs ?? null, meta])).update("\n");
  }
  return h.digest();
}

export async function claimKey(client: Client, scope: string, key: string, hash: Buffer, nowMs: number): Promise<Claim> {
  const rs = await client.execute(CLAIM, [scope, key, hash, new Date(nowMs)], {
    prepare: true,
    consistency: types.consistencies.localQuorum,
    serialConsistency: types.consistencies.localSerial,
    // A retried claim that finds its own first attempt applied reads back the same hash: "retry".
    isIdempotent: true,
  });
  if (rs.wasApplied()) return "new";
  const existing = rs.first()?.["request_hash"] as Buffer | null | undefined;
  return existing && Buffer.compare(existing, hash) === 0 ? "retry" : "conflict";
}
