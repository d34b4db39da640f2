import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDnsCacheMetrics } from "../../../apps/dns-cache/src/metrics.js";
import { runOnce } from "../../../apps/dns-cache/src/run.js";
import { DOMAIN_KEY_PREFIX } from "../../../apps/dns-cache/src/shared/record.js";
import { createResolver } from "../../../apps/dns-cache/src/shared/verify.js";
import { GATEWAY_METRICS } from "../../../apps/gateway/src/metrics/names.js";
import { verifyTenant } from "../../../apps/telemetry/src/core/subject.js";
import { silentUdpServer, startDnsmasq, type Dnsmasq } from "../dns-cache/dnsmasq.js";
import { gatewayConfig, httpRequest, metricValue, startGateway, startUpstream, tempFile, type TestGateway, type Upstream } from "./helpers.js";

/**
 * Custom domains end to end: a real dnsmasq serving the tenants' CNAMEs, the real dns-cache run
 * writing its records into the real Redis, and the real gateway reading them (or resolving
 * itself on a miss) in front of a real upstream that echoes the tenant header it got.
 */
const PUBLIC = "api.platform.example";
const SUBJECT_KEY = "custom-domains-test-subject-key-0123456789";
const DOMAINS = {
  "cached.tenant-a.example": "tenant-a",
  "also.tenant-g.example": "tenant-g",
  "fallback.tenant-b.example": "tenant-b",
  "bad.tenant-c.example": "tenant-c",
  "moved.tenant-f.example": "tenant-f",
  "www.slow.example": "tenant-e",
};

