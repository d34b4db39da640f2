import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_METRICS } from "../../../apps/gateway/src/metrics/names.js";
import { freePort, metricValue, gatewayConfig, httpRequest, startGateway, startUpstream, type TestGateway, type Upstream } from "./helpers.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Resolvable from outside, for upstream handlers that wait on the test. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("proxy", () => {
  let upstream: Upstream;
  let g: TestGateway;
  /** Same routes with a short upstream timeout, used only by the timeout test. */
  let gShort: TestGateway;
  let refusedPort: number;
  // Per-test hooks the upstream handler consults.
  let releaseStream = deferred();
  let firstBodyChunk = deferred<string>();
  let upstreamClosed = deferred<string>();
  let slowRequests = 0;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      const path = req.url ?? "";
      if (path.startsWith("/stream/chunks")) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("first;");
        void releaseStream.promise.then(() => res.end("second"));
        return;
      }
      if (path.startsWith("/stream/upload")) {
        let received = "";
        req.on("data", (c: Buffer) => {
          if (!received) firstBodyChunk.resolve(c.toString());
          received += c.toString();
        });
        req.on("end", () => res.end(`got:${received}`));
        return;
      }
      if (path.includes("/slow")) {
        slowRequests++;
        return; // never answers: the gateway's timeout decides
      }
      if (path.includes("/hang")) {
        res.on("close", () => upstreamClosed.resolve(path));
        return; // answers only when the client goes away
      }
      if (path.includes("/big")) {
        res.end("x".repeat(4096));
        return;
      }
      if (path.includes("/hop")) {
        res.writeHead(200, { connection: "keep-alive, x-upstream-private", "x-upstream-private": "1", "keep-alive": "timeout=5", "x-end-to-end": "yes", "x-request-id": "upstream-made-this-up" });
        res.end("hop");
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ url: path, method: req.method, headers: req.headers }));
    });
    refusedPort = await freePort();
    const routes = [
      { prefix: "/stream", upstream: upstream.url, kind: "stream" as const, auth: false },
      { prefix: "/buf", upstream: upstream.url, kind: "buffered" as const, auth: false },
      { prefix: "/mapped", upstream: `${upstream.url}/v2/`, kind: "stream" as const, auth: false },
      { prefix: "/down", upstream: `http://127.0.0.1:${refusedPort}`, kind: "stream" as const, auth: false },
      { prefix: "/down-buf", upstream: `http://127.0.0.1:${refusedPort}`, kind: "buffered" as const, auth: false },
    ];
    // A generous timeout for every test but the timeout test, so a busy machine cannot turn a slow
    // answer into a spurious 504.
    g = await startGateway(gatewayConfig(routes, { UPSTREAM_TIMEOUT_MS: "30000", MAX_BUFFERED_BYTES: "1024" }));
    gShort = await startGateway(gatewayConfig(routes, { UPSTREAM_TIMEOUT_MS: "300" }));
  });
  afterAll(async () => {
    releaseStream.resolve();
    await g.stop();
    await gShort.stop();
    await upstream.close();
  });

  it("streams the response: the client reads the first chunk before the upstream finishes", async () => {
    releaseStream = deferred();
    const chunks: string[] = [];
    const done = new Promise<number>((resolve, reject) => {
      request(`${g.url}/stream/chunks`, { agent: false }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          chunks.push(c);
          if (chunks.length === 1) releaseStream.resolve(); // only now may the upstream finish
        });
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
        .on("error", reject)
        .end();
    });
    expect(await done).toBe(200);
    expect(chunks[0]).toBe("first;");
    expect(chunks.join("")).toBe("first;second");
  });

  it("streams the request body: the upstream sees the first chunk before the client ends", async () => {
    firstBodyChunk = deferred<string>();
    const reply = new Promise<string>((resolve, reject) => {
      const req = request(`${g.url}/stream/upload`, { method: "POST", agent: false, headers: { "transfer-encoding": "chunked" } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve(text));
      });
      req.on("error", reject);
      req.write("part-1;");
      void firstBodyChunk.promise.then(() => req.end("part-2"));
    });
    expect(await firstBodyChunk.promise).toBe("part-1;");
    expect(await reply).toBe("got:part-1;part-2");
  });

  it("handles Expect: 100-continue itself", async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${g.url}/stream/upload`, { method: "POST", agent: false, headers: { expect: "100-continue", "content-length": "4" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.on("continue", () => req.end("data"));
    });
    expect(reply).toEqual({ status: 200, body: "got:data" });
  });

  it("strips hop-by-hop headers both ways and sets x-forwarded-*", async () => {
    const r = await httpRequest(`${g.url}/stream/echo?q=1`, {
      headers: {
        host: "public.example",
        connection: "keep-alive, x-client-private",
        "x-client-private": "secret-ish",
        "keep-alive": "timeout=5",
        te: "trailers",
        "proxy-authorization": "Basic abc",
        "x-end-to-end": "kept",
        "x-forwarded-for": "203.0.113.7",
      },
    });
    const seen = r.json<{ url: string; headers: Record<string, string> }>();
    expect(seen.url).toBe("/stream/echo?q=1");
    for (const h of ["x-client-private", "keep-alive", "te", "proxy-authorization"]) expect(seen.headers[h]).toBeUndefined();
    expect(seen.headers["x-end-to-end"]).toBe("kept");
    // The client is not a trusted proxy hop (TRUSTED_PROXIES is empty): its claim is replaced.
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("public.example");
    expect(seen.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(seen.headers["x-request-id"]).toBe(r.headers["x-request-id"]);

    const hop = await httpRequest(`${g.url}/buf/hop`);
    expect(hop.headers["x-upstream-private"]).toBeUndefined();
    expect(hop.headers["keep-alive"]).toBeUndefined();
    expect(hop.headers["x-end-to-end"]).toBe("yes");
    expect(hop.headers["x-request-id"]).not.toBe("upstream-made-this-up");
  });

  it("maps the prefix onto an upstream base path", async () => {
    const r = await httpRequest(`${g.url}/mapped/items/7?x=y`);
    expect(r.json()).toMatchObject({ url: "/v2/items/7?x=y" });
    expect((await httpRequest(`${g.url}/mapped`)).json()).toMatchObject({ url: "/v2" });
  });

  it("keeps a valid incoming x-request-id and replaces an invalid one with a UUID v4", async () => {
    const kept = await httpRequest(`${g.url}/stream/echo`, { headers: { "x-request-id": "trace-0123456789abcdef" } });
    expect(kept.headers["x-request-id"]).toBe("trace-0123456789abcdef");
    expect(kept.json<{ headers: Record<string, string> }>().headers["x-request-id"]).toBe("trace-0123456789abcdef");
    const replaced = await httpRequest(`${g.url}/stream/echo`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(replaced.headers["x-request-id"]).toMatch(UUID_V4);
    for (const path of ["/healthz", "/readyz", "/metrics", "/nowhere", "/down/x"]) {
      expect((await httpRequest(`${g.url}${path}`)).headers["x-request-id"]).toMatch(UUID_V4);
    }
  });

  it("answers 404 for no route and 400 for dot segments, never 5xx", async () => {
    const none = await httpRequest(`${g.url}/nowhere`);
    expect(none.status).toBe(404);
    expect(none.json()).toEqual({ error: "no_route", reqId: none.headers["x-request-id"] });
    // /streamx is not under /stream
    expect((await httpRequest(`${g.url}/streamx`)).status).toBe(404);
    for (const path of ["/stream/../admin", "/stream/%2e%2e/admin", "/stream/./x"]) {
      const r = await httpRequest(g.url, { path }); // `path` as is: a URL string would be normalised
      expect(r.status).toBe(400);
      expect(r.json()).toMatchObject({ error: "bad_path" });
    }
  });

  it("answers an unparsable request with 400, a reason and a request id", async () => {
    const socket = connect(Number(new URL(g.url).port), "127.0.0.1");
    await once(socket, "connect");
    socket.write("NOT-HTTP\r\n\r\n");
    let raw = "";
    socket.on("data", (c: Buffer) => (raw += c.toString()));
    await once(socket, "close");
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/);
    expect(raw).toContain('"error":"bad_request"');
  });

  it("answers 502 with the request id when the upstream refuses the connection", async () => {
    const before = metricValue((await httpRequest(`${g.url}/metrics`)).body, GATEWAY_METRICS.upstreamErrors, { route: "/down", reason: "refused" });
    for (const prefix of ["/down", "/down-buf"]) {
      const r = await httpRequest(`${g.url}${prefix}/x`, { headers: { "x-request-id": "refused-request-0001" } });
      expect(r.status).toBe(502);
      expect(r.json()).toEqual({ error: "upstream_refused", reqId: "refused-request-0001" });
    }
    const metrics = await httpRequest(`${g.url}/metrics`);
    expect(metricValue(metrics.body, GATEWAY_METRICS.upstreamErrors, { route: "/down", reason: "refused" })).toBe(before + 1);
  });

  it("answers 504 with the request id when the upstream is too slow", async () => {
    const before = slowRequests;
    for (const prefix of ["/stream", "/buf"]) {
      const r = await httpRequest(`${gShort.url}${prefix}/slow`, { headers: { "x-request-id": "slow-request-000001" } });
      expect(r.status).toBe(504);
      expect(r.json()).toEqual({ error: "upstream_timeout", reqId: "slow-request-000001" });
    }
    expect(slowRequests - before).toBe(2);
    expect(gShort.logs.ofType("UpstreamError").some((l) => l.reqId === "slow-request-000001" && l.errStatus === 504)).toBe(true);
    const metrics = (await httpRequest(`${gShort.url}/metrics`)).body;
    expect(metricValue(metrics, GATEWAY_METRICS.upstreamErrors, { route: "/stream", reason: "timeout" })).toBe(1);
    expect(metricValue(metrics, GATEWAY_METRICS.upstreamErrors, { route: "/buf", reason: "timeout" })).toBe(1);
  });

  it("cuts a buffered body past MAX_BUFFERED_BYTES with a 502", async () => {
    const r = await httpRequest(`${g.url}/buf/big`);
    expect(r.status).toBe(502);
    expect(r.json()).toMatchObject({ error: "upstream_body_too_large" });
  });

  it.each(["/stream/hang", "/buf/hang"])("cancels the upstream request when the client aborts (%s)", async (path) => {
    upstreamClosed = deferred<string>();
    const before = upstream.seen.length;
    const socket = connect(Number(new URL(g.url).port), "127.0.0.1");
    await once(socket, "connect");
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nx-request-id: abort-${path.slice(1, 4)}-00001\r\n\r\n`);
    // wait until the upstream has the request, then hang up
    while (upstream.seen.length === before) await new Promise((r) => setImmediate(r));
    socket.destroy();
    expect(await upstreamClosed.promise).toBe(path);
    await new Promise<void>((resolve) => {
      const check = () => (g.logs.ofType("ClientAbort").some((l) => l.reqId === `abort-${path.slice(1, 4)}-00001`) ? resolve() : setTimeout(check, 10));
      check();
    });
  });

  it("serves /healthz and /readyz", async () => {
    expect((await httpRequest(`${g.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await httpRequest(`${g.url}/readyz`)).json()).toEqual({ status: "ready", redis: "disabled" });
  });
});
