import { finding } from "../../core/finding";
import { containersOf, isWorkload, podSpec } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

export const containerHardened: PlatformPolicy = {
  name: "platform-k8s-container-hardened",
  description: "Checks that every container runs as non-root with a read-only root filesystem and without privilege escalation.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Use hardenedContainerSecurity() / hardenedPodSecurity() from components/shared/security.ts; mount an emptyDir where the app writes.",
  checkResource(w, ctx) {
    if (!isWorkload(w)) return [];
    const spec = podSpec(w) ?? {};
    const out: Finding[] = [];
    for (const { container, where } of containersOf(spec)) {
      out.push(...ctx.part(where, () => {
        const sc = container.securityContext ?? {};
        const nonRoot = sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
        const uid = sc.runAsUser ?? spec.securityContext?.runAsUser;
        const problems = [
          nonRoot === true && uid !== 0 ? "" : uid === 0 ? "runAsUser is 0" : "runAsNonRoot is not true",
          sc.readOnlyRootFilesystem === true ? "" : "readOnlyRootFilesystem is not true",
          sc.allowPrivilegeEscalation === false ? "" : "allowPrivilegeEscalation is not false",
        ].filter(Boolean);
        return problems.length === 0 ? [] : [finding(w, `${where}: ${problems.join(", ")}.`, `set securityContext { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } on ${where}.`)];
      }));
    }
    return out;
  },
};
