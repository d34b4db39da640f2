import type { KubeObject } from "../shared/kube";
import { selectorLabels, standardLabels } from "../shared/labels";
import { COMPONENT, CQL_PORT, NAME } from "./workload";

/** A CQL endpoint outside the cluster for clients such as the Vercel functions. */
export interface CassandraPublicEndpointArgs {
  /** Client CIDRs the load balancer admits (`loadBalancerSourceRanges`); never 0.0.0.0/0. */
  readonly sourceRanges: readonly string[];
  /**
   * `internet-facing`, or `internal` for a private path (Vercel Secure Compute peered into the
   * VPC): an internal NLB has no public address. @default "internet-facing"
   */
  readonly scheme?: "internet-facing" | "internal";
}

export const PUBLIC_SERVICE = "cassandra-public";
const OPEN = new Set(["0.0.0.0/0", "::/0"]);

/** Problems with the args, one line each (the component throws them all at once). */
export function publicEndpointProblems(a: CassandraPublicEndpointArgs, encrypted: boolean): string[] {
  const p: string[] = [];
  if (!encrypted) p.push("publicEndpoint needs encryption (the endpoint requires client certificates of the cluster CA)");
  if (a.sourceRanges.length === 0) p.push("publicEndpoint.sourceRanges must list at least one CIDR");
  for (const r of a.sourceRanges) if (OPEN.has(r)) p.push(`publicEndpoint.sourceRanges must not contain ${r}: list the clients' ranges`);
  return p;
}

/**
 * A `LoadBalancer` Service for the CQL port, provisioned by the AWS Load Balancer Controller as
 * an NLB sending to the pod IPs. TCP passthrough: TLS ends at Cassandra, which requires a
 * client certificate (the NLB must not terminate TLS, or the node would never see one).
 */
export function publicCqlService(namespace: string, a: CassandraPublicEndpointArgs): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: PUBLIC_SERVICE,
      namespace,
      labels: standardLabels(NAME, COMPONENT),
      annotations: {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": a.scheme ?? "internet-facing",
      },
    },
    spec: {
      type: "LoadBalancer",
      selector: selectorLabels(NAME, COMPONENT),
      ports: [{ name: "tcp-cql", port: CQL_PORT, targetPort: CQL_PORT, protocol: "TCP" }],
      loadBalancerSourceRanges: [...a.sourceRanges],
    },
  };
}
