import { finding } from "../../core/finding";
import type { Finding, PlatformPolicy } from "../../core/types";
import { parseDurationMs } from "../../routing/duration";
import { stringMatches } from "../../routing/match";
import { isVirtualService, routesOf } from "../../routing/routes";

/** RFC 9110 idempotent methods: a retry never applies a change twice. */
export const IDEMPOTENT = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"];
const ALL_METHODS = [...IDEMPOTENT, "POST", "PATCH", "CONNECT"];
/** Retry conditions that fire only before the request reached the upstream: safe for any method. */
const PRE_REQUEST = new Set(["connect-failure", "refused-stream", "reset-before-request"]);

/** Methods a route can receive: those allowed by any of its match blocks (all when unconstrained). */
export function methodsOf(route: Record<string, any>): string[] {
  const blocks: Record<string, any>[] = route.match?.length ? route.match : [{}];
  return ALL_METHODS.filter((m) => blocks.some((b) => !b.method || stringMatches(b.method, m)));
}

/**
 * Explicit retries (attempts > 0) are allowed only where every method the route can receive is
 * idempotent (unless they retry only failures before the request was sent), and each try must
 * time out before the whole route does. Istio's own default (no `retries`) retries only such
 * pre-request failures for plain HTTP, so it passes.
 */
export const retryPolicy: PlatformPolicy = {
  name: "platform-istio-retry-policy",
  description: "Checks that HTTP routes retry only idempotent methods and that each retry's perTryTimeout is below the route timeout.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Split writes into their own route with `retries: { attempts: 0 }` and keep perTryTimeout below timeout.",
  checkResource(vs, ctx) {
    if (!isVirtualService(vs)) return [];
    return routesOf(vs).flatMap((r) => ctx.part(r.where, () => {
      const out: Finding[] = [];
      const retries = r.route.retries;
      if (!retries || !(retries.attempts > 0)) return out;
      const retryOn = String(retries.retryOn ?? "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes").split(",").map((s) => s.trim());
      const unsafe = methodsOf(r.route).filter((m) => !IDEMPOTENT.includes(m));
      if (unsafe.length > 0 && !retryOn.every((c) => PRE_REQUEST.has(c))) {
        out.push(finding(r.vs, `${r.where} retries ${retries.attempts} time(s) on "${retryOn.join(",")}" but also receives non-idempotent ${unsafe.join(", ")}.`,
          `match only idempotent methods on this route, or set retries.attempts to 0 (or retryOn to connect-failure,refused-stream).`));
      }
      const perTry = parseDurationMs(retries.perTryTimeout);
      const timeout = parseDurationMs(r.route.timeout);
      if (perTry === undefined || timeout === undefined || perTry >= timeout) {
        out.push(finding(r.vs, `${r.where} perTryTimeout ${retries.perTryTimeout ?? "(unset)"} is not below the route timeout ${r.route.timeout ?? "(unset)"}.`,
          `set retries.perTryTimeout below timeout so a retry can still finish (e.g. timeout 10s, perTryTimeout 3s).`));
      }
      return out;
    }));
  },
};
