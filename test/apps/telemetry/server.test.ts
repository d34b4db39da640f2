import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { TELEMETRY_METRICS } from "../../../apps/telemetry/src/metrics/names.js";
import { utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { ingest, queryAll, startServer, testClient, uniqueSource } from "./helpers.js";

describe("Kubernetes server", () => {
  it("serves /healthz, /readyz and /metrics with the contract's metric names", async () => {
    const { app, url } = await startServer("command");
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const source = uniqueSource();
      expect((await ingest(url, { events: [{ level: "info", message: "m", source }] })).status).toBe(202);
      expect((await ingest(url, { events: [{ level: "nope", message: "m", source }] })).status).toBe(400);
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const name of Object.values(TELEMETRY_METRICS)) expect(text).toContain(name);
      expect(text).toMatch(/telemetry_http_requests_total\{role="command",op="ingest",status="202"\} 1/);
      expect(text).toMatch(/telemetry_ingest_events_total 1/);
      expect(text).toMatch(/telemetry_ingest_rejected_total\{reason="invalid"\} 1/);
      expect(text).toMatch(/telemetry_cassandra_write_duration_seconds_count\{outcome="ok"\} 1/);
      expect((await fetch(`${url}/nope`)).status).toBe(404);
    } finally {
      await app.shutdown();
    }
  });

  it("is not ready while Cassandra cannot be reached, without failing liveness", async () => {
    const { clientOptions, createLazyClient } = await import("../../../apps/telemetry/src/client.js");
    const { testConfig } = await import("./helpers.js");
    const unreachable = createLazyClient(() => clientOptions({ ...testConfig(), cassandraPort: 1 }, { socketOptions: { connectTimeout: 1000 } }));
    const { app, url } = await startServer("command", unreachable);
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      const r = await fetch(`${url}/api/query?source=s&day=2026-01-01`);
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("5");
      const w = await ingest(url, { events: [{ level: "info", message: "m", source: "s" }] });
      expect(w.status).toBe(503);
      expect(w.headers.get("retry-after")).toBe("5");
      expect(w.body).not.toHaveProperty("accepted");
      // Validation still comes first: a bad request is a 400 even while storage is down.
      expect((await ingest(url, { events: [{ level: "x", message: "m", source: "s" }] })).status).toBe(400);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/telemetry_ingest_rejected_total\{reason="unavailable"\} 1/);
    } finally {
      await app.shutdown();
    }
  });

  it("graceful shutdown drains an in-flight request, then closes the client", async () => {
    const client = testClient();
    const { app, url } = await startServer("command", client);
    const source = uniqueSource();
    const body = JSON.stringify({ events: [{ level: "warn", message: "in flight", source, timestamp: Date.now() }] });
    await client.get();

    // Send headers and half of the body, so the request is in flight when shutdown starts.
    let status = 0;
    const req = request(`${url}/api/ingest`, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } });
    const answered = new Promise<void>((resolve, reject) => {
      req.on("response", (res) => {
        status = res.statusCode!;
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, 20));
    req.flushHeaders();
    await new Promise((r) => setTimeout(r, 100)); // let the server accept the request

    let shutDown = false;
    const stopping = app.shutdown().then(() => (shutDown = true));
    await new Promise((r) => setImmediate(r));
    expect(shutDown).toBe(false);
    expect((await fetch(`${url}/healthz`).catch(() => undefined))?.status).toBeUndefined(); // no new connections

    req.end(body.slice(20));
    await answered;
    await stopping;
    expect(status).toBe(202);
    expect(client.stats().connected).toBe(false);

    // The drained request was really written.
    const check = await startServer("query");
    try {
      expect((await queryAll(check.url, { source, day: utcDay(Date.now()) })).map((e) => e.message)).toEqual(["in flight"]);
    } finally {
      await check.app.shutdown();
    }
  });
});
