import { types, type Client } from "cassandra-driver";
import type { QueryParams } from "./validation.js";

export interface EventView {
  readonly id: string;
  readonly source: string;
  readonly level: string;
  readonly message: string;
  readonly timestamp: string;
  readonly metadata: Record<string, string>;
}

export interface QueryPage {
  readonly events: EventView[];
  /** Opaque token for the next (older) page, or null at the end of the day. */
  readonly next: string | null;
}

/**
 * Paging token: the last returned event id, base64url-encoded with a version prefix. A keyset
 * cursor (event_id < last) instead of the driver's pageState keeps tokens independent of the
 * coordinator and of the query shape, and lets us validate them fully before touching Cassandra.
 */
export function encodeToken(lastId: types.TimeUuid): string {
  return Buffer.from(`v1:${lastId.toString()}`).toString("base64url");
}

export function decodeToken(token: string): types.TimeUuid | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const text = Buffer.from(token, "base64url").toString("utf8");
  const m = /^v1:([0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/.exec(text);
  if (!m) return undefined;
  return types.TimeUuid.fromString(m[1]!);
}

const COLUMNS = "event_id, level, message, metadata";

function statement(withCursor: boolean, withLevel: boolean): string {
  let cql = `SELECT ${COLUMNS} FROM events WHERE source = ? AND day = ?`;
  if (withCursor) cql += " AND event_id < ?";
  // Filtering on a non-key column is restricted to one partition here, so it scans at most that
  // partition's slice; no secondary index needed.
  cql += " LIMIT ?";
  if (withLevel) cql = cql.replace(" LIMIT ?", " AND level = ? LIMIT ? ALLOW FILTERING");
  return cql;
}

/** Reads one page of a partition, newest first. `cursor` must already be decoded/validated. */
export async function queryEvents(
  client: Client,
  q: QueryParams,
  cursor: types.TimeUuid | undefined,
  consistency: number,
): Promise<QueryPage> {
  const params: unknown[] = [q.source, types.LocalDate.fromString(q.day)];
  if (cursor) params.push(cursor);
  if (q.level) params.push(q.level);
  // One extra row tells whether another page exists without a second round trip.
  params.push(q.limit + 1);
  const rs = await client.execute(statement(cursor !== undefined, q.level !== undefined), params, {
    prepare: true,
    consistency,
    fetchSize: q.limit + 1,
    isIdempotent: true,
  });
  const rows = rs.rows.slice(0, q.limit);
  const events = rows.map((r) => {
    const id = r["event_id"] as types.TimeUuid;
    return {
      id: id.toString(),
      source: q.source,
      level: r["level"] as string,
      message: r["message"] as string,
      timestamp: id.getDate().toISOString(),
      metadata: metadataView(r["metadata"]),
    };
  });
  const last = rows.at(-1);
  const next = rs.rows.length > q.limit && last ? encodeToken(last["event_id"] as types.TimeUuid) : null;
  return { events, next };
}

/**
 * The driver decodes maps as Maps (client option `encoding.map`); `Object.fromEntries` defines
 * own data properties, so a `__proto__` key survives into the JSON answer instead of vanishing.
 */
function metadataView(value: unknown): Record<string, string> {
  if (value instanceof Map) return Object.fromEntries(value) as Record<string, string>;
  return (value as Record<string, string> | null) ?? {};
}