describe("gateway on custom domains", () => {
  let dns: Dnsmasq;
  let silent: Awaited<ReturnType<typeof silentUdpServer>>;
  let upstream: Upstream;
  let redis: Redis;
  let g: TestGateway;
  const get = (host: string, path = "/api/x", headers: Record<string, string> = {}) =>
    httpRequest(`${g.url}${path}`, { headers: { host, ...headers } });

  beforeAll(async () => {
    silent = await silentUdpServer();
    dns = await startDnsmasq([
      `host:${PUBLIC},192.0.2.10`,
      `cname:cached.tenant-a.example,${PUBLIC}`,
      `cname:also.tenant-g.example,${PUBLIC}`,
      `cname:fallback.tenant-b.example,${PUBLIC}`,
      "host:other.example,198.51.100.7",
      "cname:bad.tenant-c.example,other.example",
      "cname:moved.tenant-f.example,other.example",
      `server:/slow.example/127.0.0.1#${silent.port}`,
    ]);
    redis = new Redis({ host: "127.0.0.1", port: inject("redisPort"), lazyConnect: true });
    await redis.connect();
    await redis.del(...Object.keys(DOMAINS).map((d) => DOMAIN_KEY_PREFIX + d));
    // dns-cache's run fills Redis for the domains it owns here; fallback.tenant-b stays a miss.
    const { "fallback.tenant-b.example": _, "www.slow.example": __, ...cached } = DOMAINS;
    await runOnce({ domains: cached, publicHost: PUBLIC, intervalSeconds: 600, dns: createResolver({ servers: [dns.server], timeoutMs: 300 }), redis, log: pino({ level: "silent" }), metrics: createDnsCacheMetrics() });

    upstream = await startUpstream((req, res) => {
      res.setHeader("content-type", "application/json");
      // The tenant as telemetry reads it: the signed header verified with the shared key.
      const raw = req.headers["x-platform-tenant"];
      const verified = verifyTenant(raw, Buffer.from(SUBJECT_KEY), Date.now());
      res.end(JSON.stringify({ tenant: verified.ok ? (verified.value ?? null) : `unverified: ${verified.reason}`, raw: raw ?? null, url: req.url }));
    });
    g = await startGateway(
      gatewayConfig(
        [
          { prefix: "/api", upstream: upstream.url, kind: "buffered", auth: false },
          { prefix: "/cached", upstream: upstream.url, kind: "buffered", auth: false, cacheTtlSeconds: 60 },
        ],
        {
          REDIS_HOST: "127.0.0.1",
          REDIS_PORT: String(inject("redisPort")),
          REDIS_TIMEOUT_MS: "1000",
          PUBLIC_HOST: PUBLIC,
          CUSTOM_DOMAINS: JSON.stringify(DOMAINS),
          SUBJECT_KEY_FILE: tempFile("subject", SUBJECT_KEY),
          DNS_SERVERS: dns.server,
          DNS_TIMEOUT_MS: "300",
        },
      ),
    );
    while (g.gw.cache.redisState !== "up") await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    await g?.stop();
    await upstream?.close();
    redis?.disconnect();
    await dns?.stop();
    silent?.close();
  });

  const counted = async (source: string, result: string) =>
    metricValue(await g.gw.metrics.registry.metrics(), GATEWAY_METRICS.customDomainRequests, { source, result });

  it("routes a domain dns-cache verified, from Redis then level 1, with the tenant header", async () => {
    const first = await get("cached.tenant-a.example");
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ tenant: "tenant-a" });
    const second = await get("Cached.Tenant-A.example:443"); // case and port do not matter
    expect(second.json()).toMatchObject({ tenant: "tenant-a" });
    expect(await counted("l2", "routed")).toBe(1);
    expect(await counted("l1", "routed")).toBe(1);
    expect(g.logs.ofType("DomainFallbackLookup")).toHaveLength(0);
  });

  it("the tenant header is the gateway's: a client's copy is dropped on the public host and replaced on a custom domain", async () => {
    expect((await get(PUBLIC, "/api/x", { "x-platform-tenant": "tenant-a" })).json()).toMatchObject({ tenant: null });
    expect((await get("also.tenant-g.example", "/api/x", { "x-platform-tenant": "tenant-a" })).json()).toMatchObject({ tenant: "tenant-g" });
  });

  it("the tenant travels signed (t1 HMAC with the subject key), never as the plain name", async () => {
    const { raw } = (await get("cached.tenant-a.example")).json<{ raw: string }>();
    expect(raw).toMatch(/^t1\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(raw.split(".")[2]!, "base64url").toString()).toBe("tenant-a");
  });

  it("on a Redis miss resolves locally, verifies the same way and routes", async () => {
    const r = await get("fallback.tenant-b.example");
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ tenant: "tenant-b" });
    expect(g.logs.ofType("DomainFallbackLookup")).toEqual([expect.objectContaining({ domain: "fallback.tenant-b.example", verified: true })]);
    expect(await counted("dns", "routed")).toBe(1);
    // the pod remembers its own finding: no second lookup
    await get("fallback.tenant-b.example");
    expect(g.logs.ofType("DomainFallbackLookup")).toHaveLength(1);
  });

  it.each([
    ["unknown.example", "unknown_domain"],
    ["bad.tenant-c.example", "domain_not_verified"], // Redis record: points elsewhere
    ["moved.tenant-f.example", "domain_not_verified"],
  ])("%s → 421 %s", async (host, reason) => {
    const r = await get(host);
    expect(r.status).toBe(421);
    expect(r.json()).toMatchObject({ error: "misdirected_request", reason, host });
  });

  it("a domain whose DNS never answers gets 421 after the short timeout, and is not asked again at once", async () => {
    const t0 = Date.now();
    const r = await get("www.slow.example");
    expect(r.status).toBe(421);
    expect(r.json()).toMatchObject({ reason: "domain_lookup_failed" });
    expect(Date.now() - t0).toBeLessThan(3000);
    const again = await get("www.slow.example");
    expect(again.status).toBe(421);
    expect(g.logs.ofType("DomainLookupFailed")).toHaveLength(1);
    expect(g.logs.ofType("GatewayError")).toHaveLength(0); // never a 5xx
  });

  it("tenants never share a cached response, and neither does the public host", async () => {
    const a = await get("cached.tenant-a.example", "/cached/same");
    const b = await get("also.tenant-g.example", "/cached/same");
    const pub = await get(PUBLIC, "/cached/same");
    expect([a.json().tenant, b.json().tenant, pub.json().tenant]).toEqual(["tenant-a", "tenant-g", null]);
    expect((await get("cached.tenant-a.example", "/cached/same")).headers["x-cache"]).toBe("HIT-L1");
    expect(upstream.seen.filter((s) => s.url === "/cached/same")).toHaveLength(3);
  });

  it("probes and in-cluster names are the gateway's own hosts", async () => {
    expect((await get("unknown.example", "/healthz")).status).toBe(200);
    expect((await get("gateway.platform.svc.cluster.local", "/api/x")).status).toBe(200);
    expect((await get("10.0.0.7:8080", "/api/x")).status).toBe(200);
  });
});
