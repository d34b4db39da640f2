/**
 * The custom-domain part of the gateway bench: a real dnsmasq on loopback serving the public
 * host, one custom domain that the real dns-cache run verifies into Redis (the cache-hit path),
 * and FALLBACK_DOMAINS more that are in the registry but not in Redis, so the first request on
 * each makes the gateway resolve it itself (the local-DNS fallback path).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pino from "pino";
import { createDnsCacheMetrics } from "../../apps/dns-cache/src/metrics.js";
import { runOnce } from "../../apps/dns-cache/src/run.js";
import { DOMAIN_KEY_PREFIX } from "../../apps/dns-cache/src/shared/record.js";
import { createResolver } from "../../apps/dns-cache/src/shared/verify.js";
import { startDnsmasq, type DnsRecord, type Dnsmasq } from "../../test/apps/dns-cache/dnsmasq.js";

export const PUBLIC_HOST = "api.bench.example";
export const CUSTOM_HOST = "custom.tenant-a.example";
export const FALLBACK_DOMAINS = Number(process.env.BENCH_FALLBACK_DOMAINS ?? 300);
const fallbackHost = (i: number) => `fb-${i}.tenant-b.example`;
const DNS_PORT = Number(process.env.BENCH_DNS_PORT ?? 15355);

export interface CustomDomainSetup {
  dns: Dnsmasq;
  /** Gateway env: public host, registry, resolver. */
  env: Record<string, string>;
}

export async function startCustomDomainDns(): Promise<CustomDomainSetup> {
  const records: DnsRecord[] = [`host:${PUBLIC_HOST},127.0.0.1`, `cname:${CUSTOM_HOST},${PUBLIC_HOST}`];
  for (let i = 0; i < FALLBACK_DOMAINS; i++) records.push(`cname:${fallbackHost(i)},${PUBLIC_HOST}`);
  const dns = await startDnsmasq(records, DNS_PORT);
  const domains: Record<string, string> = { [CUSTOM_HOST]: "tenant-a" };
  for (let i = 0; i < FALLBACK_DOMAINS; i++) domains[fallbackHost(i)] = "tenant-b";
  // Custom domains need the subject key: the gateway signs each request's tenant with it (as deployed).
  const subjectKeyFile = join(mkdtempSync(join(tmpdir(), "bench-subject-")), "key");
  writeFileSync(subjectKeyFile, randomBytes(32).toString("base64url"));
  return { dns, env: { PUBLIC_HOST, CUSTOM_DOMAINS: JSON.stringify(domains), DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: "250", SUBJECT_KEY_FILE: subjectKeyFile } };
}

/** One real dns-cache run for the cache-hit domain; the fallback domains' records are removed. */
export async function fillRedis(setup: CustomDomainSetup, redisPort: number): Promise<void> {
  const redis = new Redis({ host: "127.0.0.1", port: redisPort, lazyConnect: true });
  await redis.connect();
  try {
    await redis.del(...Array.from({ length: FALLBACK_DOMAINS }, (_, i) => DOMAIN_KEY_PREFIX + fallbackHost(i)));
    const summary = await runOnce({
      domains: { [CUSTOM_HOST]: "tenant-a" },
      publicHost: PUBLIC_HOST,
      intervalSeconds: 600,
      dns: createResolver({ servers: [setup.dns.server], timeoutMs: 1000 }),
      redis,
      log: pino({ level: "silent" }),
      metrics: createDnsCacheMetrics(),
    });
    if (summary.checked !== 1) throw new Error(`dns-cache run did not verify ${CUSTOM_HOST}: ${JSON.stringify(summary)}`);
  } finally {
    redis.disconnect();
  }
}

function timedGet(agent: Agent, url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    request(url, { agent, headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${host}: status ${res.statusCode}`))));
    })
      .on("error", reject)
      .end();
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/**
 * The fallback path: one request per fallback domain (each the first for that domain, so each
 * resolves it), interleaved with a request on the public host, sequentially on one keep-alive
 * connection each. Returns p50/p99 of both, ms.
 */
export async function fallbackLatency(url: string): Promise<{ fallbackP50: number; fallbackP99: number; publicP50: number; publicP99: number }> {
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })];
  await timedGet(agents[0]!, url, CUSTOM_HOST); // open both connections first
  await timedGet(agents[1]!, url, PUBLIC_HOST);
  const fallback: number[] = [];
  const pub: number[] = [];
  for (let i = 0; i < FALLBACK_DOMAINS; i++) {
    fallback.push(await timedGet(agents[0]!, url, fallbackHost(i)));
    pub.push(await timedGet(agents[1]!, url, PUBLIC_HOST));
  }
  for (const a of agents) a.destroy();
  return { fallbackP50: quantile(fallback, 0.5), fallbackP99: quantile(fallback, 0.99), publicP50: quantile(pub, 0.5), publicP99: quantile(pub, 0.99) };
}
