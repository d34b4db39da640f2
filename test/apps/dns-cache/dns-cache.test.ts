import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadDnsCacheConfig } from "../../../apps/dns-cache/src/config.js";
import { DNS_CACHE_METRICS, createDnsCacheMetrics } from "../../../apps/dns-cache/src/metrics.js";
import { runOnce } from "../../../apps/dns-cache/src/run.js";
import { createDnsCacheService } from "../../../apps/dns-cache/src/service.js";
import { DOMAIN_KEY_PREFIX, decodeDomainRecord } from "../../../apps/dns-cache/src/shared/record.js";
import { DnsLookupError, createResolver, verifyDomain } from "../../../apps/dns-cache/src/shared/verify.js";
import { LogCapture, metricValue } from "../gateway/helpers.js";
import { silentUdpServer, startDnsmasq, type DnsRecord, type Dnsmasq } from "./dnsmasq.js";

/** The public host and the records of a small world: what every test here resolves against. */
const PUBLIC = "api.platform.example";
const base = (silentPort: number, moving: string): DnsRecord[] => [
  "host:api.platform.example,192.0.2.10,192.0.2.11",
  "cname:good.tenant-a.example,api.platform.example",
  // two hops: tenant CNAME → their CDN name → the public host
  "cname:chain.tenant-b.example,edge.tenant-b.example",
  "cname:edge.tenant-b.example,api.platform.example",
  "host:apex-b.example,192.0.2.11",
  "host:other.example,198.51.100.7",
  "cname:bad.tenant-c.example,other.example",
  `cname:moving.tenant-d.example,${moving}`,
  `server:/slow.example/127.0.0.1#${silentPort}`,
];

