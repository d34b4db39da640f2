import { randomUUID } from "node:crypto";
import { request } from "node:http";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { createTelemetryServer } from "../../../apps/telemetry/src/server.js";
import { ingest, queryAll, silentLog, startServer, testClient, testConfig, uniqueSource, type Running } from "./helpers.js";

// Reproducers of issue #15 (an adversarial run against the dev stack), each against the real
// Cassandra of the global setup. Every case here failed on the code before the fix.
let cmd: Running;
const day = utcDay(Date.now());
const ts = new Date(Date.parse(`${day}T00:00:00.000Z`) + 7200_000).toISOString();

beforeAll(async () => {
  cmd = await startServer("command");
});
afterAll(async () => {
  await cmd?.app.shutdown();
});

/** POST a raw body (exact bytes; JSON.stringify cannot produce some of the cases). */
async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/ingest`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Raw query text: `__proto__` keys must be checked in the bytes, not after JSON.parse. */
async function rawQuery(url: string, source: string) {
  const res = await fetch(`${url}/api/query?source=${encodeURIComponent(source)}&day=${day}`);
  return { status: res.status, text: await res.text() };
}

describe("metadata keys that are names of Object.prototype (finding 1, 3)", () => {
  it("hasOwnProperty: no 500, no partial write; both partitions stored faithfully", async () => {
    const [a, b] = [uniqueSource("hop-a"), uniqueSource("hop-b")];
    const body = `{"events":[{"level":"info","message":"m","source":"${a}","timestamp":"${ts}"},{"level":"info","message":"m","source":"${b}","timestamp":"${ts}","metadata":{"hasOwnProperty":"x","constructor":"y","toString":"z"}}]}`;
    const r = await post(cmd.url, body);
    expect(r.status, r.text).toBe(202);
    expect(await queryAll(cmd.url, { source: a, day })).toHaveLength(1);
    const [e] = await queryAll(cmd.url, { source: b, day });
    expect(e!.metadata).toEqual({ hasOwnProperty: "x", constructor: "y", toString: "z" });
  });

  it("__proto__ with a string value is stored and read back, not dropped", async () => {
    const source = uniqueSource("proto");
    const r = await post(cmd.url, `{"events":[{"level":"info","message":"m","source":"${source}","timestamp":"${ts}","metadata":{"__proto__":"x","k":"v"}}]}`);
    expect(r.status, r.text).toBe(202);
    const q = await rawQuery(cmd.url, source);
    expect(q.status).toBe(200);
    expect(q.text).toContain('"metadata":{"__proto__":"x","k":"v"}');
  });

  it("__proto__ with an object value is refused with 400 naming the field, nothing written", async () => {
    const source = uniqueSource("proto-obj");
    const r = await post(cmd.url, `{"events":[{"level":"info","message":"m","source":"${source}","timestamp":"${ts}","metadata":{"__proto__":{"a":"b"}}}]}`);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/metadata/);
    expect(await queryAll(cmd.url, { source, day })).toHaveLength(0);
  });
});

describe("a failure after a partial write (finding 1)", () => {
  /** The real client, except that batches/executes for `failSource` fail `times` times. */
  function flaky(real: Client, failSource: string, times: number): Client {
    let left = times;
    const fails = (params: unknown) => Array.isArray(params) && params[0] === failSource && left-- > 0;
    return new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === "execute") {
          return (q: string, params: unknown[], o: unknown) => (fails(params) ? Promise.reject(new Error("injected")) : target.execute(q, params, o as never));
        }
        if (prop === "batch") {
          return (qs: { params: unknown[] }[], o: unknown) => (fails(qs[0]?.params) ? Promise.reject(new Error("injected")) : target.batch(qs as never, o as never));
        }
        return Reflect.get(target, prop, receiver);
      },
    });
  }

  it("is retried to completion under the same ids (202), or answered 503 + Retry-After, never a 500", async () => {
    const lazy = testClient();
    const real = await lazy.get();
    for (const [times, want] of [[1, 202], [100, 503]] as const) {
      const [a, b] = [uniqueSource("pw-a"), uniqueSource("pw-b")];
      const client = flaky(real, b, times);
      const app = createTelemetryServer({ config: testConfig(), log: silentLog, client: { ...lazy, get: async () => client, peek: () => client }, defaultMetrics: false });
      const port = await app.listen(0, "127.0.0.1");
      try {
        const body = { events: [a, b].map((source) => ({ level: "info", message: `m-${source}`, source, timestamp: ts })) };
        const r = await ingest(`http://127.0.0.1:${port}`, body, { "idempotency-key": `pw-${randomUUID()}` });
        expect(r.status, JSON.stringify(r.body)).toBe(want);
        if (want === 503) {
          expect(r.headers.get("retry-after")).toBeTruthy();
          expect(JSON.stringify(r.body)).toMatch(/partially written/);
        } else {
          for (const source of [a, b]) expect(await queryAll(cmd.url, { source, day })).toHaveLength(1);
        }
      } finally {
        await app.server.close();
        app.server.closeAllConnections();
      }
    }
    await lazy.close();
  });
});

