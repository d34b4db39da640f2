import { finding } from "../../core/finding";
import type { Finding, PlatformPolicy } from "../../core/types";
import { matchBlockCovers } from "../../routing/match";
import { isVirtualService, routesOf } from "../../routing/routes";

/**
 * Like `istioctl analyze` (IST0130/IST0131): a route after a catch-all, or whose every match
 * block is covered by a block of an earlier route, never receives a request.
 */
export const noUnreachableRoute: PlatformPolicy = {
  name: "platform-istio-virtualservice-no-unreachable-route",
  description: "Checks that no HTTP route of a VirtualService is shadowed by a catch-all or by earlier routes covering all of its matches.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Reorder the routes (most specific first, catch-all last) or remove the dead route.",
  checkResource(vs) {
    if (!isVirtualService(vs)) return [];
    const out: Finding[] = [];
    // Coverage depends on every earlier route: one piece (an unknown match skips the whole VirtualService).
    const routes = routesOf(vs);
    const earlier: { where: string; block: Record<string, any> }[] = [];
    let catchAll: string | undefined;
    for (const r of routes) {
      const blocks: Record<string, any>[] = r.route.match?.length ? r.route.match : [{}];
      if (catchAll) {
        out.push(finding(r.vs, `${r.where} is unreachable: it follows the catch-all route ${catchAll}.`, `move ${r.where} before ${catchAll} or delete it.`));
      } else {
        const coveredBy = blocks.map((b) => earlier.find((e) => matchBlockCovers(e.block, b))?.where);
        if (coveredBy.every((w) => w !== undefined)) {
          const by = [...new Set(coveredBy)].join(", ");
          out.push(finding(r.vs, `${r.where} is unreachable: every match of it is already covered by ${by}.`, `move ${r.where} before ${by}, narrow the earlier match, or delete it.`));
        }
      }
      if (!r.route.match?.length) catchAll ??= r.where;
      for (const block of blocks) earlier.push({ where: r.where, block });
    }
    return out;
  },
};
