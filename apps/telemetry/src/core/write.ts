import { types, type Client } from "cassandra-driver";
import { settleWithLimit } from "./concurrency.js";
import { PartialWriteError } from "./errors.js";
import type { IdentifiedEvent } from "./ids.js";

const INSERT =
  "INSERT INTO events (source, day, event_id, level, message, metadata) VALUES (?, ?, ?, ?, ?, ?)";

export interface WriteOptions {
  /** Partitions (chunks) written at the same time per request. */
  readonly concurrency?: number;
  /**
   * Estimated payload bytes per batch. Cassandra rejects batches above batch_size_fail_threshold
   * (50 KiB by default), so a large partition is split into several single-partition batches.
   */
  readonly maxBatchBytes?: number;
  /** Observer of each batch's latency, for metrics. */
  readonly onBatch?: (seconds: number, ok: boolean) => void;
}

export const DEFAULT_WRITE_CONCURRENCY = 16;
export const DEFAULT_MAX_BATCH_BYTES = 40 * 1024;

interface Chunk {
  readonly events: IdentifiedEvent[];
}

function estimateBytes(e: IdentifiedEvent): number {
  let n = 64 + Buffer.byteLength(e.message) + Buffer.byteLength(e.source);
  if (e.metadata) for (const [k, v] of Object.entries(e.metadata)) n += 8 + k.length + Buffer.byteLength(v);
  return n;
}

/** Groups events by partition (source, day) and splits each partition into size-bounded chunks. */
export function planBatches(events: readonly IdentifiedEvent[], maxBatchBytes = DEFAULT_MAX_BATCH_BYTES): Chunk[] {
  const partitions = new Map<string, IdentifiedEvent[]>();
  for (const e of events) {
    const key = JSON.stringify([e.source, e.day]);
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(e);
  }
  const chunks: Chunk[] = [];
  for (const list of partitions.values()) {
    let current: IdentifiedEvent[] = [];
    let bytes = 0;
    for (const e of list) {
      const size = estimateBytes(e);
      if (current.length > 0 && bytes + size > maxBatchBytes) {
        chunks.push({ events: current });
        current = [];
        bytes = 0;
      }
      current.push(e);
      bytes += size;
    }
    if (current.length > 0) chunks.push({ events: current });
  }
  return chunks;
}

function params(e: IdentifiedEvent, day: types.LocalDate): unknown[] {
  // `unset` instead of null for absent metadata: a null would write a tombstone.
  const metadata = e.metadata && Object.keys(e.metadata).length > 0 ? e.metadata : types.unset;
  return [e.source, day, e.id, e.level, e.message, metadata];
}

/**
 * Writes events at LOCAL_QUORUM: one unlogged batch per partition chunk (a single-partition
 * unlogged batch is applied atomically by one replica set, without the batchlog), never a batch
 * spanning partitions; chunks run concurrently with a bound. Resolves with the number written;
 * rejects with PartialWriteError when any chunk failed (the count written before is reported,
 * but the caller must not acknowledge the request).
 */
export async function writeEvents(client: Client, events: readonly IdentifiedEvent[], opts: WriteOptions = {}): Promise<number> {
  const chunks = planBatches(events, opts.maxBatchBytes);
  const execOpts = {
    prepare: true,
    consistency: types.consistencies.localQuorum,
    // Deterministic ids make the insert idempotent, which lets the driver retry it safely.
    isIdempotent: true,
    logged: false,
  };
  const results = await settleWithLimit(chunks, opts.concurrency ?? DEFAULT_WRITE_CONCURRENCY, async (chunk) => {
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      const day = types.LocalDate.fromString(chunk.events[0]!.day); // one partition per chunk
      if (chunk.events.length === 1) {
        await client.execute(INSERT, params(chunk.events[0]!, day), execOpts);
      } else {
        await client.batch(
          chunk.events.map((e) => ({ query: INSERT, params: params(e, day) })),
          execOpts,
        );
      }
      ok = true;
      return chunk.events.length;
    } finally {
      opts.onBatch?.(Number(process.hrtime.bigint() - started) / 1e9, ok);
    }
  });
  let written = 0;
  const causes: unknown[] = [];
  for (const r of results) {
    if (r.status === "fulfilled") written += r.value;
    else causes.push(r.reason);
  }
  if (causes.length > 0) throw new PartialWriteError(written, events.length, causes);
  return written;
}
