import { finding } from "../../core/finding";
import type { PlatformPolicy } from "../../core/types";
import { parseDurationMs } from "../../routing/duration";
import { isVirtualService, routesOf } from "../../routing/routes";

export const httpRouteTimeout: PlatformPolicy = {
  name: "platform-istio-http-route-timeout",
  description: "Checks that every HTTP route that forwards traffic sets a positive timeout.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Set `timeout` (e.g. \"10s\") on the route; Istio's default is no timeout at all.",
  checkResource(vs, ctx) {
    if (!isVirtualService(vs)) return [];
    return routesOf(vs).flatMap((r) =>
      ctx.part(r.where, () =>
        r.route.route?.length && !(parseDurationMs(r.route.timeout)! > 0)
          ? [finding(r.vs, `${r.where} has ${r.route.timeout === undefined ? "no timeout" : `an invalid timeout "${r.route.timeout}"`}.`, `set ${r.where}.timeout to the route's budget, e.g. "10s".`)]
          : [],
      ),
    );
  },
};
