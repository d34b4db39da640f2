import type { VerifyReason } from "./verify.js";

/**
 * The Redis contract between dns-cache (the only writer) and the gateway (a reader): key
 * `dns-cache:domain:<domain>` → JSON {@link DomainRecord}, with a TTL longer than two intervals so
 * one missed run does not drop a domain, and a record nobody refreshes expires by itself.
 */
export const DOMAIN_KEY_PREFIX = "dns-cache:domain:";

export interface DomainRecord {
  /** The tenant the registry (stack config) binds the domain to. */
  tenant: string;
  /** Where the domain pointed when checked (see Verification.target). */
  target: string;
  /** Epoch ms of the check. */
  checkedAt: number;
  /** Only a verified domain is routed. */
  verified: boolean;
  reason: VerifyReason;
}

export function encodeDomainRecord(r: DomainRecord): string {
  return JSON.stringify({ tenant: r.tenant, target: r.target, checkedAt: r.checkedAt, verified: r.verified, reason: r.reason });
}

/** Undefined for anything that is not a well-formed record (treated as a miss). */
export function decodeDomainRecord(text: string): DomainRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<DomainRecord>;
    if (typeof v.tenant !== "string" || typeof v.target !== "string" || typeof v.checkedAt !== "number" || typeof v.verified !== "boolean") {
      return undefined;
    }
    return { tenant: v.tenant, target: v.target, checkedAt: v.checkedAt, verified: v.verified, reason: v.reason ?? (v.verified ? "cname" : "elsewhere") };
  } catch {
    return undefined;
  }
}

/** Record TTL for a run interval: two and a half intervals (> 2, as the contract says). */
export function recordTtlMs(intervalSeconds: number): number {
  return Math.round(intervalSeconds * 2.5 * 1000);
}

/** A domain name as the registry accepts it: lower-case labels, at least one dot, no wildcard. */
export const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** A tenant id: what travels in the tenant header, so a conservative alphabet. */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
