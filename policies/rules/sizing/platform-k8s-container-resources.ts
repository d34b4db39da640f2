import { finding } from "../../core/finding";
import { containersOf, parseCpu, parseMemory, podSpec, workloads } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

const PARSE = { cpu: parseCpu, memory: parseMemory } as const;

export const containerResources: PlatformPolicy = {
  name: "platform-k8s-container-resources",
  description: "Checks that every container sets CPU and memory requests and limits, with each limit at least its request.",
  enforcementLevel: "mandatory",
  remediation: "Set resources.requests and resources.limits for cpu and memory (containerResources() in components/shared/resources.ts).",
  check(resources) {
    const out: Finding[] = [];
    for (const w of workloads(resources)) {
      for (const { container, where } of containersOf(podSpec(w))) {
        for (const res of ["cpu", "memory"] as const) {
          const req = container.resources?.requests?.[res];
          const lim = container.resources?.limits?.[res];
          if (req === undefined || lim === undefined) {
            const missing = [req === undefined ? "requests" : "", lim === undefined ? "limits" : ""].filter(Boolean).join(" and ");
            out.push(finding(w, `${where} has no ${res} ${missing}.`, `set resources.requests.${res} and resources.limits.${res} on ${where}.`));
            continue;
          }
          const r = PARSE[res](req);
          const l = PARSE[res](lim);
          if (r === undefined || l === undefined) {
            out.push(finding(w, `${where} has an unparsable ${res} quantity (request ${req}, limit ${lim}).`, `use Kubernetes quantities like "500m" / "512Mi".`));
          } else if (l < r) {
            out.push(finding(w, `${where} ${res} limit ${lim} is below its request ${req}.`, `raise the ${res} limit to at least the request.`));
          }
        }
      }
    }
    return out;
  },
};