describe("Idempotency-Key reuse (finding 2)", () => {
  it("the same key with a different body answers 409 and changes nothing", async () => {
    const source = uniqueSource("idem");
    const key = `k-${randomUUID()}`;
    const first = { events: [{ level: "info", message: "original", source, timestamp: ts }] };
    expect((await ingest(cmd.url, first, { "idempotency-key": key })).status).toBe(202);
    const second = await ingest(cmd.url, { events: [{ level: "error", message: "replaced", source, timestamp: ts }] }, { "idempotency-key": key });
    expect(second.status).toBe(409);
    expect(String(second.body["error"])).toMatch(/Idempotency-Key/);
    const rows = await queryAll(cmd.url, { source, day });
    expect(rows.map((e) => [e.level, e.message])).toEqual([["info", "original"]]);
    // A true retry (same body) still succeeds and still writes no duplicate.
    expect((await ingest(cmd.url, first, { "idempotency-key": key })).status).toBe(202);
    expect(await queryAll(cmd.url, { source, day })).toHaveLength(1);
  });

  it("two different bodies racing on one key: exactly one wins, the other gets 409", async () => {
    const source = uniqueSource("race");
    const key = `k-${randomUUID()}`;
    const results = await Promise.all(
      ["one", "two", "three", "four"].map((message) => ingest(cmd.url, { events: [{ level: "info", message, source, timestamp: ts }] }, { "idempotency-key": key })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409, 409]);
    expect(await queryAll(cmd.url, { source, day })).toHaveLength(1);
  });
});

describe("strict input (findings 4, 5)", () => {
  it("refuses strings that are not well-formed Unicode with 400 naming the field", async () => {
    const source = uniqueSource("sur");
    for (const [event, field] of [
      [{ level: "info", message: "a\ud800b", source, timestamp: ts }, "message"],
      [{ level: "info", message: "m", source: `${source}\ud800`, timestamp: ts }, "source"],
      [{ level: "info", message: "m", source, timestamp: ts, metadata: { k: "\udc00" } }, "metadata"],
      [{ level: "info", message: "m", source, timestamp: ts, metadata: { ["k\ud83d"]: "v" } }, "metadata"],
    ] as const) {
      const r = await ingest(cmd.url, { events: [event] });
      expect(r.status, JSON.stringify(event)).toBe(400);
      expect(JSON.stringify(r.body)).toMatch(new RegExp(`${field}.*well-formed`));
    }
    // Raw bytes that are not UTF-8 at all are refused too, not turned into U+FFFD.
    const bad = Buffer.concat([Buffer.from(`{"events":[{"level":"info","message":"a`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`","source":"${source}","timestamp":"${ts}"}]}`)]);
    const r = await post(cmd.url, bad);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/UTF-8/);
    expect(await queryAll(cmd.url, { source, day })).toHaveLength(0);
    // A real U+FFFD (and an astral character) is fine.
    expect((await ingest(cmd.url, { events: [{ level: "info", message: "ok \ufffd \ud83d\ude00", source, timestamp: ts }] })).status).toBe(202);
  });

  it("a charset other than UTF-8 is 415; utf-8 in any spelling is accepted", async () => {
    const source = uniqueSource("charset");
    const body = JSON.stringify({ events: [{ level: "info", message: "m", source, timestamp: ts }] });
    for (const ct of ["application/json; charset=utf-16", "application/json;charset=latin1", 'application/json; charset="iso-8859-1"']) {
      expect((await post(cmd.url, body, { "content-type": ct })).status, ct).toBe(415);
    }
    expect(await queryAll(cmd.url, { source, day })).toHaveLength(0);
    for (const ct of ["application/json; charset=UTF-8", 'application/json; charset="utf-8"', "application/json"]) {
      expect((await post(cmd.url, body, { "content-type": ct })).status, ct).toBe(202);
    }
  });
});

