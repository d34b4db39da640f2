import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayConfig, httpRequest, redisCli, startGateway, startPrivateRedis, startUpstream, type TestGateway, type Upstream } from "./helpers.js";

/** These tests freeze or kill their own redis-server, never the shared one. */
describe("Redis failures degrade to level 1 + upstream", () => {
  let upstream: Upstream;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let g: TestGateway;
  const hits = (path: string) => upstream.seen.filter((s) => s.url === path).length;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => res.end(`body of ${req.url}`));
    redis = await startPrivateRedis();
    g = await startGateway(
      gatewayConfig([{ prefix: "/c", upstream: upstream.url, kind: "buffered", auth: false, cacheTtlSeconds: 60 }], {
        REDIS_HOST: "127.0.0.1",
        REDIS_PORT: String(redis.port),
        REDIS_TIMEOUT_MS: "1000", // long enough for a busy machine, short enough for the frozen-Redis test
        REDIS_PASSWORD: "",
      }),
    );
    while (g.gw.cache.redisState !== "up") await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await g.stop();
    await redis.kill();
    await upstream.close();
  });

  it("serves through a Redis that stops answering (command timeout)", async () => {
    const path = `/c/${randomUUID()}`;
    // SIGSTOP freezes Redis: connections stay open, commands reach the socket, no reply comes.
    redis.proc.kill("SIGSTOP");
    try {
      const r = await httpRequest(`${g.url}${path}`);
      expect(r.status).toBe(200);
      expect(r.body).toBe(`body of ${path}`);
      expect(r.headers["x-cache"]).toBe("MISS");
      expect(g.logs.ofType("RedisError").some((l) => l.content === "get" && String(l.errMsg).includes("timed out"))).toBe(true);
      // the level-1 copy still serves while Redis is frozen
      expect((await httpRequest(`${g.url}${path}`)).headers["x-cache"]).toBe("HIT-L1");
    } finally {
      redis.proc.kill("SIGCONT");
    }
  });

  it("keeps serving when Redis is killed in the middle", async () => {
    const cached = `/c/${randomUUID()}`;
    while (g.gw.cache.redisState !== "up") await new Promise((r) => setTimeout(r, 10));
    expect((await httpRequest(`${g.url}${cached}`)).headers["x-cache"]).toBe("MISS");
    await g.gw.cache.idle();
    expect(redisCli(redis.port, "DBSIZE")).not.toBe("0");

    await redis.kill(); // SIGKILL, mid-test

    const hit = await httpRequest(`${g.url}${cached}`);
    expect(hit.status).toBe(200);
    expect(hit.headers["x-cache"]).toBe("HIT-L1");

    const fresh = `/c/${randomUUID()}`;
    const miss = await httpRequest(`${g.url}${fresh}`);
    expect(miss.status).toBe(200);
    expect(miss.body).toBe(`body of ${fresh}`);
    expect(hits(fresh)).toBe(1);
    expect((await httpRequest(`${g.url}${fresh}`)).headers["x-cache"]).toBe("HIT-L1");

    const ready = await httpRequest(`${g.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", redis: "down" });
    while (!g.logs.ofType("RedisError").some((l) => l.content === "connection")) await new Promise((r) => setTimeout(r, 10));

    // Redis comes back on the same port: the gateway reconnects and uses it again.
    redis = await startPrivateRedis(redis.port);
    while (g.gw.cache.redisState !== "up") await new Promise((r) => setTimeout(r, 20));
    const again = `/c/${randomUUID()}`;
    await httpRequest(`${g.url}${again}`);
    await g.gw.cache.idle();
    expect(redisCli(redis.port, "DBSIZE")).toBe("1");
  });
});