describe("dns-cache against a real dnsmasq and Redis", () => {
  let dns: Dnsmasq;
  let silent: Awaited<ReturnType<typeof silentUdpServer>>;
  let redis: Redis;
  const resolver = () => createResolver({ servers: [dns.server], timeoutMs: 300 });

  beforeAll(async () => {
    silent = await silentUdpServer();
    dns = await startDnsmasq(base(silent.port, PUBLIC));
    redis = new Redis({ host: "127.0.0.1", port: inject("redisPort"), lazyConnect: true });
    await redis.connect();
    const keys = await redis.keys(`${DOMAIN_KEY_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    redis?.disconnect();
    await dns?.stop();
    silent?.close();
  });

  describe("verifyDomain (the module the gateway shares)", () => {
    it.each([
      ["good.tenant-a.example", true, "cname", PUBLIC],
      ["chain.tenant-b.example", true, "cname", PUBLIC],
      ["apex-b.example", true, "address", "192.0.2.11"],
      ["bad.tenant-c.example", false, "elsewhere", "other.example"],
      ["other.example", false, "elsewhere", "198.51.100.7"],
      ["missing.example", false, "no_records", "missing.example"],
    ])("%s → verified %s (%s, target %s)", async (domain, verified, reason, target) => {
      const v = await verifyDomain(resolver(), domain, PUBLIC);
      expect(v).toMatchObject({ verified, reason, target });
    });

    it("a CNAME chain is recorded hop by hop", async () => {
      const v = await verifyDomain(resolver(), "chain.tenant-b.example", PUBLIC);
      expect(v.chain).toEqual(["chain.tenant-b.example", "edge.tenant-b.example", PUBLIC]);
    });

    it("a resolver that never answers is an error after the timeout, not a verdict", async () => {
      const t0 = Date.now();
      const err = await verifyDomain(resolver(), "www.slow.example", PUBLIC).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DnsLookupError);
      expect((err as DnsLookupError).code).toBe("ETIMEOUT");
      expect(Date.now() - t0).toBeLessThan(5000);
    });
  });

  describe("runOnce", () => {
    const domains = {
      "good.tenant-a.example": "tenant-a",
      "bad.tenant-c.example": "tenant-c",
      "moving.tenant-d.example": "tenant-d",
      "www.slow.example": "tenant-e",
    };
    const record = async (domain: string) => {
      const text = await redis.get(DOMAIN_KEY_PREFIX + domain);
      return text ? decodeDomainRecord(text) : undefined;
    };

    it("writes each answered domain with a TTL over two intervals, logs changes, counts, and keeps a timed-out domain's record", async () => {
      const metrics = createDnsCacheMetrics();
      const logs = new LogCapture();
      const { default: pino } = await import("pino");
      const log = pino({ base: null }, logs);
      // a record from an earlier run for the domain whose resolver will not answer
      await redis.set(DOMAIN_KEY_PREFIX + "www.slow.example", JSON.stringify({ tenant: "tenant-e", target: PUBLIC, checkedAt: 1, verified: true, reason: "cname" }), "PX", 60_000);
      const deps = { domains, publicHost: PUBLIC, intervalSeconds: 600, dns: resolver(), redis, log, metrics };

      const first = await runOnce(deps);
      expect(first).toMatchObject({ checked: 3, failed: 1, changed: 3 });
      expect(await record("good.tenant-a.example")).toMatchObject({ tenant: "tenant-a", verified: true, target: PUBLIC });
      expect(await record("bad.tenant-c.example")).toMatchObject({ tenant: "tenant-c", verified: false, reason: "elsewhere", target: "other.example" });
      expect(await record("moving.tenant-d.example")).toMatchObject({ verified: true });
      expect(await record("www.slow.example")).toMatchObject({ checkedAt: 1, verified: true }); // untouched
      const pttl = await redis.pttl(DOMAIN_KEY_PREFIX + "good.tenant-a.example");
      expect(pttl).toBeGreaterThan(2 * 600_000);
      expect(logs.ofType("DomainAdded").map((l) => l.domain).sort()).toEqual(["bad.tenant-c.example", "good.tenant-a.example", "moving.tenant-d.example"]);
      expect(logs.ofType("DomainLookupFailed")[0]).toMatchObject({ domain: "www.slow.example" });

      // the tenant moves its CNAME away between runs
      await dns.restart(base(silent.port, "other.example"));
      const second = await runOnce(deps);
      expect(second).toMatchObject({ checked: 3, failed: 1, changed: 1 });
      expect(await record("moving.tenant-d.example")).toMatchObject({ verified: false, target: "other.example" });
      expect(logs.ofType("DomainChanged")).toEqual([
        expect.objectContaining({ domain: "moving.tenant-d.example", verified: false, previousVerified: true, previousTarget: PUBLIC, target: "other.example" }),
      ]);

      const text = await metrics.registry.metrics();
      expect(metricValue(text, DNS_CACHE_METRICS.checked, { result: "verified" })).toBe(3);
      expect(metricValue(text, DNS_CACHE_METRICS.checked, { result: "unverified" })).toBe(3);
      expect(metricValue(text, DNS_CACHE_METRICS.failed, { reason: "etimeout" })).toBe(2);
      expect(text).toMatch(new RegExp(`^${DNS_CACHE_METRICS.changed} 4$`, "m"));
      expect(text).toMatch(new RegExp(`^${DNS_CACHE_METRICS.runDuration}_count 2$`, "m"));
      expect(Number(text.match(new RegExp(`^${DNS_CACHE_METRICS.lastSuccess} (\\S+)$`, "m"))?.[1])).toBeGreaterThan(Date.now() / 1000 - 60);
      await dns.restart(base(silent.port, PUBLIC));
    });

    it("a run whose Redis is unreachable does not complete (no last-success time)", async () => {
      const metrics = createDnsCacheMetrics();
      const { default: pino } = await import("pino");
      const dead = new Redis({ host: "127.0.0.1", port: 1, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
      dead.on("error", () => undefined);
      const run = runOnce({ domains: { "good.tenant-a.example": "tenant-a" }, publicHost: PUBLIC, intervalSeconds: 600, dns: resolver(), redis: dead, log: pino({ level: "silent" }), metrics });
      await expect(run).rejects.toThrow();
      expect((await metrics.lastSuccess.get()).values[0]?.value ?? 0).toBe(0);
      dead.disconnect();
    });
  });

  it("the service runs at start and serves its metrics", async () => {
    const config = loadDnsCacheConfig({
      CUSTOM_DOMAINS: JSON.stringify({ "good.tenant-a.example": "tenant-a" }),
      PUBLIC_HOST: PUBLIC,
      DNS_SERVERS: dns.server,
      DNS_TIMEOUT_MS: "300",
      INTERVAL_SECONDS: "3600",
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(inject("redisPort")),
      METRICS_PORT: "0",
    });
    const logs = new LogCapture();
    const service = createDnsCacheService(config, { logDestination: logs, host: "127.0.0.1", defaultMetrics: false });
    await service.start();
    try {
      await service.settled();
      const text = await (await fetch(`${service.url}/metrics`)).text();
      expect(metricValue(text, DNS_CACHE_METRICS.checked, { result: "verified" })).toBe(1);
      expect(logs.ofType("RunCompleted")).toHaveLength(1);
    } finally {
      await service.stop();
    }
  });
});