/** A raw HTTP/1.1 upload of `total` bytes; resolves with the status, or the socket error code. */
function upload(url: string, total: number, declared: number | undefined = total): Promise<string> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { "content-type": "application/json" };
    if (declared !== undefined) headers["content-length"] = declared;
    const req = request(`${url}/api/ingest`, { method: "POST", headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
      res.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.setTimeout(15_000, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      if (declared === undefined || declared === total) req.end();
      else req.flushHeaders(); // declares more than it sends: the answer must not wait for the body
    };
    pump();
  });
}

describe("over-cap uploads (finding 6)", () => {
  it("20 MiB POSTs straight to the command role all get a clean 413, never a reset", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => upload(cmd.url, 20 * 1024 * 1024, i % 2 === 0 ? 20 * 1024 * 1024 : undefined)));
    expect(results).toEqual(Array(40).fill("413"));
  });
});

describe("the dev router in front of the roles behaves like the mesh (finding 6)", () => {
  let query: Running;
  let router: import("node:http").Server;
  let routerUrl: string;
  beforeAll(async () => {
    const { createDevRouter } = await import("../../../scripts/dev/router.js");
    query = await startServer("query");
    router = createDevRouter({ command: Number(new URL(cmd.url).port), query: Number(new URL(query.url).port) });
    await new Promise<void>((r) => router.listen(0, "127.0.0.1", r));
    routerUrl = `http://127.0.0.1:${(router.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    router?.closeAllConnections();
    await new Promise((r) => router?.close(r));
    await query?.app.shutdown();
  });

  it("passes the role's 413 for 20 MiB uploads through, never a reset or a 5xx", async () => {
    // More at once than the router's 32 upstream sockets: a socket still pushing a refused
    // body to the role must not hold the next request back.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => upload(routerUrl, 20 * 1024 * 1024, i % 2 === 0 ? 20 * 1024 * 1024 : undefined)));
    expect(results).toEqual(Array(40).fill("413"));
  });

  it("through the gateway too: 20 MiB uploads get the role's 413, not a 504 or a reset", async () => {
    const { createGateway } = await import("../../../apps/gateway/src/server.js");
    const { loadGatewayConfig } = await import("../../../apps/gateway/src/config/index.js");
    const routes = [{ prefix: "/api", upstream: `${routerUrl}/api`, kind: "buffered", auth: false }];
    const gw = createGateway(loadGatewayConfig({ REGION: "local", STAGE: "test", ROUTES: JSON.stringify(routes), LOG_LEVEL: "silent", UPSTREAM_TIMEOUT_MS: "5000" }), {
      host: "127.0.0.1",
      port: 0,
      defaultMetrics: false,
      drainMs: 1000,
    });
    const { url } = await gw.start();
    try {
      // More concurrent uploads than the router has upstream sockets (32): a socket still busy
      // pushing a refused body upstream must not hold the next request's headers back.
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => upload(url, 20 * 1024 * 1024, i % 2 === 0 ? 20 * 1024 * 1024 : undefined)));
      expect(results).toEqual(Array(40).fill("413"));
    } finally {
      await gw.stop();
    }
  });

  it("forwards the headers at once: a 10 GiB Content-Length with no body gets its 413 without waiting", async () => {
    expect(await upload(routerUrl, 0, 10 * 1024 ** 3)).toBe("413");
    // and a normal request still works through the same router
    const source = uniqueSource("router");
    expect((await ingest(routerUrl, { events: [{ level: "info", message: "m", source, timestamp: ts }] })).status).toBe(202);
    expect(await queryAll(routerUrl, { source, day })).toHaveLength(1);
  });
});

describe("Idempotency-Keys are scoped by the subject the gateway vouches for (finding 2)", () => {
  const SUBJECT_KEY = "e2e-subject-signing-key-0123456789abcdef";
  const JWT_SECRET = "e2e-jwt-secret-0123456789abcdef0123456789";
  let scoped: Running;
  let gw: import("../../../apps/gateway/src/server.js").Gateway;
  let gwUrl: string;

  async function token(sub: string): Promise<string> {
    const { SignJWT } = await import("jose");
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub, iss: "iss", aud: "aud", exp: now + 600 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(JWT_SECRET));
  }

  beforeAll(async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { createGateway } = await import("../../../apps/gateway/src/server.js");
    const { loadGatewayConfig } = await import("../../../apps/gateway/src/config/index.js");
    const dir = mkdtempSync(join(tmpdir(), "telemetry-e2e-"));
    writeFileSync(join(dir, "jwt"), JWT_SECRET);
    writeFileSync(join(dir, "subject"), SUBJECT_KEY);
    const app = createTelemetryServer({ config: { ...testConfig(), subjectKey: Buffer.from(SUBJECT_KEY) }, log: silentLog, defaultMetrics: false });
    scoped = { app, url: `http://127.0.0.1:${await app.listen(0, "127.0.0.1")}` };
    const routes = [{ prefix: "/api", upstream: `${scoped.url}/api`, kind: "buffered", auth: true }];
    gw = createGateway(
      loadGatewayConfig({
        REGION: "local",
        STAGE: "test",
        LOG_LEVEL: "silent",
        ROUTES: JSON.stringify(routes),
        JWT_ALG: "HS256",
        JWT_ISSUER: "iss",
        JWT_AUDIENCE: "aud",
        JWT_KEY_FILE: join(dir, "jwt"),
        SUBJECT_KEY_FILE: join(dir, "subject"),
      }),
      { host: "127.0.0.1", port: 0, defaultMetrics: false, drainMs: 1000 },
    );
    gwUrl = (await gw.start()).url;
  });
  afterAll(async () => {
    await gw?.stop();
    await scoped?.app.shutdown();
  });

  it("mallory reusing alice's key writes her own rows and cannot touch alice's", async () => {
    const source = uniqueSource("scoped");
    const key = `shared-${randomUUID()}`;
    const as = async (sub: string) => ({ authorization: `Bearer ${await token(sub)}`, "idempotency-key": key });
    const event = (message: string) => ({ events: [{ level: "info", message, source, timestamp: ts }] });
    expect((await ingest(gwUrl, event("alice's"), await as("alice"))).status).toBe(202);
    // Same key, same source and timestamp: before the fix, the same row id, so alice's event was replaced.
    expect((await ingest(gwUrl, event("mallory's"), await as("mallory"))).status).toBe(202);
    expect((await queryAll(scoped.url, { source, day })).map((e) => e.message).sort()).toEqual(["alice's", "mallory's"]);
    // Each caller's key is bound to that caller's first body.
    expect((await ingest(gwUrl, event("alice again"), await as("alice"))).status).toBe(409);
    expect((await ingest(gwUrl, event("alice's"), await as("alice"))).status).toBe(202);
    expect(await queryAll(scoped.url, { source, day })).toHaveLength(2);
  });

  it("the telemetry app trusts the subject header only with a valid signature", async () => {
    const source = uniqueSource("forged");
    const body = { events: [{ level: "info", message: "m", source, timestamp: ts }] };
    const sub = Buffer.from("alice").toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    for (const forged of [`v1.${now}.${sub}.${"A".repeat(43)}`, "alice", `v1.${now}.${sub}`]) {
      const r = await ingest(scoped.url, body, { "x-platform-subject": forged, "idempotency-key": `f-${randomUUID()}` });
      expect(r.status, forged).toBe(401);
    }
    // A correctly signed but stale assertion (replayed later) is refused too.
    const { createHmac } = await import("node:crypto");
    const old = `v1.${now - 3600}.${sub}`;
    const stale = `${old}.${createHmac("sha256", SUBJECT_KEY).update(old).digest("base64url")}`;
    expect((await ingest(scoped.url, body, { "x-platform-subject": stale })).status).toBe(401);
    expect(await queryAll(scoped.url, { source, day })).toHaveLength(0);
  });
});
