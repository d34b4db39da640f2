import { Resolver } from "node:dns/promises";

/**
 * Whether a custom domain points at the stack's public host. One module for both users: the
 * dns-cache service (every domain, every interval) and the gateway's local fallback (a domain
 * whose Redis record is missing), so the two can never disagree about what "verified" means.
 */

/** The two DNS queries verification needs; node's `Resolver` has both. */
export interface DnsLookup {
  resolveCname(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
}

export type VerifyReason =
  /** A CNAME chain from the domain reaches the public host. */
  | "cname"
  /** No CNAME to it, but every A record of the domain is one of the public host's. */
  | "address"
  /** The domain resolves, to something else. */
  | "elsewhere"
  /** The domain has no CNAME and no A record (NXDOMAIN or empty). */
  | "no_records";

export interface Verification {
  verified: boolean;
  reason: VerifyReason;
  /** Where the domain points: the end of its CNAME chain, or its sorted A records. */
  target: string;
  /** The CNAME chain walked, starting with the domain. */
  chain: string[];
}

/** A lookup that could not be answered (timeout, SERVFAIL, refused): says nothing about the domain. */
export class DnsLookupError extends Error {
  constructor(
    readonly domain: string,
    readonly code: string,
  ) {
    super(`DNS lookup for ${domain} failed: ${code}`);
    this.name = "DnsLookupError";
  }
}

/** Longest CNAME chain followed (resolvers give up around 8-16 too). */
export const MAX_CNAME_HOPS = 8;

/** Answers that mean "no such record", as opposed to "no answer". */
const NO_DATA = new Set(["ENODATA", "ENOTFOUND", "NOTFOUND", "ENONAME"]);

/** Lower case, no trailing dot, no port: the form both sides are compared in. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h; // IPv6 literal: never a custom domain
  const colon = h.lastIndexOf(":");
  if (colon !== -1) h = h.slice(0, colon);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

async function orNoData<T>(domain: string, query: Promise<T>, empty: T): Promise<T> {
  try {
    return await query;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EUNKNOWN";
    if (NO_DATA.has(code)) return empty;
    throw new DnsLookupError(domain, code);
  }
}

/**
 * Walks the domain's CNAME chain; verified when it reaches `publicHost`, or, when it does not,
 * when the chain's end has A records that are all the public host's (an apex domain cannot have
 * a CNAME, so it points its A records at the load balancer). A subset, not equality: a load
 * balancer's name answers with a rotating subset of its addresses. Throws {@link DnsLookupError}
 * when a query gets no answer.
 */
export async function verifyDomain(dns: DnsLookup, domain: string, publicHost: string): Promise<Verification> {
  const want = normalizeHost(publicHost);
  let name = normalizeHost(domain);
  const chain = [name];
  for (let hop = 0; hop < MAX_CNAME_HOPS && name !== want; hop++) {
    const [next] = await orNoData(domain, dns.resolveCname(name), [] as string[]);
    if (!next) break;
    name = normalizeHost(next);
    if (chain.includes(name)) break; // a loop
    chain.push(name);
  }
  if (name === want && chain.length > 1) return { verified: true, reason: "cname", target: want, chain };

  const [mine, theirs] = await Promise.all([
    orNoData(domain, dns.resolve4(name), [] as string[]),
    orNoData(domain, dns.resolve4(want), [] as string[]),
  ]);
  if (mine.length === 0) {
    return { verified: false, reason: chain.length > 1 ? "elsewhere" : "no_records", target: name, chain };
  }
  const addresses = [...mine].sort().join(",");
  if (theirs.length > 0 && mine.every((a) => theirs.includes(a))) return { verified: true, reason: "address", target: addresses, chain };
  return { verified: false, reason: "elsewhere", target: chain.length > 1 ? name : addresses, chain };
}

/**
 * A resolver asking only `servers` (`host` or `host:port`; empty = the system's), one try each
 * with `timeoutMs`, so a lookup that gets no answer fails after about that long.
 */
export function createResolver(opts: { servers?: readonly string[]; timeoutMs: number }): Resolver {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.servers?.length) resolver.setServers([...opts.servers]);
  return resolver;
}
