import { finding } from "../../core/finding";
import { describe, metaNamespace, ofKind, workloads } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";
import { fqdn, meshTargets } from "../../routing/hosts";
import { destinationRules } from "../../routing/routes";

/** Namespace where a PeerAuthentication applies mesh-wide (Istio's default root namespace). */
const ROOT_NAMESPACE = "istio-system";

/**
 * Platform namespaces are those where the stack runs workloads or Services. Each must be STRICT
 * (namespace-wide or mesh-wide PeerAuthentication) with nothing relaxing it, and no
 * DestinationRule may turn client TLS off towards an in-mesh host.
 */
export const strictMtls: PlatformPolicy = {
  name: "platform-istio-strict-mtls",
  description: "Checks that every platform namespace enforces STRICT mutual TLS and that nothing in the stack relaxes it.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Declare a PeerAuthentication without selector and mtls.mode STRICT in the namespace; remove PERMISSIVE/DISABLE overrides.",
  checkStack(resources) {
    const out: Finding[] = [];
    const pas = ofKind(resources, "PeerAuthentication", "security.istio.io");
    const namespaces = new Set([...workloads(resources), ...ofKind(resources, "Service", "")].map(metaNamespace));
    const strictWide = (ns: string) =>
      pas.some((p) => metaNamespace(p) === ns && !p.props.spec?.selector && p.props.spec?.mtls?.mode === "STRICT");
    for (const ns of namespaces) {
      if (!strictWide(ns) && !strictWide(ROOT_NAMESPACE)) {
        const anchor = [...workloads(resources), ...ofKind(resources, "Service", "")].find((r) => metaNamespace(r) === ns)!;
        out.push({ ...finding(anchor, `Namespace "${ns}" has no namespace-wide PeerAuthentication with mtls.mode STRICT.`, `declare PeerAuthentication "default" in "${ns}" with spec.mtls.mode: STRICT.`), resource: `Namespace ${ns}` });
      }
    }
    for (const p of pas) {
      const relaxed = [p.props.spec?.mtls?.mode, ...Object.values<any>(p.props.spec?.portLevelMtls ?? {}).map((m) => m?.mode)].filter((m) => m === "PERMISSIVE" || m === "DISABLE");
      if (relaxed.length > 0 && (namespaces.has(metaNamespace(p)) || metaNamespace(p) === ROOT_NAMESPACE)) {
        out.push(finding(p, `${describe(p)} sets mtls mode ${relaxed.join(", ")} in a platform namespace.`, `use STRICT (or remove the override).`));
      }
    }
    const inMesh = new Set(meshTargets(resources).filter((t) => t.kind === "Service").map((t) => t.host));
    for (const dr of destinationRules(resources)) {
      const host = fqdn(String(dr.props.spec?.host ?? ""), metaNamespace(dr));
      const mode = dr.props.spec?.trafficPolicy?.tls?.mode;
      if (inMesh.has(host) && mode !== undefined && mode !== "ISTIO_MUTUAL") {
        out.push(finding(dr, `DestinationRule for ${host} sets trafficPolicy.tls.mode ${mode}, bypassing mesh mTLS.`, `remove trafficPolicy.tls or set it to ISTIO_MUTUAL.`));
      }
    }
    return out;
  },
};
