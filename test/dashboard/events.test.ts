import { describe, expect, it } from "vitest";
import {
  buildRows,
  CLIENT_ID_KEY,
  describeSend,
  findSent,
  queryString,
  samePage,
  utcDay,
  type Filters,
  type SentEvent,
  type TelemetryEvent,
} from "../../apps/dashboard/src/events";

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const f: Filters = { source: "checkout", day: "2026-11-22", level: "" };
const ev = (id: string, secondsAfter: number, extra: Partial<TelemetryEvent> = {}): TelemetryEvent => ({
  id,
  source: "checkout",
  level: "info",
  message: `m-${id}`,
  timestamp: new Date(T0 + secondsAfter * 1000).toISOString(),
  metadata: {},
  ...extra,
});
const sent = (clientId: string, secondsAfter: number, extra: Partial<SentEvent> = {}): SentEvent => ({
  clientId,
  level: "info",
  message: `sent-${clientId}`,
  source: "checkout",
  sentAt: T0 + secondsAfter * 1000,
  status: "pending",
  ...extra,
});

describe("dashboard rows", () => {
  it("lists server events newest first with pending sends merged in by time", () => {
    const rows = buildRows([ev("b", 20), ev("a", 10)], [sent("p1", 15), sent("p2", 30)], f, T0 + 60_000);
    expect(rows.map((r) => r.key)).toEqual(["p2", "b", "p1", "a"]);
    expect(rows.find((r) => r.key === "p1")!.status).toBe("pending");
    expect(rows.find((r) => r.key === "a")!.status).toBeUndefined();
  });

  it("keeps the same key when the query returns a sent event, and marks it confirmed", () => {
    const pending = buildRows([], [sent("p1", 5)], f, T0 + 60_000);
    const stored = ev("server-id", 5, { metadata: { [CLIENT_ID_KEY]: "p1" } });
    const confirmed = buildRows([stored], [sent("p1", 5)], f, T0 + 60_000);
    expect(pending.map((r) => r.key)).toEqual(["p1"]);
    expect(confirmed).toHaveLength(1); // not listed twice
    expect(confirmed[0]).toMatchObject({ key: "p1", status: "confirmed" });
  });

  it("hides sends that do not match the filters, and failed sends", () => {
    const rows = buildRows(
      [],
      [sent("other-source", 1, { source: "billing" }), sent("warn", 2, { level: "warn" }), sent("failed", 3, { status: "failed", error: "x" }), sent("ok", 4)],
      { ...f, level: "info" },
      T0 + 60_000,
    );
    expect(rows.map((r) => r.key)).toEqual(["ok"]);
    expect(buildRows([], [sent("yesterday", -13 * 3600)], f, T0).map((r) => r.key)).toEqual([]);
  });

  it("finds a sent event by its client id", () => {
    const page = [ev("x", 1), ev("y", 2, { metadata: { [CLIENT_ID_KEY]: "c-1" } })];
    expect(findSent(page, "c-1")?.id).toBe("y");
    expect(findSent(page, "c-2")).toBeUndefined();
  });

  it("tells an unchanged page from a changed one (no re-render when nothing changed)", () => {
    expect(samePage(undefined, [])).toBe(false);
    expect(samePage([ev("a", 1)], [ev("a", 1)])).toBe(true);
    expect(samePage([ev("a", 1)], [ev("b", 2), ev("a", 1)])).toBe(false);
  });
});

describe("dashboard helpers", () => {
  it("builds the query string the API validates (no unknown parameters)", () => {
    expect(queryString(f, 100)).toBe("source=checkout&day=2026-11-22&limit=100");
    expect(queryString({ ...f, level: "error", source: "a b&c" }, 5)).toBe("source=a+b%26c&day=2026-11-22&limit=5&level=error");
  });

  it("uses the UTC day the API partitions by", () => {
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59, 59))).toBe("2026-01-01");
  });

  it("describes each send state, with a clear message on timeout", () => {
    expect(describeSend(sent("a", 0, { status: "confirmed", confirmedAt: T0 + 1500 }), 10)).toMatch(/Confirmed.*1\.5 s/);
    expect(describeSend(sent("a", 0, { status: "timeout" }), 10)).toMatch(/^Not confirmed after 10 s/);
    expect(describeSend(sent("a", 0, { status: "failed", error: "HTTP 400 bad" }), 10)).toBe("Not sent: HTTP 400 bad");
    expect(describeSend(sent("a", 0), 10)).toMatch(/Waiting for the query/);
  });
});
