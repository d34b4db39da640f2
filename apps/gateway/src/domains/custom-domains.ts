import { isIP } from "node:net";
import { DOMAIN_KEY_PREFIX, decodeDomainRecord, type DomainRecord } from "../../../dns-cache/src/shared/record.js";
import { DnsLookupError, createResolver, normalizeHost, verifyDomain, type DnsLookup } from "../../../dns-cache/src/shared/verify.js";
import type { LayeredCache, RecordKind } from "../cache/layered.js";
import type { GatewayConfig } from "../config/index.js";
import type { GatewayLogger } from "../observability/logger.js";

/**
 * The tenant of a custom-domain request, for upstreams. Set only by the gateway, signed with the
 * subject key (auth/subject.ts `signTenant`): a client's copy is dropped on every request
 * (proxy/headers.ts), and a pod in the mesh cannot forge one (the upstream checks the signature).
 */
export const TENANT_HEADER = "x-platform-tenant";

/** dns-cache's records, read through the layered cache; a change reaches level 1 within 30 s. */
export const DOMAIN_RECORDS: RecordKind<DomainRecord> = { redisPrefix: DOMAIN_KEY_PREFIX, decode: decodeDomainRecord, l1TtlMs: 30_000 };

/** How long this pod trusts what its own fallback lookup found (Redis is dns-cache's to write). */
const FALLBACK_VERIFIED_MS = 60_000;
const FALLBACK_UNVERIFIED_MS = 10_000;
/** After a lookup with no answer, requests for that domain are refused without asking again for this long. */
const FALLBACK_FAILED_MS = 5_000;

export type RefusalReason = "unknown_domain" | "domain_not_verified" | "domain_lookup_failed";

export type HostDecision =
  | { kind: "own" }
  | { kind: "tenant"; domain: string; tenant: string; source: "l1" | "l2" | "dns" }
  | { kind: "refused"; domain: string; reason: RefusalReason };

const OWN: HostDecision = { kind: "own" };

/**
 * Hosts that are the gateway itself rather than a custom domain: the public host, IP literals
 * (kubelet probes, direct pod calls), single-label and cluster-internal Service names.
 */
function isOwnHost(host: string, publicHost: string): boolean {
  return (
    host === "" || host === publicHost || host === "localhost" || host.startsWith("[") || isIP(host) !== 0 ||
    !host.includes(".") || host.endsWith(".svc") || host.endsWith(".cluster.local")
  );
}

/** Decides, per request Host, whether it is the gateway's own host, a routable custom domain, or refused. */
export class CustomDomains {
  private readonly inflight = new Map<string, Promise<DomainRecord | undefined>>();
  private readonly failedUntil = new Map<string, number>();

  constructor(
    private readonly config: NonNullable<GatewayConfig["customDomains"]>,
    private readonly cache: LayeredCache,
    private readonly log: GatewayLogger,
    private readonly now: () => number = Date.now,
    private readonly dns: DnsLookup = createResolver({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs }),
  ) {}

  /**
   * The decision when it needs no I/O: an own host, an unknown domain, or a record in level 1
   * (nearly every request); undefined when Redis or DNS must be asked ({@link decide}).
   */
  decideNow(hostHeader: string | undefined): HostDecision | undefined {
    const domain = normalizeHost(hostHeader ?? "");
    if (isOwnHost(domain, this.config.publicHost)) return OWN;
    // The registry (stack config) decides which domains exist and whose they are; DNS only
    // whether they point here. Unknown names never cause a lookup.
    const tenant = this.config.domains[domain];
    if (!tenant) return { kind: "refused", domain, reason: "unknown_domain" };
    const record = this.cache.peekRecord(DOMAIN_RECORDS, domain);
    return record ? this.verdict(domain, tenant, record, "l1") : undefined;
  }

  async decide(hostHeader: string | undefined, reqId?: string): Promise<HostDecision> {
    const now = this.decideNow(hostHeader);
    if (now) return now;
    const domain = normalizeHost(hostHeader ?? "");
    const tenant = this.config.domains[domain]!;
    const hit = await this.cache.lookupRecord(DOMAIN_RECORDS, domain, reqId);
    const record = hit?.value ?? (await this.fallback(domain, tenant, reqId));
    if (!record) return { kind: "refused", domain, reason: "domain_lookup_failed" };
    return this.verdict(domain, tenant, record, hit?.level ?? "dns");
  }

  private verdict(domain: string, tenant: string, record: DomainRecord, source: "l1" | "l2" | "dns"): HostDecision {
    if (!record.verified) return { kind: "refused", domain, reason: "domain_not_verified" };
    return { kind: "tenant", domain, tenant, source };
  }

  /** One local lookup per domain at a time (concurrent requests share it), bounded by DNS_TIMEOUT_MS. */
  private fallback(domain: string, tenant: string, reqId?: string): Promise<DomainRecord | undefined> {
    if ((this.failedUntil.get(domain) ?? 0) > this.now()) return Promise.resolve(undefined);
    const running = this.inflight.get(domain);
    if (running) return running;
    const lookup = verifyDomain(this.dns, domain, this.config.publicHost)
      .then((v) => {
        const record: DomainRecord = { tenant, target: v.target, checkedAt: this.now(), verified: v.verified, reason: v.reason };
        this.cache.rememberRecord(DOMAIN_RECORDS, domain, record, v.verified ? FALLBACK_VERIFIED_MS : FALLBACK_UNVERIFIED_MS);
        this.log.info({ logType: "DomainFallbackLookup", reqId, domain, verified: v.verified, content: `${v.reason} → ${v.target}` });
        return record;
      })
      .catch((err: unknown) => {
        this.failedUntil.set(domain, this.now() + FALLBACK_FAILED_MS);
        const msg = err instanceof DnsLookupError ? err.message : `DNS lookup for ${domain} failed: ${(err as Error).message}`;
        this.log.warn({ logType: "DomainLookupFailed", reqId, domain, errMsg: msg });
        return undefined;
      })
      .finally(() => this.inflight.delete(domain));
    this.inflight.set(domain, lookup);
    return lookup;
  }
}
