/**
 * Every shipped stack applied for real to a control plane whose kwok nodes mirror the stage's
 * node group over three zones (stacks/config/tiers.ts NODE_GROUPS): the real scheduler must
 * place every pod (requests, topology spread, zone affinity, anti-affinity), the real
 * controllers must roll every workload out, and a `kubectl drain` of the busiest node must never
 * take a PodDisruptionBudget below its healthy minimum (the eviction API enforces them).
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterDown, clusterUp } from "../../scripts/cluster/control-plane";
import { clusterTools } from "../../scripts/cluster/tools";
import { SHIPPED_STACKS } from "../../scripts/synth";
import { parseStackName } from "../../stacks/config";
import { shippedStackObjects, tempYaml, type StackObjects } from "./support";

let stacks: StackObjects[];
beforeAll(async () => {
  stacks = await shippedStackObjects();
}, 600_000);
afterAll(() => clusterDown(), 60_000);

interface Pod {
  metadata: { name: string; labels?: Record<string, string>; ownerReferences?: { kind: string }[] };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}
interface Pdb {
  metadata: { name: string };
  status?: { currentHealthy?: number; desiredHealthy?: number; expectedPods?: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([...SHIPPED_STACKS])("%s on nodes shaped like its stage", (stack) => {
  it("schedules every pod, rolls every workload out, and a drain respects every PDB", async () => {
    const s = stacks.find((x) => x.stack === stack)!;
    const { stage, region } = parseStackName(stack)!;
    const cluster = await clusterUp(stage, region);
    const get = <T>(what: string) => (JSON.parse(cluster.kubectl(["get", what, "-n", "platform", "-o", "json"])) as { items: T[] }).items;

    cluster.kubectl(["apply", "--server-side", "--field-manager=platform-test", "-f", tempYaml(stack, s.yaml)]);
    const workloads = s.objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind));
    expect(workloads.length).toBeGreaterThan(2);
    for (const w of workloads) {
      cluster.kubectl(["rollout", "status", `${w.kind.toLowerCase()}/${w.metadata.name}`, "-n", "platform", "--timeout=300s"]);
    }
    for (const job of s.objects.filter((o) => o.kind === "Job")) {
      cluster.kubectl(["wait", "--for=condition=Complete", `job/${job.metadata.name}`, "-n", "platform", "--timeout=300s"]);
    }

    const pods = get<Pod>("pods");
    const unscheduled = pods.filter((p) => !p.spec.nodeName).map((p) => `${p.metadata.name}: ${p.status.conditions?.map((c) => c.message).join("; ")}`);
    expect(unscheduled).toEqual([]);
    const longRunning = pods.filter((p) => !p.metadata.ownerReferences?.some((o) => o.kind === "Job"));
    expect(longRunning.every((p) => p.status.phase === "Running")).toBe(true);

    // The busiest node is drained while the PDBs are watched.
    const perNode = new Map<string, number>();
    for (const p of longRunning) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    const [node] = [...perNode.entries()].sort((a, b) => b[1] - a[1])[0];
    const pdbs = get<Pdb>("poddisruptionbudgets");
    expect(pdbs.length).toBeGreaterThan(0);
    const drain = spawn(clusterTools().kubectl, ["--kubeconfig", cluster.kubeconfig, "drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=90s"], { stdio: ["ignore", "pipe", "pipe"] });
    let drainOut = "";
    drain.stdout.on("data", (d: Buffer) => (drainOut += d));
    drain.stderr.on("data", (d: Buffer) => (drainOut += d));
    const exited = new Promise<number>((r) => drain.on("close", (code) => r(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));
    const breaches: string[] = [];
    while (!done) {
      for (const pdb of get<Pdb>("poddisruptionbudgets")) {
        const st = pdb.status ?? {};
        if ((st.currentHealthy ?? 0) < (st.desiredHealthy ?? 0)) breaches.push(`${pdb.metadata.name}: ${st.currentHealthy} healthy < ${st.desiredHealthy}`);
      }
      await sleep(150);
    }
    expect(await exited, drainOut).toBe(0);
    expect(drainOut).toMatch(/drained/);
    expect(breaches).toEqual([]);
    const left = get<Pod>("pods").filter((p) => p.spec.nodeName === node && !p.metadata.ownerReferences?.some((o) => o.kind === "Job"));
    expect(left.map((p) => p.metadata.name)).toEqual([]);
  }, 600_000);
});
