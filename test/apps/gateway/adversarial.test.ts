import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { gatewayConfig, httpRequest, startGateway, startPrivateRedis, startUpstream, tempFile, type TestGateway, type Upstream } from "./helpers.js";

// Reproducers of issue #15 (gateway hygiene), against real upstreams and a real Redis. Every
// case here failed on the code before the fix.
const SECRET = "adversarial-test-secret-0123456789abcdef0123";

async function token(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, iss: "iss", aud: "aud", exp: now + 600 }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
}

describe("gateway hygiene", () => {
  let upstream: Upstream;
  let version = 1;
  const gateways: TestGateway[] = [];
  const lastSeen = (path: string) => upstream.seen.filter((s) => s.url === path).at(-1)!.headers;
  const routes = [
    { prefix: "/c", upstream: "", kind: "buffered" as const, auth: false, cacheTtlSeconds: 60 },
    { prefix: "/s", upstream: "", kind: "stream" as const, auth: false },
    { prefix: "/me", upstream: "", kind: "buffered" as const, auth: true },
  ];
  const env = () => ({
    REDIS_HOST: "127.0.0.1",
    REDIS_PORT: String(inject("redisPort")),
    REDIS_TIMEOUT_MS: "5000",
    JWT_ALG: "HS256",
    JWT_ISSUER: "iss",
    JWT_AUDIENCE: "aud",
    JWT_KEY_FILE: tempFile("key", SECRET),
  });
  async function gateway(extra: Record<string, string> = {}): Promise<TestGateway> {
    const g = await startGateway(gatewayConfig(routes.map((r) => ({ ...r, upstream: upstream.url })), { ...env(), ...extra }));
    gateways.push(g);
    return g;
  }

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`v${version}`));
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await upstream.close();
  });

  it("sets X-Forwarded-* itself for a client that is not a trusted proxy hop (finding 7)", async () => {
    const g = await gateway();
    for (const prefix of ["/s", "/c"]) {
      const path = `${prefix}/${randomUUID()}`;
      await httpRequest(`${g.url}${path}`, {
        headers: { host: "api.example", "x-forwarded-for": "198.51.100.66", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", forwarded: "for=1.2.3.4", "x-real-ip": "1.2.3.4" },
      });
      const seen = lastSeen(path);
      expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
      expect(seen["x-forwarded-host"]).toBe("api.example");
      expect(seen["x-forwarded-proto"]).toBe("http");
      expect(seen.forwarded).toBeUndefined();
      expect(seen["x-real-ip"]).toBeUndefined();
    }
  });

  it("believes X-Forwarded-* only from TRUSTED_PROXIES, cut at the first address no hop vouches for (finding 7)", async () => {
    const g = await gateway({ TRUSTED_PROXIES: "127.0.0.0/8, 10.0.0.0/8" });
    const path = `/s/${randomUUID()}`;
    // The client claimed 198.51.100.66; the ingress (10.1.2.3) appended the real client, 203.0.113.9.
    await httpRequest(`${g.url}${path}`, {
      headers: { host: "gw.internal", "x-forwarded-for": "198.51.100.66, 203.0.113.9, 10.1.2.3", "x-forwarded-host": "api.example", "x-forwarded-proto": "https" },
    });
    expect(lastSeen(path)["x-forwarded-for"]).toBe("203.0.113.9, 10.1.2.3, 127.0.0.1");
    expect(lastSeen(path)["x-forwarded-host"]).toBe("api.example");
    expect(lastSeen(path)["x-forwarded-proto"]).toBe("https");
    // Malformed values from a trusted hop fall back to what the gateway knows.
    const bad = `/s/${randomUUID()}`;
    await httpRequest(`${g.url}${bad}`, { headers: { host: "gw.internal", "x-forwarded-host": "a b/c", "x-forwarded-proto": "gopher" } });
    expect(lastSeen(bad)["x-forwarded-host"]).toBe("gw.internal");
    expect(lastSeen(bad)["x-forwarded-proto"]).toBe("http");
  });

  it("treats `Connection: x-read-your-writes` the same for the cache and for routing (finding 8)", async () => {
    const g = await gateway();
    const path = `/c/${randomUUID()}`;
    expect((await httpRequest(`${g.url}${path}`)).headers["x-cache"]).toBe("MISS");
    version++;
    const r = await httpRequest(`${g.url}${path}`, { headers: { connection: "x-read-your-writes", "x-read-your-writes": "true" } });
    const forwarded = upstream.seen.filter((s) => s.url === path);
    // The header is connection-specific, so it is neither forwarded (the mesh would route the
    // read to the query role) nor honoured for the cache: a cached copy is a query-role read too.
    expect(forwarded).toHaveLength(1);
    expect(forwarded.some((s) => s.headers["x-read-your-writes"] !== undefined)).toBe(false);
    expect(r.headers["x-cache"]).toBe("HIT-L1");
    // An end-to-end header still bypasses the cache and reaches the mesh.
    const own = await httpRequest(`${g.url}${path}`, { headers: { "x-read-your-writes": "true" } });
    expect(own.headers["x-cache"]).toBeUndefined();
    expect(own.body).toBe(`v${version}`);
    expect(lastSeen(path)["x-read-your-writes"]).toBe("true");
  });

  it("never forwards a client's x-platform-subject; signs the verified subject when a key is set (finding 2)", async () => {
    const plain = await gateway();
    const keyed = await gateway({ SUBJECT_KEY_FILE: tempFile("subject-key", "subject-signing-key-0123456789abcdef") });
    const alice = await token("alice");
    for (const g of [plain, keyed]) {
      const open = `/s/${randomUUID()}`;
      await httpRequest(`${g.url}${open}`, { headers: { "x-platform-subject": "v1.0.bWFsbG9yeQ.forged" } });
      expect(lastSeen(open)["x-platform-subject"]).toBeUndefined();
      const me = `/me/${randomUUID()}`;
      const r = await httpRequest(`${g.url}${me}`, { headers: { authorization: `Bearer ${alice}`, "x-platform-subject": "v1.0.bWFsbG9yeQ.forged" } });
      expect(r.status).toBe(200);
      const seen = lastSeen(me)["x-platform-subject"] as string | undefined;
      if (g === plain) expect(seen).toBeUndefined();
      else expect(Buffer.from(seen!.split(".")[2]!, "base64url").toString()).toBe("alice");
    }
  });
});

