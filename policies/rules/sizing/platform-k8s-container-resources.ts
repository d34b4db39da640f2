import { finding } from "../../core/finding";
import { containersOf, isWorkload, parseCpu, parseMemory, podSpec } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

const PARSE = { cpu: parseCpu, memory: parseMemory } as const;

export const containerResources: PlatformPolicy = {
  name: "platform-k8s-container-resources",
  description: "Checks that every container sets CPU and memory requests and limits, with each limit at least its request.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Set resources.requests and resources.limits for cpu and memory (containerResources() in components/shared/resources.ts).",
  checkResource(w, ctx) {
    if (!isWorkload(w)) return [];
    const out: Finding[] = [];
    for (const { container, where } of containersOf(podSpec(w))) {
      for (const res of ["cpu", "memory"] as const) {
        out.push(...ctx.part(`${where} ${res}`, () => {
          const req = container.resources?.requests?.[res];
          const lim = container.resources?.limits?.[res];
          if (req === undefined || lim === undefined) {
            const missing = [req === undefined ? "requests" : "", lim === undefined ? "limits" : ""].filter(Boolean).join(" and ");
            return [finding(w, `${where} has no ${res} ${missing}.`, `set resources.requests.${res} and resources.limits.${res} on ${where}.`)];
          }
          const r = PARSE[res](req);
          const l = PARSE[res](lim);
          if (r === undefined || l === undefined) return [finding(w, `${where} has an unparsable ${res} quantity (request ${req}, limit ${lim}).`, `use Kubernetes quantities like "500m" / "512Mi".`)];
          if (l < r) return [finding(w, `${where} ${res} limit ${lim} is below its request ${req}.`, `raise the ${res} limit to at least the request.`)];
          return [];
        }));
      }
    }
    return out;
  },
};
