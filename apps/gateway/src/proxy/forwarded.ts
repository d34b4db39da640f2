import type { IncomingMessage } from "node:http";
import { BlockList } from "node:net";
import { parseCidr } from "../config/index.js";

/** The proxy hops (TRUSTED_PROXIES) whose X-Forwarded-* values the gateway believes. */
export class ProxyTrust {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [addr, prefix, family] = parseCidr(c)!;
      this.list.addSubnet(addr, prefix, family);
    }
    this.empty = cidrs.length === 0;
  }

  trusts(addr: string | undefined): boolean {
    if (this.empty || !addr) return false;
    const family = isIPv4(addr) ? "ipv4" : "ipv6";
    try {
      return this.list.check(addr, family);
    } catch {
      return false; // not an address at all
    }
  }
}

const isIPv4 = (a: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a);
/** `::ffff:1.2.3.4` (a dual-stack socket's view of an IPv4 peer) as `1.2.3.4`. */
const plain = (a: string) => (a.startsWith("::ffff:") && isIPv4(a.slice(7)) ? a.slice(7) : a);
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.split(",")[0]!.trim();
}

/**
 * `x-forwarded-for`, `-proto` and `-host` as the gateway knows them. From an untrusted peer
 * (anyone not in TRUSTED_PROXIES, the default) the client's values are dropped: the chain is
 * just the peer, the protocol is this socket's, the host is the `Host` header. From a trusted
 * hop the chain is cut at the right-most address no trusted hop vouches for (the real client:
 * everything left of it is whatever that client claimed), and its proto/host are kept when
 * well-formed.
 */
export function forwardedFor(req: IncomingMessage, trust: ProxyTrust): { for: string; proto: string; host: string | undefined } {
  const peer = plain(req.socket.remoteAddress ?? "");
  const ownProto = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const ownHost = req.headers.host && HOST.test(req.headers.host) ? req.headers.host : undefined;
  if (!trust.trusts(peer)) return { for: peer, proto: ownProto, host: ownHost };
  const prior = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(prior) ? prior.join(",") : (prior ?? ""))
    .split(",")
    .map((s) => plain(s.trim()))
    .filter(Boolean);
  chain.push(peer);
  let start = chain.length - 1;
  while (start > 0 && trust.trusts(chain[start])) start--;
  const proto = first(req.headers["x-forwarded-proto"])?.toLowerCase();
  const host = first(req.headers["x-forwarded-host"]);
  return {
    for: chain.slice(start).join(", "),
    proto: proto === "http" || proto === "https" ? proto : ownProto,
    host: host && HOST.test(host) ? host : ownHost,
  };
}
