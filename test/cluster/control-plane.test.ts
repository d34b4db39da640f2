/**
 * `npm run cluster -- up|down|status`: the control plane comes up with fake nodes shaped like the
 * stage over three zones, and `down` leaves no process behind.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clusterDown, clusterStatus, clusterUp } from "../../scripts/cluster/control-plane";
import { alive } from "../../scripts/cluster/processes";
import { NODE_GROUPS } from "../../stacks/config";

describe("the local control plane", () => {
  it("is shaped like the stage, and down stops every process it started", async () => {
    const cluster = await clusterUp("prod", "eu-west-1");
    const status = clusterStatus();
    expect(status.stopped).toEqual([]);
    const pids = readdirSync(join(cluster.stateDir, "pids")).map((f) => Number(readFileSync(join(cluster.stateDir, "pids", f), "utf8")));
    expect(pids).toHaveLength(5);

    const nodes = JSON.parse(cluster.kubectl(["get", "nodes", "-o", "json"])) as { items: { metadata: { labels: Record<string, string> }; status: { allocatable: Record<string, string> } }[] };
    const shape = NODE_GROUPS.prod;
    expect(nodes.items).toHaveLength(3 * shape.nodesPerZone);
    expect([...new Set(nodes.items.map((n) => n.metadata.labels["topology.kubernetes.io/zone"]))].sort()).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    // The API server normalises quantities (122880Mi → 120Gi): compare in MiB.
    const mib = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.replace(/Mi$/, "")));
    for (const n of nodes.items) {
      expect(n.status.allocatable).toMatchObject({ cpu: `${shape.cpuMillis}m`, pods: String(shape.pods) });
      expect(mib(n.status.allocatable.memory)).toBe(shape.memoryMiB);
    }
    const crds = cluster.kubectl(["get", "crd", "-o", "name"]);
    expect(crds).toContain("virtualservices.networking.istio.io");
    expect(crds).toContain("prometheusrules.monitoring.coreos.com");

    await clusterDown();
    expect(clusterStatus().running).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
  });
});
