import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { DnsCacheMetrics } from "./metrics.js";
import { DOMAIN_KEY_PREFIX, decodeDomainRecord, encodeDomainRecord, recordTtlMs, type DomainRecord } from "./shared/record.js";
import { DnsLookupError, verifyDomain, type DnsLookup } from "./shared/verify.js";

export interface RunDeps {
  domains: Record<string, string>;
  publicHost: string;
  intervalSeconds: number;
  dns: DnsLookup;
  redis: Redis;
  log: Logger;
  metrics: DnsCacheMetrics;
  now?: () => number;
}

export interface RunSummary {
  checked: number;
  failed: number;
  changed: number;
  seconds: number;
}

/** Domains resolved at once: bounded so a long registry does not flood the resolver. */
const CONCURRENCY = 8;

/**
 * One pass over the registry: verify each domain, compare with the stored record, write the new
 * one with a TTL of 2.5 intervals and log what changed. A domain whose lookup gets no answer keeps
 * its previous record (no answer is not proof it moved) until that record expires. Throws when
 * Redis fails, so the run does not count as completed.
 */
export async function runOnce(d: RunDeps): Promise<RunSummary> {
  const now = d.now ?? Date.now;
  const started = performance.now();
  const summary: RunSummary = { checked: 0, failed: 0, changed: 0, seconds: 0 };
  const queue = Object.entries(d.domains);
  const ttl = recordTtlMs(d.intervalSeconds);

  const checkOne = async (domain: string, tenant: string): Promise<void> => {
    let next: DomainRecord;
    try {
      const v = await verifyDomain(d.dns, domain, d.publicHost);
      next = { tenant, target: v.target, checkedAt: now(), verified: v.verified, reason: v.reason };
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      summary.failed++;
      d.metrics.failed.inc({ reason: err.code.toLowerCase() });
      d.log.warn({ logType: "DomainLookupFailed", domain, tenant, errMsg: err.message });
      return;
    }
    const key = DOMAIN_KEY_PREFIX + domain;
    const prevText = await d.redis.get(key);
    const prev = prevText ? decodeDomainRecord(prevText) : undefined;
    await d.redis.set(key, encodeDomainRecord(next), "PX", ttl);
    summary.checked++;
    d.metrics.checked.inc({ result: next.verified ? "verified" : "unverified" });
    if (!prev || prev.verified !== next.verified || prev.target !== next.target || prev.tenant !== next.tenant) {
      summary.changed++;
      d.metrics.changed.inc();
      d.log.info({
        logType: prev ? "DomainChanged" : "DomainAdded",
        domain,
        tenant,
        verified: next.verified,
        reason: next.reason,
        target: next.target,
        ...(prev ? { previousVerified: prev.verified, previousTarget: prev.target } : {}),
      });
    }
  };

  const workers = Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await checkOne(item[0], item[1]);
  });
  try {
    await Promise.all(workers);
  } finally {
    summary.seconds = (performance.now() - started) / 1000;
    d.metrics.runDuration.observe(summary.seconds);
  }
  d.metrics.lastSuccess.set(now() / 1000);
  d.log.info({ logType: "RunCompleted", ...summary });
  return summary;
}
