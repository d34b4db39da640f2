import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ingestFn from "../../../apps/telemetry/api/ingest.js";
import queryFn from "../../../apps/telemetry/api/query.js";
import { clientOptions, createLazyClient, sharedClient as shared } from "../../../apps/telemetry/src/client.js";
import { utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { bearer, FUNCTION_AUTH_TEST_ENV } from "../../support/function-tokens.js";
import { TEST_ENV } from "./env.js";
import { testConfig, uniqueSource } from "./helpers.js";

// The Vercel functions read their config from process.env, lazily on the first invocation.
Object.assign(process.env, TEST_ENV, FUNCTION_AUTH_TEST_ENV);

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
let server: Server;
let url: string;

beforeAll(async () => {
  // A stand-in for the platform's router: each request is one function invocation.
  server = createServer((req, res) => void (req.url!.startsWith("/api/ingest") ? (ingestFn as Handler) : (queryFn as Handler))(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await shared?.close();
});

describe("Vercel functions", () => {
  it("100 concurrent cold invocations share one connect, and the client is reused afterwards", async () => {
    expect(shared.stats()).toEqual({ connects: 0, connected: false });
    const source = uniqueSource("vercel");
    const authorization = await bearer({ sub: source });
    const ts = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${url}/api/ingest`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization },
          body: JSON.stringify({ events: [{ level: "info", message: `m${i}`, source, timestamp: ts + i }] }),
        }).then((r) => r.status),
      ),
    );
    expect(statuses).toEqual(Array(100).fill(202));
    expect(shared.stats()).toMatchObject({ connects: 1, connected: true, connectMs: expect.any(Number) });

    const r = await fetch(`${url}/api/query?source=${source}&day=${utcDay(ts)}&limit=1000`, { headers: { authorization } });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("private, no-cache"); // cacheable by the gateway's per-user routes only
    const body = (await r.json()) as { events: { message: string }[] };
    expect(body.events.map((e) => e.message)).toEqual(Array.from({ length: 100 }, (_, i) => `m${99 - i}`));
    expect(shared.stats().connects).toBe(1);
  });
});

describe("lazy client", () => {
  it("does not cache a failed connect: the next call retries", async () => {
    let port = 1; // nothing listens there
    const lazy = createLazyClient(() => clientOptions({ ...testConfig(), cassandraPort: port }, { socketOptions: { connectTimeout: 2000 } }));
    await expect(lazy.get()).rejects.toThrow(/All host\(s\) tried|ECONNREFUSED|connect/i);
    await expect(lazy.get()).rejects.toThrow();
    expect(lazy.stats()).toEqual({ connects: 2, connected: false });
    port = Number(TEST_ENV.CASSANDRA_PORT);
    const [a, b] = await Promise.all([lazy.get(), lazy.get()]);
    expect(a).toBe(b);
    expect(lazy.stats()).toMatchObject({ connects: 3, connected: true });
    await lazy.close();
  });

  it("turns a configuration problem into an error naming the missing keys, then recovers", async () => {
    const env: NodeJS.ProcessEnv = { CASSANDRA_LOCAL_DC: "datacenter1" };
    const { loadTelemetryConfig } = await import("../../../apps/telemetry/src/config/index.js");
    const lazy = createLazyClient(() => clientOptions(loadTelemetryConfig(env)));
    await expect(lazy.get()).rejects.toThrow(/CASSANDRA_CONTACT_POINTS is required/);
    Object.assign(env, TEST_ENV);
    await expect(lazy.get()).resolves.toBeDefined();
    expect(lazy.stats().connects).toBe(1);
    await lazy.close();
  });
});
