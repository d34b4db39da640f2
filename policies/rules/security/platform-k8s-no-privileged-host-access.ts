import { finding } from "../../core/finding";
import { containersOf, podSpec, workloads } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

export const noPrivilegedHostAccess: PlatformPolicy = {
  name: "platform-k8s-no-privileged-host-access",
  description: "Checks that no pod runs privileged containers or uses hostPath volumes, hostNetwork, hostPID or hostIPC.",
  enforcementLevel: "mandatory",
  remediation: "Remove privileged/host access; use emptyDir or PersistentVolumeClaims instead of hostPath.",
  check(resources) {
    const out: Finding[] = [];
    for (const w of workloads(resources)) {
      const spec = podSpec(w) ?? {};
      for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (spec[field] === true) out.push(finding(w, `Pod spec sets ${field}: true.`, `remove ${field}; pods must not share the node's namespaces.`));
      }
      for (const v of spec.volumes ?? []) {
        if (v.hostPath) out.push(finding(w, `Volume "${v.name}" mounts hostPath ${v.hostPath.path}.`, `use an emptyDir, ConfigMap/Secret or PersistentVolumeClaim instead.`));
      }
      for (const { container, where } of containersOf(spec)) {
        if (container.securityContext?.privileged === true) out.push(finding(w, `${where} is privileged.`, `set securityContext.privileged: false (hardenedContainerSecurity()).`));
      }
    }
    return out;
  },
};
