import { describe, expect, it } from "vitest";
import { loadTelemetryConfig, TelemetryConfigError } from "../../../apps/telemetry/src/config/index.js";
import { errors, types } from "cassandra-driver";
import { isUnavailable, PartialWriteError } from "../../../apps/telemetry/src/core/errors.js";
import { eventId, identifyEvents, requestDigest, utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { LIMITS } from "../../../apps/telemetry/src/core/limits.js";
import { decodeToken, encodeToken } from "../../../apps/telemetry/src/core/read.js";
import { validateIngestBody, validateQueryParams, type ValidEvent } from "../../../apps/telemetry/src/core/validation.js";
import { planBatches } from "../../../apps/telemetry/src/core/write.js";

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const ok = { level: "info", message: "hello", source: "svc" };

describe("config", () => {
  it("names every missing key in one error and applies defaults", () => {
    expect(() => loadTelemetryConfig({})).toThrow(TelemetryConfigError);
    try {
      loadTelemetryConfig({ PORT: "nope", CASSANDRA_TLS: "maybe" });
    } catch (e) {
      const msg = (e as Error).message;
      for (const key of ["CASSANDRA_CONTACT_POINTS", "CASSANDRA_LOCAL_DC", "PORT", "CASSANDRA_TLS"]) expect(msg).toContain(key);
    }
    const c = loadTelemetryConfig({ CASSANDRA_CONTACT_POINTS: "a, b:9043", CASSANDRA_LOCAL_DC: "dc1" });
    expect(c).toMatchObject({ role: "command", port: 8080, cassandraPort: 9042, keyspace: "telemetry", tls: false, contactPoints: ["a", "b:9043"] });
    expect(c.credentials).toBeUndefined();
  });

  it("requires username and password together and never echoes the secret", () => {
    const env = { CASSANDRA_CONTACT_POINTS: "a", CASSANDRA_LOCAL_DC: "dc1", CASSANDRA_PASSWORD: "hunter2-secret" };
    expect(() => loadTelemetryConfig(env)).toThrow(/CASSANDRA_USERNAME is required/);
    try {
      loadTelemetryConfig({ ...env, TELEMETRY_ROLE: "admin" });
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2-secret");
      expect((e as Error).message).toContain("TELEMETRY_ROLE");
    }
    const c = loadTelemetryConfig({ ...env, CASSANDRA_USERNAME: "app", CASSANDRA_TLS: "true", TELEMETRY_ROLE: "query" });
    expect(c.credentials).toEqual({ username: "app", password: "hunter2-secret" });
    expect(c.tls).toBe(true);
    expect(c.role).toBe("query");
  });
});

describe("ingest validation", () => {
  const v = (body: unknown, requireTimestamp = false) => validateIngestBody(body, { nowMs: now, requireTimestamp });

  it("accepts valid events and resolves timestamps", () => {
    const r = v({ events: [ok, { ...ok, level: "error", timestamp: "2026-11-22T10:00:00.123Z", metadata: { k: "v" } }, { ...ok, timestamp: now - 5 }] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.events.map((e) => e.timestampMs)).toEqual([undefined, Date.UTC(2026, 10, 22, 10, 0, 0, 123), now - 5]);
  });

  it("lists every bad index with its reason", () => {
    const r = v({
      events: [
        ok,
        { ...ok, level: "debug" },
        { ...ok, message: "x".repeat(LIMITS.maxMessageBytes + 1) },
        { ...ok, metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"])) },
        { ...ok, metadata: { k: 1 } },
        { ...ok, extra: true },
        { ...ok, timestamp: "yesterday" },
        { ...ok, source: "" },
        "not an object",
        { ...ok, timestamp: now + 2 * LIMITS.maxFutureSkewMs },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.problems[0]!.reason).toMatch(/level must be one of info\|warn\|error/);
    expect(r.problems[1]!.reason).toMatch(/message must be at most 8192 bytes/);
    expect(r.problems[2]!.reason).toMatch(/metadata must have at most 32 keys/);
    expect(r.problems[4]!.reason).toMatch(/extra/);
  });

  it("counts message size in UTF-8 bytes, not characters", () => {
    const multiByte = "é".repeat(LIMITS.maxMessageBytes / 2 + 1); // 2 bytes each
    expect(v({ events: [{ ...ok, message: multiByte }] }).ok).toBe(false);
    expect(v({ events: [{ ...ok, message: "é".repeat(LIMITS.maxMessageBytes / 2) }] }).ok).toBe(true);
  });

  it("rejects malformed envelopes and more than 1000 events", () => {
    expect(v([ok]).ok).toBe(false);
    expect(v({}).ok).toBe(false);
    expect(v({ events: [] }).ok).toBe(false);
    expect(v({ events: [ok], more: 1 }).ok).toBe(false);
    expect(v({ events: Array.from({ length: 1001 }, () => ok) }).ok).toBe(false);
    expect(v({ events: Array.from({ length: 1000 }, () => ok) }).ok).toBe(true);
  });

  it("requires timestamps when an idempotency key makes ids retry-stable", () => {
    const r = v({ events: [{ ...ok, timestamp: now }, ok] }, true);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([{ index: 1, reason: expect.stringMatching(/timestamp is required/) }]);
  });
});

describe("event ids", () => {
  const events: ValidEvent[] = [
    { level: "info", message: "a", source: "s", timestampMs: now, metadata: new Map([["b", "2"], ["a", "1"]]) },
    { level: "info", message: "a", source: "s", timestampMs: now, metadata: new Map([["b", "2"], ["a", "1"]]) },
    { level: "warn", message: "b", source: "s", timestampMs: now - 1000, metadata: undefined },
  ];
  const body = Buffer.from(JSON.stringify({ events }));
  const ids = (digest: Buffer, nowMs = now) => identifyEvents(events, { nowMs, digest }).map((e) => e.id.toString());

  it("are timeuuids carrying the event time, deterministic for the same body", () => {
    const a = identifyEvents(events, { nowMs: now, digest: requestDigest({ body }) });
    expect(ids(requestDigest({ body: Buffer.from(body) }), now + 99)).toEqual(a.map((e) => e.id.toString()));
    expect(a[2]!.id.getDate().getTime()).toBe(now - 1000);
    expect(a[0]!.id.toString()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab]/);
    // Identical events in one request stay distinct rows, in request order within the millisecond.
    expect(new Set(a.map((e) => e.id.toString())).size).toBe(3);
    expect(a[0]!.id.getDate().getTime()).toBe(a[1]!.id.getDate().getTime());
    // A different body (e.g. another request with the same first events) gives other ids.
    expect(ids(requestDigest({ body: Buffer.from(JSON.stringify({ events, n: 1 })) }))[0]).not.toBe(a[0]!.id.toString());
  });

  it("match the driver's own timeuuid layout for the same time, ticks, clock and node", () => {
    const digest = requestDigest({ idempotencyKey: "layout" });
    for (const [ms, index] of [[now, 0], [now + 123, 999], [Date.UTC(2000, 0, 1), 5], [Date.UTC(2099, 11, 31, 23, 59, 59, 999), 42]] as const) {
      const ours = identifyEvents([{ ...events[0]!, timestampMs: ms }], { nowMs: now, digest })[0]!.id;
      const theirs = types.TimeUuid.fromDate(new Date(ms), index, digest.subarray(2, 8), digest.subarray(0, 2));
      // Ours used index 0 for a one-event request; rebuild with the tested index through eventId.
      expect(eventId(ms, index, digest).toString()).toBe(theirs.toString());
      expect(ours.getDate().getTime()).toBe(ms);
    }
  });

  it("with an idempotency key depend on key and position, not on the body bytes", () => {
    const k1 = ids(requestDigest({ idempotencyKey: "req-1" }));
    expect(ids(requestDigest({ idempotencyKey: "req-1" }))).toEqual(k1);
    const k2 = ids(requestDigest({ idempotencyKey: "req-2" }));
    for (let i = 0; i < k1.length; i++) expect(k1[i]).not.toBe(k2[i]);
    expect(ids(requestDigest({ body }))).not.toEqual(k1);
  });

  it("partition by UTC day", () => {
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59, 59, 999))).toBe("2026-01-01");
    expect(utcDay(Date.UTC(2026, 0, 2))).toBe("2026-01-02");
  });
});

describe("batch planning", () => {
  const mk = (source: string, ms: number, message = "m"): ValidEvent => ({ level: "info", message, source, timestampMs: ms, metadata: undefined });

  it("never mixes partitions in one batch and bounds batch size", () => {
    const day2 = now + 24 * 3600 * 1000;
    const input = [mk("a", now), mk("b", now), mk("a", day2), mk("a", now + 1), ...Array.from({ length: 20 }, (_, i) => mk("big", now + i, "x".repeat(4000)))];
    const chunks = planBatches(identifyEvents(input, { nowMs: now, digest: requestDigest({ idempotencyKey: "k" }) }), 40 * 1024);
    for (const c of chunks) expect(new Set(c.events.map((e) => `${e.source}/${e.day}`)).size).toBe(1);
    expect(chunks.reduce((n, c) => n + c.events.length, 0)).toBe(input.length);
    const big = chunks.filter((c) => c.events[0]!.source === "big");
    expect(big.length).toBeGreaterThan(1);
    for (const c of big) expect(c.events.reduce((n, e) => n + e.message.length, 0)).toBeLessThanOrEqual(40 * 1024);
    expect(chunks.find((c) => c.events[0]!.source === "a" && c.events[0]!.day === utcDay(now))!.events).toHaveLength(2);
  });
});

describe("query validation and paging tokens", () => {
  const q = (s: string) => validateQueryParams(new URLSearchParams(s));

  it("validates each parameter with a reason", () => {
    expect(q("source=s&day=2026-11-22")).toEqual({ ok: true, params: { source: "s", day: "2026-11-22", limit: 100, level: undefined, pageToken: undefined } });
    expect(q("source=s&day=2026-11-22&limit=1000&level=warn")).toMatchObject({ ok: true, params: { limit: 1000, level: "warn" } });
    expect(q("day=2026-11-22")).toMatchObject({ ok: false, reason: expect.stringMatching(/source/) });
    expect(q("source=s&day=2026-02-30")).toMatchObject({ ok: false, reason: expect.stringMatching(/day must be a real calendar date/) });
    expect(q("source=s&day=22-11-2026")).toMatchObject({ ok: false, reason: expect.stringMatching(/YYYY-MM-DD/) });
    for (const limit of ["0", "1001", "-1", "1.5", "ten"]) expect(q(`source=s&day=2026-11-22&limit=${limit}`).ok).toBe(false);
    expect(q("source=s&day=2026-11-22&level=debug")).toMatchObject({ ok: false, reason: expect.stringMatching(/level/) });
    expect(q("source=s&day=2026-11-22&foo=1")).toMatchObject({ ok: false, reason: expect.stringMatching(/foo/) });
    expect(q("source=s&source=t&day=2026-11-22")).toMatchObject({ ok: false, reason: "source must be given once" });
  });

  it("round-trips tokens and rejects forged ones", () => {
    const [e] = identifyEvents([{ level: "info", message: "m", source: "s", timestampMs: now, metadata: undefined }], { nowMs: now, digest: requestDigest({ idempotencyKey: "k" }) });
    const token = encodeToken(e!.id);
    expect(decodeToken(token)!.toString()).toBe(e!.id.toString());
    expect(decodeToken("not-a-token")).toBeUndefined();
    expect(decodeToken(Buffer.from("v1:00000000-0000-4000-8000-000000000000").toString("base64url"))).toBeUndefined();
    expect(decodeToken("a+b/")).toBeUndefined();
  });
});

describe("error classification", () => {
  it("maps only availability failures to 503", () => {
    const response = (code: number) => Object.assign(new errors.ResponseError(code, "m"), {});
    expect(isUnavailable(new errors.NoHostAvailableError({}))).toBe(true);
    expect(isUnavailable(new errors.OperationTimedOutError("t"))).toBe(true);
    expect(isUnavailable(response(types.responseErrorCodes.unavailableException))).toBe(true);
    expect(isUnavailable(response(types.responseErrorCodes.writeTimeout))).toBe(true);
    expect(isUnavailable(response(types.responseErrorCodes.overloaded))).toBe(true);
    expect(isUnavailable(response(types.responseErrorCodes.syntaxError))).toBe(false);
    expect(isUnavailable(response(types.responseErrorCodes.invalid))).toBe(false);
    expect(isUnavailable(new Error("bug"))).toBe(false);
    const down = new errors.NoHostAvailableError({});
    expect(isUnavailable(new PartialWriteError(10, 20, [down, down]))).toBe(true);
    expect(isUnavailable(new PartialWriteError(10, 20, [down, response(types.responseErrorCodes.invalid)]))).toBe(false);
  });
});
