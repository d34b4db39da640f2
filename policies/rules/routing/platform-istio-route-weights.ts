import { finding } from "../../core/finding";
import type { Finding, PlatformPolicy } from "../../core/types";
import { isVirtualService } from "../../routing/routes";

export const routeWeights: PlatformPolicy = {
  name: "platform-istio-route-weights",
  description: "Checks that the destination weights of every route with several destinations (or any weight) sum to 100.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Make the weights of the route's destinations add up to 100.",
  checkResource(vs, ctx) {
    if (!isVirtualService(vs)) return [];
    const out: Finding[] = [];
    for (const section of ["http", "tcp", "tls"]) {
      (vs.props.spec?.[section] ?? []).forEach((route: any, i: number) => out.push(...ctx.part(`${section}[${i}]`, () => {
        const dests: any[] = route.route ?? [];
        if (dests.length === 0 || (dests.length === 1 && dests[0].weight === undefined)) return [];
        const sum = dests.reduce((s, d) => s + (Number(d.weight) || 0), 0);
        return sum === 100 ? [] : [finding(vs, `${section}[${i}] destination weights sum to ${sum} (${dests.map((d) => d.weight ?? 0).join(" + ")}), not 100.`,
          `adjust ${section}[${i}].route[*].weight so they total 100.`)];
      })));
    }
    return out;
  },
};
