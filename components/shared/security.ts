import type * as k8s from "@pulumi/kubernetes";

type ContainerSecurityContext = k8s.types.input.core.v1.SecurityContext;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;

/** Hardened container defaults: non-root, read-only root, no escalation, no capabilities. */
export function hardenedContainerSecurity(runAsUser = 10001): ContainerSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Pod-level defaults matching {@link hardenedContainerSecurity}. */
export function hardenedPodSecurity(runAsUser = 10001): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser, runAsGroup: runAsUser, fsGroup: runAsUser, seccompProfile: { type: "RuntimeDefault" } };
}
