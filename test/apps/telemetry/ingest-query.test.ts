import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { ingest, query, queryAll, startServer, uniqueSource, type Running, type TestEvent } from "./helpers.js";

// Everything below goes over HTTP into the real Cassandra started by global-setup.ts.
let cmd: Running;
let reader: Running;
const day = utcDay(Date.now());
const base = Date.parse(`${day}T00:00:00.000Z`) + 3600_000;

beforeAll(async () => {
  cmd = await startServer("command");
  reader = await startServer("query");
});
afterAll(async () => {
  await cmd?.app.shutdown();
  await reader?.app.shutdown();
});

function events(source: string, n: number, extra: (i: number) => Partial<TestEvent> = () => ({})): TestEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    level: (["info", "warn", "error"] as const)[i % 3]!,
    message: `message ${i} ${randomUUID()}`,
    source,
    timestamp: new Date(base + i * 1000).toISOString(),
    ...(i % 2 === 0 ? { metadata: { i: String(i), host: "h1" } } : {}),
    ...extra(i),
  }));
}

describe("ingest then query", () => {
  it("returns exactly what was written, newest first, across pages", async () => {
    const source = uniqueSource();
    const sent = events(source, 250);
    const r = await ingest(cmd.url, { events: sent });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: 250 });

    const got = await queryAll(reader.url, { source, day, limit: 37 });
    const expected = [...sent].reverse().map((e) => ({
      source,
      level: e.level,
      message: e.message,
      timestamp: e.timestamp,
      metadata: e.metadata ?? {},
    }));
    expect(got.map(({ id: _id, ...rest }) => rest)).toEqual(expected);
    expect(new Set(got.map((e) => e.id)).size).toBe(250);
  });

  it("filters by level, and the command role reads its own writes", async () => {
    const source = uniqueSource();
    const sent = events(source, 30);
    expect((await ingest(cmd.url, { events: sent })).status).toBe(202);
    const errors = await queryAll(cmd.url, { source, day, level: "error", limit: 4 });
    expect(errors.map((e) => e.message)).toEqual(sent.filter((e) => e.level === "error").reverse().map((e) => e.message));
    const first = await query(reader.url, { source, day });
    expect(first.body.events).toHaveLength(30);
    expect(first.body.next).toBeNull();
  });

  it("defaults the timestamp to receipt time when absent", async () => {
    const source = uniqueSource();
    const before = Date.now();
    expect((await ingest(cmd.url, { events: [{ level: "info", message: "now", source }] })).status).toBe(202);
    const [e] = await queryAll(reader.url, { source, day: utcDay(before) });
    expect(Date.parse(e!.timestamp)).toBeGreaterThanOrEqual(before);
  });
});

describe("write path limits", () => {
  it("writes a request spanning several sources and days (one batch per partition)", async () => {
    const sources = [uniqueSource(), uniqueSource(), uniqueSource()];
    const yesterday = utcDay(base - 86_400_000);
    const sent = sources.flatMap((source, s) =>
      events(source, 40, (i) => ({ timestamp: new Date(base - (i % 2) * 86_400_000 + s * 100_000 + i * 1000).toISOString() })),
    );
    expect((await ingest(cmd.url, { events: sent })).body).toEqual({ accepted: 120 });
    for (const source of sources) {
      for (const d of [day, yesterday]) {
        const got = await queryAll(reader.url, { source, day: d, limit: 1000 });
        const want = sent.filter((e) => e.source === source && utcDay(Date.parse(e.timestamp as string)) === d);
        expect(got.map((e) => e.message).sort()).toEqual(want.map((e) => e.message).sort());
        expect(got).toHaveLength(20);
      }
    }
  });

  it("accepts requests at the size limits: large partitions are split under Cassandra's batch size limit", async () => {
    const big = uniqueSource();
    // ~1 MiB of 8 KiB messages in one partition: must be split into several batches.
    const messages = events(big, 120, (i) => ({ message: `${i}:`.padEnd(8000, "m"), metadata: undefined }));
    expect((await ingest(cmd.url, { events: messages })).status).toBe(202);
    const gotBig = await queryAll(reader.url, { source: big, day, limit: 1000 });
    expect(gotBig.map((e) => e.message).sort()).toEqual(messages.map((e) => e.message).sort());

    const many = uniqueSource();
    const meta = Object.fromEntries(Array.from({ length: 32 }, (_, k) => [`key${k}`, `value-${k}`]));
    const thousand = events(many, 1000, () => ({ metadata: meta, message: "x" }));
    expect(JSON.stringify({ events: thousand }).length).toBeLessThan(1024 * 1024);
    expect((await ingest(cmd.url, { events: thousand })).body).toEqual({ accepted: 1000 });
    const gotMany = await queryAll(reader.url, { source: many, day, limit: 1000 });
    expect(gotMany).toHaveLength(1000);
    expect(gotMany[0]!.metadata).toEqual(meta);
  });
});

