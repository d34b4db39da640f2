import { finding } from "../../core/finding";
import { containersOf, isWorkload, podSpec } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

export const noPrivilegedHostAccess: PlatformPolicy = {
  name: "platform-k8s-no-privileged-host-access",
  description: "Checks that no pod runs privileged containers or uses hostPath volumes, hostNetwork, hostPID or hostIPC.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Remove privileged/host access; use emptyDir or PersistentVolumeClaims instead of hostPath.",
  checkResource(w, ctx) {
    if (!isWorkload(w)) return [];
    const spec = podSpec(w) ?? {};
    const out: Finding[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      out.push(...ctx.part(`pod spec ${field}`, () => (spec[field] === true ? [finding(w, `Pod spec sets ${field}: true.`, `remove ${field}; pods must not share the node's namespaces.`)] : [])));
    }
    out.push(...ctx.part("volumes", () =>
      (spec.volumes ?? []).flatMap((v: any) => (v.hostPath ? [finding(w, `Volume "${v.name}" mounts hostPath ${v.hostPath.path}.`, `use an emptyDir, ConfigMap/Secret or PersistentVolumeClaim instead.`)] : [])),
    ));
    for (const { container, where } of containersOf(spec)) {
      out.push(...ctx.part(where, () => (container.securityContext?.privileged === true ? [finding(w, `${where} is privileged.`, `set securityContext.privileged: false (hardenedContainerSecurity()).`)] : [])));
    }
    return out;
  },
};
