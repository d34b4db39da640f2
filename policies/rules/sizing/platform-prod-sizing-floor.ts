import { cassandraNodes, envValue } from "../../core/cassandra";
import { finding } from "../../core/finding";
import { containersOf, effectiveReplicas, isProd, kubeKind, metaName, ofKind, parseCpu, parseMemory, podSpec } from "../../core/kube";
import type { Finding, PlatformPolicy, ResourceLike } from "../../core/types";

const GiB = 2 ** 30;

/**
 * The smallest prod shapes the platform runs. A prod stack below them passes every other check
 * and fails under real load (a 1 GiB Cassandra node, a single-replica API), so they are floors,
 * not targets: the tiers (stacks/config/tiers.ts) sit well above them.
 */
export const PROD_FLOORS = {
  /** Per Cassandra node: memory limit, CPU limit, data volume. */
  cassandra: { memoryBytes: 16 * GiB, cpuCores: 4, storageBytes: 200 * GiB },
  /** Cassandra nodes per data centre (three racks, RF 3 at LOCAL_QUORUM survives one loss). */
  cassandraNodesPerDc: 3,
  /** Replicas of every other prod Deployment (HPA minReplicas when autoscaled). */
  deploymentReplicas: 2,
} as const;

const fmtGiB = (b: number) => `${b / GiB}Gi`;

function cassandraFindings(resources: readonly ResourceLike[]): Finding[] {
  const out: Finding[] = [];
  const nodesPerDc = new Map<string, { sts: ResourceLike; nodes: number }>();
  for (const { sts, container, where } of cassandraNodes(resources)) {
    const f = PROD_FLOORS.cassandra;
    const mem = parseMemory(container.resources?.limits?.memory);
    if (mem === undefined || mem < f.memoryBytes) {
      out.push(finding(sts, `${where} memory limit ${container.resources?.limits?.memory ?? "(unset)"} is below the prod floor ${fmtGiB(f.memoryBytes)}.`, `set cassandra.memoryMiB to at least ${f.memoryBytes / 2 ** 20}.`));
    }
    const millis = parseCpu(container.resources?.limits?.cpu);
    if (millis === undefined || millis < f.cpuCores * 1000) {
      out.push(finding(sts, `${where} CPU limit ${container.resources?.limits?.cpu ?? "(unset)"} is below the prod floor ${f.cpuCores} cores.`, `set cassandra.cpuMillis to at least ${f.cpuCores * 1000}.`));
    }
    const claims: any[] = sts.props.spec?.volumeClaimTemplates ?? [];
    const storage = parseMemory(claims.find((c) => c.metadata?.name === "data")?.spec?.resources?.requests?.storage);
    if (storage === undefined || storage < f.storageBytes) {
      out.push(finding(sts, `StatefulSet data volume ${storage === undefined ? "(none)" : fmtGiB(storage)} is below the prod floor ${fmtGiB(f.storageBytes)}.`, `set cassandra.storageGiB to at least ${f.storageBytes / GiB}.`));
    }
    const dc = envValue(container, "CASSANDRA_DC") ?? "dc1";
    const seen = nodesPerDc.get(dc);
    nodesPerDc.set(dc, { sts: seen?.sts ?? sts, nodes: (seen?.nodes ?? 0) + effectiveReplicas(sts, resources) });
  }
  for (const [dc, { sts, nodes }] of nodesPerDc) {
    if (nodes < PROD_FLOORS.cassandraNodesPerDc) {
      out.push(finding(sts, `Data centre ${dc} runs ${nodes} Cassandra node(s); the prod floor is ${PROD_FLOORS.cassandraNodesPerDc}.`, `set cassandra.nodesPerDc to at least ${PROD_FLOORS.cassandraNodesPerDc}.`));
    }
  }
  return out;
}

export const prodSizingFloor: PlatformPolicy = {
  name: "platform-prod-sizing-floor",
  description: "Checks that in prod every Cassandra node has at least 16 GiB memory, 4 cores and a 200 GiB volume, every data centre 3 nodes, and every Deployment 2 replicas.",
  enforcementLevel: "mandatory",
  // Whole stack: prod-ness, HPA minimums and nodes per data centre span several objects.
  scope: "stack",
  remediation: "Size prod from the prod tier (stacks/config/tiers.ts) and override only upwards: Cassandra ≥ 16 GiB / 4 cores / 200 GiB per node and 3 nodes per DC; Deployments ≥ 2 replicas.",
  checkStack(resources) {
    if (!isProd(resources)) return [];
    const out = cassandraFindings(resources);
    for (const d of ofKind(resources, "Deployment")) {
      // Containers without requests are another policy's finding; a Deployment with no pod spec is not sized here.
      if (containersOf(podSpec(d)).length === 0) continue;
      const replicas = effectiveReplicas(d, resources);
      if (replicas < PROD_FLOORS.deploymentReplicas) {
        out.push(finding(d, `${kubeKind(d)} ${metaName(d)} runs ${replicas} replica(s) in prod; the floor is ${PROD_FLOORS.deploymentReplicas}.`, `raise its replicas (or HPA minReplicas) to at least ${PROD_FLOORS.deploymentReplicas}.`));
      }
    }
    return out;
  },
};