describe("idempotency", () => {
  it("a retried request with the same Idempotency-Key writes no duplicates", async () => {
    const source = uniqueSource();
    const body = { events: events(source, 120) };
    const key = randomUUID();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await ingest(cmd.url, body, { "idempotency-key": key })).status).toBe(202);
    }
    expect(await queryAll(reader.url, { source, day, limit: 1000 })).toHaveLength(120);
    // A different key is a different request: its identical events are new rows.
    expect((await ingest(cmd.url, body, { "idempotency-key": randomUUID() })).status).toBe(202);
    expect(await queryAll(reader.url, { source, day, limit: 1000 })).toHaveLength(240);
  });

  it("a blind retry of a timestamped body (no key) writes no duplicates", async () => {
    const source = uniqueSource();
    const body = { events: [...events(source, 10), ...events(source, 10)] }; // identical pairs stay distinct
    expect((await ingest(cmd.url, body)).status).toBe(202);
    expect((await ingest(cmd.url, body)).status).toBe(202);
    expect(await queryAll(reader.url, { source, day })).toHaveLength(20);
  });

  it("rejects a key without timestamps instead of writing retry-unstable ids", async () => {
    const source = uniqueSource();
    const r = await ingest(cmd.url, { events: [{ level: "info", message: "m", source }] }, { "idempotency-key": "k1" });
    expect(r.status).toBe(400);
    expect(await queryAll(reader.url, { source, day })).toHaveLength(0);
  });
});

describe("bad requests", () => {
  it("an invalid event rejects the whole request and writes nothing", async () => {
    const source = uniqueSource();
    const sent: unknown[] = events(source, 50);
    sent[7] = { ...(sent[7] as object), level: "fatal" };
    sent[42] = { ...(sent[42] as object), message: "y".repeat(9000) };
    const r = await ingest(cmd.url, { events: sent });
    expect(r.status).toBe(400);
    expect((r.body["invalid"] as { index: number }[]).map((p) => p.index)).toEqual([7, 42]);
    expect(await queryAll(reader.url, { source, day })).toHaveLength(0);
  });

  it("405, 415, 400, 413 with reasons and nothing written", async () => {
    const source = uniqueSource();
    const get = await fetch(`${cmd.url}/api/ingest`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");

    const text = await fetch(`${cmd.url}/api/ingest`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ events: events(source, 1) }),
    });
    expect(text.status).toBe(415);

    const bad = await fetch(`${cmd.url}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"events": [' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid JSON/);

    const big = JSON.stringify({ events: events(source, 1, () => ({ message: "z".repeat(1024 * 1024) })) });
    const tooLarge = await fetch(`${cmd.url}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expect(tooLarge.status).toBe(413);

    // Chunked body without content-length, over the cap: stopped while streaming.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${cmd.url}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      for (let i = 0; i < 20; i++) req.write("x".repeat(64 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);

    const badKey = await ingest(cmd.url, { events: events(source, 1) }, { "idempotency-key": "has space" });
    expect(badKey.status).toBe(400);

    expect(await queryAll(reader.url, { source, day })).toHaveLength(0);
  });

  it("query parameters are validated with a reason", async () => {
    for (const [params, pattern] of [
      [{ day }, /source/],
      [{ source: "s", day: "2026-13-01" }, /day/],
      [{ source: "s", day, limit: 0 }, /limit/],
      [{ source: "s", day, limit: 5000 }, /limit/],
      [{ source: "s", day, level: "trace" }, /level/],
      [{ source: "s", day, pageToken: "garbage!" }, /pageToken/],
    ] as const) {
      const r = await query(reader.url, params);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(pattern);
    }
    expect((await fetch(`${reader.url}/api/query?source=s&day=${day}`, { method: "POST" })).status).toBe(405);
  });

  it("the query role does not serve ingest", async () => {
    const r = await fetch(`${reader.url}/api/ingest`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(r.status).toBe(404);
  });
});
