import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { SUBJECT_HEADER } from "../auth/subject.js";
import { TENANT_HEADER } from "../domains/custom-domains.js";
import { forwardedFor, type ProxyTrust } from "./forwarded.js";

/** RFC 9110 §7.6.1 connection-specific headers, never forwarded in either direction. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function connectionListed(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  // Hot path: almost every message says just keep-alive or close.
  if (value === "keep-alive" || value === "close" || value === "Keep-Alive" || value === "Close") return undefined;
  const text = Array.isArray(value) ? value.join(",") : value;
  const names = text.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  return names.length ? new Set(names) : undefined;
}

/**
 * Copies headers minus hop-by-hop ones, those named in `Connection`, and any in `drop`. Names come
 * lower-cased from both Node's parser (`req.headers`) and undici.
 */
export function stripHopByHop(
  headers: Record<string, string | string[] | undefined>,
  drop?: ReadonlySet<string>,
): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || listed?.has(name) || drop?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

// `expect` is answered by this server (100-continue); undici refuses to forward it. The
// forwarding headers, the subject and the tenant header are the gateway's to set, never the client's.
const DROP_REQUEST = new Set([
  "host",
  "x-request-id",
  "expect",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "forwarded",
  "x-real-ip",
  SUBJECT_HEADER,
  TENANT_HEADER,
]);

/**
 * Headers sent upstream: end-to-end ones from the client, x-forwarded-* as the gateway knows
 * them (see forwardedFor) and x-request-id.
 */
export function upstreamRequestHeaders(req: IncomingMessage, reqId: string, trust: ProxyTrust): Record<string, string | string[]> {
  const h = stripHopByHop(req.headers as IncomingHttpHeaders, DROP_REQUEST);
  const fwd = forwardedFor(req, trust);
  h["x-forwarded-for"] = fwd.for;
  h["x-forwarded-proto"] = fwd.proto;
  if (fwd.host) h["x-forwarded-host"] = fwd.host;
  h["x-request-id"] = reqId;
  return h;
}

/**
 * True when the client asks to read its own writes. A header named in `Connection` is
 * connection-specific (RFC 9110 §7.6.1) and is not forwarded, so it does not count here either:
 * the cache decision and what the mesh sees (it routes on the forwarded header) always agree.
 */
export function wantsReadYourWrites(headers: IncomingHttpHeaders, name: string): boolean {
  return headers[name] === "true" && !connectionListed(headers.connection)?.has(name);
}

const DROP_RESPONSE = new Set(["x-request-id", "content-length"]);

/** Upstream response headers for the client: end-to-end ones; x-request-id and length are the gateway's. */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>, keepLength: boolean): Record<string, string | string[]> {
  const out = stripHopByHop(headers, DROP_RESPONSE);
  if (keepLength && headers["content-length"] !== undefined) out["content-length"] = headers["content-length"];
  return out;
}
