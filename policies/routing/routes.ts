/** Iteration over the routes of the stack's VirtualServices. */
import { isKind, known, metaName, metaNamespace, ofKind } from "../core/kube";
import type { ResourceLike } from "../core/types";

export interface HttpRouteRef {
  readonly vs: ResourceLike;
  readonly namespace: string;
  readonly index: number;
  readonly route: Record<string, any>;
  /** `http[1] "writes"` for messages. */
  readonly where: string;
}

export const virtualServices = (resources: readonly ResourceLike[]) => ofKind(resources, "VirtualService", "networking.istio.io");
export const destinationRules = (resources: readonly ResourceLike[]) => ofKind(resources, "DestinationRule", "networking.istio.io");

export const isVirtualService = (r: ResourceLike) => isKind(r, "VirtualService", "networking.istio.io");

/** The HTTP routes of one VirtualService, in order. */
export function routesOf(vs: ResourceLike): HttpRouteRef[] {
  return (vs.props.spec?.http ?? []).map((route: Record<string, any>, index: number) => ({
    vs,
    namespace: metaNamespace(vs),
    index,
    route,
    where: `http[${index}]${known(() => route.name, undefined) ? ` "${route.name}"` : ""}`,
  }));
}

export function httpRoutes(resources: readonly ResourceLike[]): HttpRouteRef[] {
  return virtualServices(resources).flatMap(routesOf);
}

/** Every route destination of every protocol section (http, tcp, tls), with where it sits. */
export function allDestinations(vs: ResourceLike): { where: string; destination: Record<string, any> }[] {
  const out: { where: string; destination: Record<string, any> }[] = [];
  for (const section of ["http", "tcp", "tls"]) {
    (vs.props.spec?.[section] ?? []).forEach((route: any, i: number) => {
      (route.route ?? []).forEach((d: any, j: number) => out.push({ where: `${section}[${i}].route[${j}]`, destination: d.destination ?? {} }));
      if (route.mirror) out.push({ where: `${section}[${i}].mirror`, destination: route.mirror });
    });
  }
  return out;
}

export const vsLabel = (vs: ResourceLike) => `${metaNamespace(vs)}/${metaName(vs)}`;
