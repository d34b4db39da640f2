import { cassandraNodes, clientEncryptionOptions, podScripts } from "../../core/cassandra";
import { finding } from "../../core/finding";
import { isInternalLoadBalancer, isKind, metaName, metaNamespace, podLabels, selects } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

const CQL_PORT = 9042;

/** A Service port that carries CQL (its port or its target). */
const carriesCql = (svc: ResourceLike) =>
  (svc.props.spec?.ports ?? []).some((p: Record<string, any>) => p.port === CQL_PORT || p.targetPort === CQL_PORT || p.targetPort === "tcp-cql");

/** Why a node's rendered cassandra.yaml does not require client certificates; undefined when it does. */
function missingClientAuth(sts: ResourceLike): string | undefined {
  const blocks = podScripts(sts).map(clientEncryptionOptions).filter((b): b is Record<string, string> => b !== undefined);
  if (blocks.length === 0) return "renders no client_encryption_options";
  const b = blocks[blocks.length - 1]!; // appended last: the one Cassandra reads
  if (b["enabled"] !== "true") return "has client encryption disabled";
  if (b["optional"] !== "false") return "accepts plaintext clients (optional is not false)";
  if (b["require_client_auth"] !== "true") return `does not require client certificates (require_client_auth: ${b["require_client_auth"] ?? "unset"})`;
  if (!b["truststore"]) return "has no truststore to verify client certificates with";
  return undefined;
}

export const cassandraPublicCqlClientCertificates: PlatformPolicy = {
  name: "platform-cassandra-public-cql-client-certificates",
  description: "Checks that a public LoadBalancer Service for CQL (port 9042) only reaches Cassandra nodes that require client certificates (mutual TLS).",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Publish CQL with CassandraCluster `publicEndpoint` (it turns on require_client_auth with the cluster CA as truststore), or make the load balancer internal.",
  checkStack(resources) {
    const out: Finding[] = [];
    const nodes = cassandraNodes(resources);
    for (const svc of resources) {
      if (!isKind(svc, "Service", "") || svc.props.spec?.type !== "LoadBalancer" || isInternalLoadBalancer(svc) || !carriesCql(svc)) continue;
      const selected = nodes.filter(({ sts }) => metaNamespace(sts) === metaNamespace(svc) && selects({ matchLabels: svc.props.spec?.selector }, podLabels(sts)));
      if (selected.length === 0) {
        out.push(finding(svc, `Public LoadBalancer on port ${CQL_PORT} selects no Cassandra node whose client authentication can be checked.`, `select the Cassandra pods (and require client certificates on them), or make the load balancer internal.`));
        continue;
      }
      for (const sts of new Set(selected.map((n) => n.sts))) {
        const why = missingClientAuth(sts);
        if (why) out.push(finding(svc, `Public LoadBalancer on port ${CQL_PORT} reaches StatefulSet ${metaName(sts)}, which ${why}.`, `set client_encryption_options enabled: true, optional: false, require_client_auth: true and a truststore (CassandraCluster publicEndpoint does).`));
      }
    }
    return out;
  },
};
