/**
 * The route evaluator: which destination Istio would pick for a request, from the stack's
 * VirtualServices alone. First-match semantics: routes in order, match blocks ORed, the
 * conditions of a block ANDed, a route without `match` matches everything.
 */
import { metaName, metaNamespace, ofKind } from "../core/kube";
import type { ResourceLike } from "../core/types";
import { authorityCandidates, fqdn, hostMatches } from "./hosts";
import { matchBlockMatches, type RouteRequest } from "./match";

export type { RouteRequest } from "./match";

export interface RouteDestination {
  /** Destination host, fully qualified relative to the VirtualService's namespace. */
  readonly host: string;
  readonly port?: number;
  readonly subset?: string;
  readonly weight?: number;
}

export interface RouteDecision {
  /** `namespace/name` of the VirtualService that matched. */
  readonly virtualService: string;
  /** Index of the matching route in `spec.http`. */
  readonly routeIndex: number;
  readonly routeName?: string;
  /** The destination with the highest weight (the only one for unweighted routes). */
  readonly destination?: RouteDestination;
  readonly destinations: RouteDestination[];
  /** Set when the route answers itself (redirect / directResponse) instead of forwarding. */
  readonly redirect?: unknown;
}

export interface EvaluateOptions {
  /**
   * Where the request enters: `mesh` (sidecar to sidecar) or a Gateway as `namespace/name`.
   * @default - every VirtualService is a candidate, whatever it is bound to
   */
  readonly context?: string;
}

/** Whether a VirtualService applies in `context` (`gateways` defaults to `mesh`). */
function boundTo(vs: ResourceLike, context: string | undefined): boolean {
  if (context === undefined) return true;
  const ns = metaNamespace(vs);
  const gws: string[] = vs.props.spec?.gateways ?? ["mesh"];
  return gws.some((g) => (g === "mesh" ? context === "mesh" : (g.includes("/") ? g : `${ns}/${g}`) === context));
}

/**
 * The VirtualService for a host: exact host match first, then the longest wildcard (as Istio
 * picks the most specific host).
 */
export function virtualServiceFor(resources: readonly ResourceLike[], authority: string, context?: string): ResourceLike | undefined {
  let best: { vs: ResourceLike; score: number } | undefined;
  for (const vs of ofKind(resources, "VirtualService", "networking.istio.io")) {
    if (!boundTo(vs, context)) continue;
    const ns = metaNamespace(vs);
    for (const raw of vs.props.spec?.hosts ?? []) {
      const pattern = fqdn(String(raw), ns);
      const candidates = authorityCandidates(authority, ns);
      if (!candidates.some((c) => hostMatches(pattern, c))) continue;
      const score = pattern.startsWith("*") ? pattern.length : 10_000;
      if (!best || score > best.score) best = { vs, score };
    }
  }
  return best?.vs;
}

/** The destination Istio's first-match semantics pick for `req`, or undefined when no route matches. */
export function evaluateRoute(resources: readonly ResourceLike[], req: RouteRequest, opts: EvaluateOptions = {}): RouteDecision | undefined {
  const vs = virtualServiceFor(resources, req.authority, opts.context);
  if (!vs) return undefined;
  const ns = metaNamespace(vs);
  const routes: Record<string, any>[] = vs.props.spec?.http ?? [];
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    const blocks: Record<string, any>[] = route.match ?? [];
    const hit = blocks.length === 0 || blocks.some((b) => matchBlockMatches(b, req, opts.context));
    if (!hit) continue;
    const destinations: RouteDestination[] = (route.route ?? []).map((d: any) => ({
      host: fqdn(String(d.destination?.host ?? ""), ns),
      port: d.destination?.port?.number,
      subset: d.destination?.subset,
      weight: d.weight,
    }));
    const destination = [...destinations].sort((a, b) => (b.weight ?? 100) - (a.weight ?? 100))[0];
    return {
      virtualService: `${ns}/${metaName(vs)}`,
      routeIndex: i,
      routeName: route.name,
      destination,
      destinations,
      redirect: route.redirect ?? route.directResponse,
    };
  }
  return undefined;
}
