import * as kplus from "cdk8s-plus-28";
import { hardenedContainerSecurity } from "./security";

/**
 * {@link hardenedContainerSecurity} in cdk8s-plus' vocabulary, for containers built with
 * cdk8s-plus (same fields, so policies see one hardened shape whoever built the object).
 */
export function kplusHardenedContainerSecurity(runAsUser?: number): kplus.ContainerSecurityContextProps {
  const c = hardenedContainerSecurity(runAsUser);
  return {
    user: c.runAsUser as number,
    group: c.runAsGroup as number,
    ensureNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/**
 * Removes cdk8s-plus' own `cdk8s.io/metadata.addr` label (it adds it to pod templates and
 * Service selectors) wherever it appears, so selectors are only the platform's labels.
 */
export function stripCdk8sPlusLabels<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripCdk8sPlusLabels) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => k !== "cdk8s.io/metadata.addr")
        .map(([k, v]) => [k, stripCdk8sPlusLabels(v)]),
    ) as T;
  }
  return value;
}
