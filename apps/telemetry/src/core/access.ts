import type { HttpResult } from "./types.js";

/**
 * A caller whose token the adapter verified (the Vercel functions, which no gateway fronts):
 * who it is, and the event sources it may write and read. Without one (the Kubernetes server
 * behind the gateway) every source is open and the subject comes from the gateway's header.
 */
export interface Caller {
  /** The token's subject: scopes Idempotency-Keys like the gateway's subject header does. */
  readonly subject: string;
  /** Sources this caller may ingest into and query. */
  readonly sources: ReadonlySet<string>;
}

/** Sources among `wanted` that `caller` may not touch (sorted, unique); empty when all are allowed. */
export function deniedSources(caller: Caller | undefined, wanted: Iterable<string>): string[] {
  if (!caller) return [];
  return [...new Set(wanted)].filter((s) => !caller.sources.has(s)).sort();
}

/** 403 naming the refused sources (the caller's own input, so nothing leaks); nothing is read or written. */
export function forbiddenSources(denied: readonly string[]): HttpResult {
  return {
    status: 403,
    body: { error: "forbidden", reason: "source_not_allowed", sources: denied.slice(0, 20) },
    reason: "source_not_allowed",
  };
}
