import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GATEWAY_METRICS } from "../../../apps/gateway/src/metrics/names.js";
import { gatewayConfig, httpRequest, metricValue, startGateway, startUpstream, tempFile, type TestGateway, type Upstream } from "./helpers.js";

const SECRET = "cache-test-secret-0123456789abcdef0123456789";
const TTL = 30;
const STALE = 60;

async function token(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, iss: "iss", aud: "aud", exp: now + 600 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
}

describe("layered cache against a real Redis", () => {
  let upstream: Upstream;
  let version = 1;
  /** While set, upstream answers for this path wait for it (to hold a background refresh). */
  let gate: { path: string; open: Promise<void> } | undefined;
  let clock = Date.now();
  const now = () => clock;
  const gateways: TestGateway[] = [];
  let config: ReturnType<typeof gatewayConfig>;
  const hits = (path: string) => upstream.seen.filter((s) => s.url === path).length;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      const url = req.url ?? "";
      if (url.includes("/status/500")) {
        res.writeHead(500).end("broken");
        return;
      }
      if (url.includes("/cookie")) {
        res.writeHead(200, { "set-cookie": "s=1" }).end("cookie");
        return;
      }
      if (url.includes("/nostore")) {
        res.writeHead(200, { "cache-control": "no-store" }).end("nostore");
        return;
      }
      if (gate && url === gate.path) {
        const v = version;
        void gate.open.then(() => res.writeHead(200, { "content-type": "text/plain" }).end(`v${v}`));
        return;
      }
      const who = req.headers.authorization ? `:${req.headers.authorization.slice(-12)}` : "";
      res.writeHead(200, { "content-type": "text/plain", etag: `"v${version}"` }).end(`v${version}${who}`);
    });
    config = gatewayConfig(
      [
        { prefix: "/c", upstream: upstream.url, kind: "buffered", auth: false, cacheTtlSeconds: TTL, staleSeconds: STALE },
        { prefix: "/me", upstream: upstream.url, kind: "buffered", auth: true, cacheTtlSeconds: TTL, perUser: true },
      ],
      {
        REDIS_HOST: "127.0.0.1",
        REDIS_PORT: String(inject("redisPort")),
        REDIS_TIMEOUT_MS: "5000", // a busy machine must not turn a slow Redis answer into a miss here
        JWT_ALG: "HS256", JWT_ISSUER: "iss", JWT_AUDIENCE: "aud",
        JWT_KEY_FILE: tempFile("key", SECRET),
      },
    );
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await upstream.close();
  });

  async function gateway(): Promise<TestGateway> {
    const g = await startGateway(config, { now });
    gateways.push(g);
    // Redis is optional at start-up; these tests want it connected.
    while (g.gw.cache.redisState !== "up") await new Promise((r) => setTimeout(r, 10));
    return g;
  }

  it("serves a miss from the upstream, then from level 1, then from level 2 in another process", async () => {
    const a = await gateway();
    const path = `/c/${randomUUID()}`;
    const first = await httpRequest(`${a.url}${path}`);
    expect(first.status).toBe(200);
    expect(first.headers["x-cache"]).toBe("MISS");
    expect(first.headers.etag).toBe(`"v${version}"`);
    const second = await httpRequest(`${a.url}${path}`);
    expect(second.headers["x-cache"]).toBe("HIT-L1");
    expect(second.body).toBe(first.body);
    expect(hits(path)).toBe(1);

    await a.gw.cache.idle();
    const b = await gateway(); // empty level 1, same Redis
    const third = await httpRequest(`${b.url}${path}`);
    expect(third.headers["x-cache"]).toBe("HIT-L2");
    expect(third.body).toBe(first.body);
    expect(third.headers.etag).toBe(first.headers.etag);
    expect((await httpRequest(`${b.url}${path}`)).headers["x-cache"]).toBe("HIT-L1");
    expect(hits(path)).toBe(1);

    const metrics = (await httpRequest(`${b.url}/metrics`)).body;
    expect(metricValue(metrics, GATEWAY_METRICS.cacheHits, { level: "l2" })).toBe(1);
    expect(metricValue(metrics, GATEWAY_METRICS.cacheHits, { level: "l1" })).toBe(1);
    const lines = a.logs.ofType("AccessLog").filter((l) => l.reqPath === path);
    expect(lines.map((l) => l.cacheType)).toEqual(["miss", "l1"]);
    expect(lines[0]!.cacheKey).toBe(`/c|${path}`);
  });

  it("bypasses the cache for read-your-writes reads and forwards the header", async () => {
    const g = await gateway();
    const path = `/c/${randomUUID()}`;
    expect((await httpRequest(`${g.url}${path}`)).headers["x-cache"]).toBe("MISS");
    expect((await httpRequest(`${g.url}${path}`)).headers["x-cache"]).toBe("HIT-L1");
    version++;
    const own = await httpRequest(`${g.url}${path}`, { headers: { "x-read-your-writes": "true" } });
    expect(own.body).toBe(`v${version}`); // the write is visible, not the cached v-1
    expect(own.headers["x-cache"]).toBeUndefined();
    expect(hits(path)).toBe(2);
    expect(upstream.seen.filter((s) => s.url === path).at(-1)!.headers["x-read-your-writes"]).toBe("true");
    expect(g.logs.ofType("AccessLog").filter((l) => l.reqPath === path).map((l) => l.cacheType)).toEqual(["miss", "l1", "bypass"]);
  });

  it("serves a stale copy while refreshing once per key, then the fresh copy", async () => {
    const g = await gateway();
    const path = `/c/${randomUUID()}`;
    version = 10;
    expect((await httpRequest(`${g.url}${path}`)).body).toBe("v10");
    version = 11;
    clock += (TTL + 1) * 1000; // expired, not yet deleted
    let release!: () => void;
    gate = { path, open: new Promise<void>((r) => (release = r)) }; // the refresh waits until all stale hits are in
    const stale = await Promise.all(Array.from({ length: 8 }, () => httpRequest(`${g.url}${path}`)));
    for (const r of stale) {
      expect(r.status).toBe(200);
      expect(r.headers["x-cache"]).toBe("STALE");
      expect(r.body).toBe("v10");
    }
    release();
    gate = undefined;
    await g.gw.cache.idle();
    expect(hits(path)).toBe(2); // the miss, and exactly one refresh for eight stale hits
    const fresh = await httpRequest(`${g.url}${path}`);
    expect(fresh.headers["x-cache"]).toBe("HIT-L1");
    expect(fresh.body).toBe("v11");
    expect(g.logs.ofType("CacheRefresh").filter((l) => l.cacheKey === `/c|${path}`)).toHaveLength(1);
  });

  it("fetches again past the delete time", async () => {
    const g = await gateway();
    const path = `/c/${randomUUID()}`;
    version = 20;
    await httpRequest(`${g.url}${path}`);
    await g.gw.cache.idle();
    version = 21;
    clock += (TTL + STALE + 1) * 1000;
    const r = await httpRequest(`${g.url}${path}`);
    expect(r.headers["x-cache"]).toBe("MISS");
    expect(r.body).toBe("v21");
    expect(hits(path)).toBe(2);
  });

  it("varies by subject on per-user routes", async () => {
    const g = await gateway();
    const path = `/me/${randomUUID()}`;
    const [alice, bob] = [await token("alice"), await token("bob")];
    const a1 = await httpRequest(`${g.url}${path}`, { headers: { authorization: `Bearer ${alice}` } });
    const b1 = await httpRequest(`${g.url}${path}`, { headers: { authorization: `Bearer ${bob}` } });
    expect(a1.headers["x-cache"]).toBe("MISS");
    expect(b1.headers["x-cache"]).toBe("MISS");
    expect(a1.body).not.toBe(b1.body);
    const a2 = await httpRequest(`${g.url}${path}`, { headers: { authorization: `Bearer ${alice}` } });
    expect(a2.headers["x-cache"]).toBe("HIT-L1");
    expect(a2.body).toBe(a1.body);
    expect(hits(path)).toBe(2);
    // no token, no cached copy either
    expect((await httpRequest(`${g.url}${path}`)).status).toBe(401);
  });

  it("does not cache errors, cookies, no-store or non-GET", async () => {
    const g = await gateway();
    for (const path of ["/c/status/500", "/c/cookie", "/c/nostore"]) {
      await httpRequest(`${g.url}${path}`);
      const again = await httpRequest(`${g.url}${path}`);
      expect(again.headers["x-cache"]).toBe("MISS");
      expect(hits(path)).toBe(2);
    }
    const path = `/c/${randomUUID()}`;
    await httpRequest(`${g.url}${path}`, { method: "POST", body: "x" });
    expect((await httpRequest(`${g.url}${path}`)).headers["x-cache"]).toBe("MISS");
  });
});
