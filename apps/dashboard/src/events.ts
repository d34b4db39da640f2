/**
 * Pure view logic of the dashboard (no React, no fetch), unit-tested in test/dashboard.
 * Rows merge the server's page with the events this tab sent that the query has not returned yet.
 */

export const LEVELS = ["info", "warn", "error"] as const;
export type Level = (typeof LEVELS)[number];

/** One event as the query API returns it (apps/telemetry/src/core/read.ts `EventView`). */
export interface TelemetryEvent {
  readonly id: string;
  readonly source: string;
  readonly level: string;
  readonly message: string;
  /** ISO-8601, derived from the time-based id. */
  readonly timestamp: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Metadata key carrying the id this tab gave an event, so the query's copy can be recognised. */
export const CLIENT_ID_KEY = "dashboardEventId";

export type SendStatus = "sending" | "pending" | "confirmed" | "timeout" | "failed";

/** An event sent from this tab, tracked until the query returns it. */
export interface SentEvent {
  readonly clientId: string;
  readonly level: Level;
  readonly message: string;
  readonly source: string;
  /** Epoch ms when the user pressed send. */
  readonly sentAt: number;
  readonly status: SendStatus;
  /** Epoch ms when the query first returned it. */
  readonly confirmedAt?: number;
  readonly error?: string;
}

export interface Filters {
  readonly source: string;
  /** YYYY-MM-DD (UTC), the partition the API reads. */
  readonly day: string;
  /** Empty for every level. */
  readonly level: Level | "";
}

export interface Row {
  /** Stable across the pending → confirmed switch, so React keeps the same DOM row (no flicker). */
  readonly key: string;
  readonly level: string;
  readonly source: string;
  readonly message: string;
  readonly timestamp: string;
  /** Set for events sent from this tab. */
  readonly status?: SendStatus;
}

/** YYYY-MM-DD of `ms` in UTC (the API partitions by UTC day). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function rowKey(e: TelemetryEvent): string {
  return e.metadata[CLIENT_ID_KEY] ?? e.id;
}

/** The query's copy of a sent event, if it is in `events`. */
export function findSent(events: readonly TelemetryEvent[], clientId: string): TelemetryEvent | undefined {
  return events.find((e) => e.metadata[CLIENT_ID_KEY] === clientId);
}

function visible(s: SentEvent, f: Filters, now: number): boolean {
  return s.source === f.source && (f.level === "" || s.level === f.level) && utcDay(s.sentAt) === f.day && s.status !== "failed" && s.sentAt <= now;
}

/**
 * Rows newest first: server events (marked confirmed when this tab sent them) plus sent events
 * the server has not returned yet (pending). Failed sends are reported by the form, not listed.
 */
export function buildRows(events: readonly TelemetryEvent[], sent: readonly SentEvent[], f: Filters, now = Date.now()): Row[] {
  const byClientId = new Map(sent.map((s) => [s.clientId, s]));
  const seen = new Set<string>();
  const rows: Row[] = events.map((e) => {
    const key = rowKey(e);
    seen.add(key);
    const mine = byClientId.get(key);
    return { key, level: e.level, source: e.source, message: e.message, timestamp: e.timestamp, status: mine ? "confirmed" : undefined };
  });
  for (const s of sent) {
    if (seen.has(s.clientId) || !visible(s, f, now)) continue;
    rows.push({ key: s.clientId, level: s.level, source: s.source, message: s.message, timestamp: new Date(s.sentAt).toISOString(), status: s.status });
  }
  // Stable sort: equal timestamps keep the server's order.
  return rows.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}

/** Whether two pages hold the same events in the same order (skip a state update, no re-render). */
export function samePage(a: readonly TelemetryEvent[] | undefined, b: readonly TelemetryEvent[]): boolean {
  return a !== undefined && a.length === b.length && a.every((e, i) => e.id === b[i]!.id);
}

/** The query string the API expects (`source`, `day`, optional `level`, `limit`). */
export function queryString(f: Filters, limit: number): string {
  const p = new URLSearchParams({ source: f.source, day: f.day, limit: String(limit) });
  if (f.level) p.set("level", f.level);
  return p.toString();
}

/** Human text for the send form's status line. */
export function describeSend(s: SentEvent, timeoutSeconds: number): string {
  switch (s.status) {
    case "sending":
      return "Sending…";
    case "pending":
      return "Accepted (202). Waiting for the query to return it…";
    case "confirmed":
      return `Confirmed: the query returned it after ${(((s.confirmedAt ?? s.sentAt) - s.sentAt) / 1000).toFixed(1)} s.`;
    case "timeout":
      return `Not confirmed after ${timeoutSeconds} s: the API accepted the event, but the query has not returned it yet. It will show up on a later refresh if it was stored.`;
    case "failed":
      return `Not sent: ${s.error ?? "unknown error"}`;
  }
}
