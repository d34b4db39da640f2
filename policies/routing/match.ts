/**
 * Istio `HTTPMatchRequest` semantics as pure functions: whether a request matches, and whether
 * one match block covers another (every request matching the second also matches the first).
 */

/** Istio `StringMatch`: exactly one of exact/prefix/regex. */
export type StringMatch = { exact?: string; prefix?: string; regex?: string };

/** A request as the route evaluator sees it; header names are matched case-insensitively. */
export interface RouteRequest {
  readonly authority: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Istio regexes are RE2 and must match the whole value. */
function fullMatch(regex: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${regex})$`).test(value);
  } catch {
    return false; // an invalid regex matches nothing (Istio rejects the object)
  }
}

export function stringMatches(m: StringMatch, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (m.exact !== undefined) return v === (ignoreCase ? m.exact.toLowerCase() : m.exact);
  if (m.prefix !== undefined) return v.startsWith(ignoreCase ? m.prefix.toLowerCase() : m.prefix);
  if (m.regex !== undefined) return fullMatch(m.regex, value);
  return true; // an empty StringMatch matches any present value
}

const lowerKeys = (h: Readonly<Record<string, string>> = {}) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** Fields of a match block this evaluator understands; any other field makes the block never match offline. */
const KNOWN = new Set(["name", "uri", "method", "headers", "withoutHeaders", "authority", "ignoreUriCase", "gateways"]);

/** Whether one `HTTPMatchRequest` (conditions ANDed) matches the request. */
export function matchBlockMatches(block: Record<string, any>, req: RouteRequest, context?: string): boolean {
  if (Object.keys(block).some((k) => !KNOWN.has(k))) return false; // queryParams, port, sourceLabels...: not part of a request here
  const headers = lowerKeys(req.headers);
  const host = req.authority.toLowerCase();
  if (block.uri && !stringMatches(block.uri, req.path.split("?")[0], block.ignoreUriCase === true)) return false;
  if (block.method && !stringMatches(block.method, req.method.toUpperCase())) return false;
  if (block.authority && !stringMatches(block.authority, host)) return false;
  for (const [name, m] of Object.entries<StringMatch>(block.headers ?? {})) {
    if (!stringMatches(m, headers[name.toLowerCase()])) return false;
  }
  for (const [name, m] of Object.entries<StringMatch>(block.withoutHeaders ?? {})) {
    if (stringMatches(m, headers[name.toLowerCase()])) return false;
  }
  if (block.gateways && context !== undefined && !block.gateways.includes(context)) return false;
  return true;
}

/** Whether every value `inner` matches is also matched by `outer`. */
export function stringMatchCovers(outer: StringMatch, inner: StringMatch): boolean {
  if (outer.prefix === "" || (outer.exact === undefined && outer.prefix === undefined && outer.regex === undefined)) return true;
  if (outer.exact !== undefined) return inner.exact === outer.exact;
  if (outer.prefix !== undefined) {
    if (inner.exact !== undefined) return inner.exact.startsWith(outer.prefix);
    if (inner.prefix !== undefined) return inner.prefix.startsWith(outer.prefix);
    return false;
  }
  if (inner.regex !== undefined) return inner.regex === outer.regex;
  if (inner.exact !== undefined) return fullMatch(outer.regex!, inner.exact);
  return false;
}

/** URIs always start with "/", so `prefix: "/"` (or an empty match) constrains nothing. */
const matchesAnyUri = (m: StringMatch | undefined) => !m || m.prefix === "/" || m.prefix === "" || m.regex === ".*";

/**
 * Whether match block `outer` covers `inner` (conservatively: only proven coverage counts, so
 * the unreachable-route policy never flags a route that can be reached).
 */
export function matchBlockCovers(outer: Record<string, any>, inner: Record<string, any>): boolean {
  const fields = new Set([...Object.keys(outer), ...Object.keys(inner)].filter((k) => k !== "name"));
  for (const f of fields) {
    const o = outer[f];
    const i = inner[f];
    if (f === "uri") {
      if (matchesAnyUri(o)) continue;
      if (!i || (outer.ignoreUriCase ?? false) !== (inner.ignoreUriCase ?? false) || !stringMatchCovers(o, i)) return false;
    } else if (f === "method" || f === "authority") {
      if (o === undefined) continue;
      if (i === undefined || !stringMatchCovers(o, i)) return false;
    } else if (f === "headers") {
      for (const [name, m] of Object.entries<StringMatch>(o ?? {})) {
        const im = (i ?? {})[name];
        if (!im || !stringMatchCovers(m, im)) return false;
      }
    } else if (f === "ignoreUriCase") {
      continue; // compared together with uri
    } else if (o !== undefined && JSON.stringify(o) !== JSON.stringify(i)) {
      return false; // other conditions: covered only when identical
    }
  }
  return true;
}
