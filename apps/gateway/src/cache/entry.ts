/** One cached upstream response. Times are epoch milliseconds. */
export interface CacheEntry {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Until then the entry is fresh. */
  expireAt: number;
  /** Between expireAt and deleteAt the entry is stale: served while refreshed in the background. */
  deleteAt: number;
}

/** Level-2 wire format: 4-byte big-endian meta length, meta JSON, raw body. */
export function encodeEntry(entry: CacheEntry): Buffer {
  const meta = Buffer.from(JSON.stringify({ s: entry.status, h: entry.headers, e: entry.expireAt, d: entry.deleteAt }));
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(meta.length, 0);
  return Buffer.concat([head, meta, entry.body]);
}

export function decodeEntry(buf: Buffer): CacheEntry | undefined {
  if (buf.length < 4) return undefined;
  const metaLen = buf.readUInt32BE(0);
  if (4 + metaLen > buf.length) return undefined;
  try {
    const meta = JSON.parse(buf.subarray(4, 4 + metaLen).toString("utf8")) as {
      s: number; h: Record<string, string>; e: number; d: number;
    };
    if (typeof meta.s !== "number" || typeof meta.e !== "number" || typeof meta.d !== "number") return undefined;
    return { status: meta.s, headers: meta.h ?? {}, expireAt: meta.e, deleteAt: meta.d, body: Buffer.from(buf.subarray(4 + metaLen)) };
  } catch {
    return undefined;
  }
}
