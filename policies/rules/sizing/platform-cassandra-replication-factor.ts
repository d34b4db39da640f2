import { cassandraNodes, envValue, replicationStatements } from "../../core/cassandra";
import { finding } from "../../core/finding";
import { effectiveReplicas, isProd } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

const PROD_MIN_RF = 3;

/**
 * Every stage: the local data centre has at least as many nodes as its replication factor
 * (else QUORUM writes fail). Prod: every data centre replicates each keyspace at least 3 times
 * with NetworkTopologyStrategy.
 */
export const cassandraReplicationFactor: PlatformPolicy = {
  name: "platform-cassandra-replication-factor",
  description: "Checks that each keyspace's replication factor fits the nodes of the local data centre, and is at least 3 in every data centre in prod.",
  enforcementLevel: "mandatory",
  scope: "stack",
  remediation: "Use NetworkTopologyStrategy with RF ≥ 3 per data centre in prod, and run at least RF nodes per data centre.",
  checkStack(resources, ctx) {
    const out: Finding[] = [];
    const prod = isProd(resources);
    const nodesPerDc = new Map<string, number>();
    for (const { sts, container } of cassandraNodes(resources)) {
      const dc = envValue(container, "CASSANDRA_DC") ?? "dc1";
      nodesPerDc.set(dc, (nodesPerDc.get(dc) ?? 0) + effectiveReplicas(sts, resources));
    }
    const statements = replicationStatements(resources, ctx);
    if (prod && nodesPerDc.size > 0 && statements.length === 0) {
      const { sts } = cassandraNodes(resources)[0];
      out.push(finding(sts, `No keyspace replication (CREATE/ALTER KEYSPACE ... WITH replication) found in the stack's ConfigMaps.`, `ship the schema CQL with NetworkTopologyStrategy replication in the schema Job's ConfigMap.`));
    }
    for (const { cm, replication: r } of statements) {
      if (prod && r.strategy !== "NetworkTopologyStrategy") {
        out.push(finding(cm, `Keyspace ${r.keyspace} uses ${r.strategy || "no strategy"}; prod needs NetworkTopologyStrategy.`, `replicate ${r.keyspace} with {'class': 'NetworkTopologyStrategy', '<dc>': 3, ...}.`));
        continue;
      }
      for (const [dc, rf] of Object.entries(r.factors)) {
        if (prod && rf < PROD_MIN_RF) {
          out.push(finding(cm, `Keyspace ${r.keyspace} has replication factor ${rf} in data centre ${dc}; prod needs at least ${PROD_MIN_RF}.`, `set '${dc}': ${PROD_MIN_RF} (or more) in ${r.keyspace}'s replication.`));
        }
        const nodes = nodesPerDc.get(dc);
        if (nodes !== undefined && nodes < rf) {
          out.push(finding(cm, `Keyspace ${r.keyspace} wants ${rf} replicas in data centre ${dc}, which runs only ${nodes} node(s).`, `run at least ${rf} nodes in ${dc} or lower the factor.`));
        }
      }
      for (const dc of nodesPerDc.keys()) {
        if (r.strategy === "NetworkTopologyStrategy" && !(dc in r.factors)) {
          out.push(finding(cm, `Keyspace ${r.keyspace} has no replicas in this stack's data centre ${dc}.`, `add '${dc}': <rf> to ${r.keyspace}'s replication.`));
        }
      }
    }
    return out;
  },
};