describe("/readyz with a frozen Redis (finding 9)", () => {
  it("reports redis down while a probe times out, stays ready, and comes back up", async () => {
    const upstream = await startUpstream((_req, res) => res.end("x"));
    const redis = await startPrivateRedis();
    const g = await startGateway(
      gatewayConfig([{ prefix: "/c", upstream: upstream.url, kind: "buffered", auth: false, cacheTtlSeconds: 60 }], {
        REDIS_HOST: "127.0.0.1",
        REDIS_PORT: String(redis.port),
        REDIS_TIMEOUT_MS: "300",
      }),
    );
    try {
      while (g.gw.cache.redisState !== "up") await new Promise((r) => setTimeout(r, 10));
      expect((await httpRequest(`${g.url}/readyz`)).json()).toEqual({ status: "ready", redis: "up" });
      redis.proc.kill("SIGSTOP"); // the connection stays open; nothing answers
      try {
        const r = await httpRequest(`${g.url}/readyz`);
        expect(r.status).toBe(200);
        expect(r.json()).toEqual({ status: "ready", redis: "down" });
        // While down, requests do not wait on Redis: a miss goes straight to the upstream.
        const miss = await httpRequest(`${g.url}/c/${randomUUID()}`);
        expect(miss.headers["x-cache"]).toBe("MISS");
        expect(g.logs.ofType("RedisError").filter((l) => l.content === "get")).toHaveLength(0);
      } finally {
        redis.proc.kill("SIGCONT");
      }
      while ((await httpRequest(`${g.url}/readyz`)).json<{ redis: string }>().redis !== "up") await new Promise((r) => setTimeout(r, 100));
    } finally {
      await g.stop();
      await redis.kill();
      await upstream.close();
    }
  });
});
