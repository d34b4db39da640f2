import * as driver from "cassandra-driver";
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
  /**
   * Extra rounds for the chunks that failed while others of the request were written: the ids
   * are deterministic, so rewriting a chunk is safe, and finishing the request beats leaving
   * half of it in place. @default 2
   */
  readonly partialRetries?: number;
  /** Pause before each extra round, in ms (doubled each round). @default 50 */
  readonly partialRetryDelayMs?: number;
}

export const DEFAULT_WRITE_CONCURRENCY = 16;
export const DEFAULT_MAX_BATCH_BYTES = 40 * 1024;

interface Chunk {
  readonly events: IdentifiedEvent[];
}

function estimateBytes(e: IdentifiedEvent): number {
  let n = 64 + Buffer.byteLength(e.message) + Buffer.byteLength(e.source);
  if (e.metadata) for (const [k, v] of e.metadata) n += 8 + k.length + Buffer.byteLength(v);
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
  const metadata = e.metadata && e.metadata.size > 0 ? e.metadata : types.unset;
  return [e.source, day, e.id, e.level, e.message, metadata];
}

/** The driver's own encoder (not in its type declarations), configured like the client. */
interface DriverEncoder {
  encode(value: unknown, type: { code: number; info?: unknown }): Buffer | null;
}
const Encoder = (driver as unknown as { Encoder: new (protocolVersion: number, options: object) => DriverEncoder }).Encoder;
const encoder = new Encoder(types.protocolVersion.v4, { encoding: { map: Map } });
const { dataTypes } = types;
const TEXT = { code: dataTypes.text };
/** Column types of INSERT's parameters, in order (schema/telemetry.cql). */
const INSERT_TYPES = [TEXT, { code: dataTypes.date }, { code: dataTypes.timeuuid }, TEXT, TEXT, { code: dataTypes.map, info: [TEXT, TEXT] }];

/**
 * Encodes every parameter of every event exactly as the driver will, before anything is written:
 * a value the driver cannot encode must fail the whole request up front, never after other
 * partitions were written. Returns the first problem as `index: reason`, or undefined.
 */
export function preflightEncode(events: readonly IdentifiedEvent[]): { index: number; reason: string } | undefined {
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const values = params(e, types.LocalDate.fromString(e.day));
    for (let p = 0; p < values.length; p++) {
      if (values[p] === types.unset) continue;
      try {
        encoder.encode(values[p], INSERT_TYPES[p]!);
      } catch (err) {
        return { index: i, reason: `cannot be stored: ${(err as Error).message}` };
      }
    }
  }
  return undefined;
}

/**
 * Writes events at LOCAL_QUORUM: one unlogged batch per partition chunk (a single-partition
 * unlogged batch is applied atomically by one replica set, without the batchlog), never a batch
 * spanning partitions; chunks run concurrently with a bound. When some chunks were written and
 * others failed, the failed ones get `partialRetries` more rounds (same ids, so no duplicate).
 * Resolves with the number written; rejects with PartialWriteError when a chunk still failed
 * (the count written is reported; the caller must not acknowledge the request).
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
  const writeChunk = async (chunk: Chunk) => {
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
  };
  const concurrency = opts.concurrency ?? DEFAULT_WRITE_CONCURRENCY;
  let pending = chunks;
  let written = 0;
  let causes: unknown[] = [];
  for (let round = 0; ; round++) {
    const results = await settleWithLimit(pending, concurrency, writeChunk);
    const failed: Chunk[] = [];
    causes = [];
    results.forEach((r, i) => {
      if (r.status === "fulfilled") written += r.value;
      else {
        failed.push(pending[i]!);
        causes.push(r.reason);
      }
    });
    if (failed.length === 0) return written;
    // Nothing written at all: fail fast (the caller answers 503/500 and nothing is in place).
    // Something written: finish the request under the same ids rather than leave half of it.
    if (written === 0 || round >= (opts.partialRetries ?? 2)) break;
    await new Promise((r) => setTimeout(r, (opts.partialRetryDelayMs ?? 50) * 2 ** round));
    pending = failed;
  }
  throw new PartialWriteError(written, events.length, causes);
}
