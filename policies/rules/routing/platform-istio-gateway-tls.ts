import { finding } from "../../core/finding";
import { metaName, metaNamespace, ofKind } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";
import { hostMatches } from "../../routing/hosts";
import { virtualServices, vsLabel } from "../../routing/routes";

const TLS_MODES = new Set(["SIMPLE", "MUTUAL", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"]);

/** Whether a Gateway server's `hosts` (`host`, `ns/host`, `*` namespace, wildcards) include `host` for a VS in `vsNs`. */
function serverServes(server: Record<string, any>, host: string, vsNs: string): boolean {
  return (server.hosts ?? []).some((h: string) => {
    const [ns, name] = h.includes("/") ? h.split("/", 2) : ["*", h];
    return (ns === "*" || ns === "." || ns === vsNs) && hostMatches(name.toLowerCase(), host.toLowerCase());
  });
}

/**
 * For each VirtualService bound to an ingress Gateway, every host must be served by an HTTPS/TLS
 * server of that Gateway that terminates TLS with a certificate; a plain HTTP server for the
 * host is allowed only as a redirect to HTTPS.
 */
export const gatewayTls: PlatformPolicy = {
  name: "platform-istio-gateway-tls",
  description: "Checks that the ingress Gateway serves TLS (with a certificate) for every host of the VirtualServices bound to it.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Add an HTTPS server for the host with tls.mode SIMPLE and credentialName, and make any HTTP server a redirect (tls.httpsRedirect: true).",
  checkStack(resources) {
    const gateways = ofKind(resources, "Gateway", "networking.istio.io");
    const out: Finding[] = [];
    for (const vs of virtualServices(resources)) {
      const ns = metaNamespace(vs);
      for (const ref of (vs.props.spec?.gateways ?? []) as string[]) {
        if (ref === "mesh") continue;
        const [gwNs, gwName] = ref.includes("/") ? ref.split("/", 2) : [ns, ref];
        const gw: ResourceLike | undefined = gateways.find((g) => metaName(g) === gwName && metaNamespace(g) === gwNs);
        if (!gw) {
          out.push(finding(vs, `Bound to Gateway ${gwNs}/${gwName}, which is not in this stack.`, `declare the Gateway or fix spec.gateways.`));
          continue;
        }
        const servers: Record<string, any>[] = gw.props.spec?.servers ?? [];
        for (const host of (vs.props.spec?.hosts ?? []) as string[]) {
          const tls = servers.find((s) => ["HTTPS", "TLS"].includes(String(s.port?.protocol).toUpperCase()) && serverServes(s, host, ns));
          if (!tls || !TLS_MODES.has(tls.tls?.mode) || (["SIMPLE", "MUTUAL"].includes(tls.tls?.mode) && !tls.tls?.credentialName)) {
            out.push(finding(gw, `Gateway ${gwNs}/${gwName} does not terminate TLS for host "${host}" of ${vsLabel(vs)}${tls ? ` (server tls.mode ${tls.tls?.mode ?? "unset"}, credentialName ${tls.tls?.credentialName ?? "unset"})` : ""}.`,
              `add an HTTPS server for "${host}" with tls.mode SIMPLE and credentialName of the certificate Secret.`));
          }
          const plain = servers.find((s) => String(s.port?.protocol).toUpperCase() === "HTTP" && serverServes(s, host, ns) && s.tls?.httpsRedirect !== true);
          if (plain) {
            out.push(finding(gw, `Gateway ${gwNs}/${gwName} serves host "${host}" over plain HTTP on port ${plain.port?.number}.`, `set tls.httpsRedirect: true on that server or remove it.`));
          }
        }
      }
    }
    return out;
  },
};
