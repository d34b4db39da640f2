import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

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

// `expect` is answered by this server (100-continue); undici refuses to forward it.
const DROP_REQUEST = new Set(["host", "x-request-id", "expect"]);

/** Headers sent upstream: end-to-end ones from the client plus x-forwarded-* and x-request-id. */
export function upstreamRequestHeaders(req: IncomingMessage, reqId: string): Record<string, string | string[]> {
  const h = stripHopByHop(req.headers as IncomingHttpHeaders, DROP_REQUEST);
  const remote = req.socket.remoteAddress ?? "";
  const prior = req.headers["x-forwarded-for"];
  h["x-forwarded-for"] = prior ? `${Array.isArray(prior) ? prior.join(", ") : prior}, ${remote}` : remote;
  h["x-forwarded-proto"] = firstValue(req.headers["x-forwarded-proto"]) ?? ((req.socket as { encrypted?: boolean }).encrypted ? "https" : "http");
  const host = firstValue(req.headers["x-forwarded-host"]) ?? req.headers.host;
  if (host) h["x-forwarded-host"] = host;
  h["x-request-id"] = reqId;
  return h;
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const DROP_RESPONSE = new Set(["x-request-id", "content-length"]);

/** Upstream response headers for the client: end-to-end ones; x-request-id and length are the gateway's. */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>, keepLength: boolean): Record<string, string | string[]> {
  const out = stripHopByHop(headers, DROP_RESPONSE);
  if (keepLength && headers["content-length"] !== undefined) out["content-length"] = headers["content-length"];
  return out;
}
