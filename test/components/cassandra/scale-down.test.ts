import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { parseScaleDownTargets, scaleDownJobScript } from "../../../components/cassandra/scale-down";
import { prodArgs } from "./fixtures";

// The scale-down guard: wiring under Pulumi's mocks, and its script in a real shell with
// stand-ins for getent (pod DNS) and nodetool (the ring). The real decommission on a real
// two-node Cassandra is in ./scale-down.live.test.ts.

describe("CassandraCluster scale-down guard (prod data centre)", () => {
  let recorded: SynthResource[];
  beforeAll(async () => {
    recorded = await installMocks({ stack: "prod-us-east-1" });
    const { CassandraCluster } = await import("../../../components/cassandra");
    const cluster = new CassandraCluster("cassandra", { ...prodArgs, nodes: 6 });
    await valueOf(cluster.urn);
    await new Promise((r) => setTimeout(r, 50));
  });
  const jobs = () => recorded.filter((r) => r.type === "kubernetes:batch/v1:Job");
  const guard = () => jobs().find((j) => (j.inputs as any).metadata.name.startsWith("cassandra-scale-down-"))!;
  const statefulSets = () => recorded.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");

  it("declares one guard Job whose targets are exactly the StatefulSets' replicas", () => {
    const env = Object.fromEntries((guard().inputs as any).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(parseScaleDownTargets(env.SCALE_DOWN_TARGETS)).toEqual(statefulSets().map((s) => ({ statefulSet: (s.inputs as any).metadata.name, replicas: (s.inputs as any).spec.replicas })));
    expect(env.SCALE_DOWN_TARGETS).toBe("cassandra-a:2 cassandra-b:2 cassandra-c:2");
    expect(env.POD_DOMAIN).toBe("cassandra.platform.svc.cluster.local");
    // JMX only: the guard never logs in to CQL.
    expect(env.JMX_PASSWORD).toEqual({ secretKeyRef: { name: "cassandra-jmx", key: "password" } });
    expect(env.CASSANDRA_PASSWORD).toBeUndefined();
  });

  it("makes every StatefulSet wait for it, and deletes a scaled-away pod's volume (never a deleted StatefulSet's)", () => {
    const urn = guard().urn;
    for (const sts of statefulSets()) {
      expect(sts.dependsOn, (sts.inputs as any).metadata.name).toContain(urn);
      expect((sts.inputs as any).spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenScaled: "Delete", whenDeleted: "Retain" });
    }
  });

  it("is named after its targets: a new replica count is a new Job, an unchanged one is not re-run", async () => {
    const { buildScaleDownJob } = await import("../../../components/cassandra/scale-down");
    const spec = { namespace: "platform", image: "cassandra:5.0.9", podDomain: "d", jmxSecretName: "j", waitAttempts: 1, waitIntervalSeconds: 1, backoffLimit: 1 };
    const name = (replicas: number) => buildScaleDownJob({ ...spec, targets: [{ statefulSet: "cassandra-a", replicas }] }).metadata.name;
    expect(name(2)).toBe(name(2));
    expect(name(1)).not.toBe(name(2));
  });
});

describe("scale-down guard script", () => {
  const work = mkdtempSync(join(tmpdir(), "scale-down-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /**
   * Runs the script with `pods` (pod name → address) resolvable, and a nodetool that prints
   * `ring` (address → state, e.g. UN) for `status` and logs every call; `decommission` drops the
   * node from the ring file, like Cassandra does when it has streamed its data away.
   */
  function run(targets: string, pods: Record<string, string>, ring: Record<string, string>) {
    const dir = mkdtempSync(join(work, "run-"));
    const hosts = Object.entries(pods).map(([pod, a]) => `${pod}.cassandra.platform.svc.cluster.local) echo "${a} $1";;`).join(" ");
    writeFileSync(join(dir, "getent"), `#!/bin/sh\ncase "$2" in ${hosts} *) exit 2;; esac\n`);
    writeFileSync(join(dir, "ring"), Object.entries(ring).map(([a, s]) => `${s} ${a}\n`).join(""));
    writeFileSync(
      join(dir, "nodetool"),
      [
        "#!/bin/sh",
        `echo "$*" >> ${dir}/calls`,
        'host="$2"; while [ $# -gt 0 ] && [ "$1" != status ] && [ "$1" != decommission ]; do shift; done',
        'case "$1" in',
        `  status) grep -q " $host$" ${dir}/ring || exit 1; echo "Datacenter: us-east-1"; echo "--  Address  Load  Tokens  Owns  Host ID  Rack"; awk '{ print $1 "  " $2 "  1 MiB  16  ?  id  a" }' ${dir}/ring ;;`,
        `  decommission) grep -v " $host$" ${dir}/ring > ${dir}/ring.new; mv ${dir}/ring.new ${dir}/ring ;;`,
        "esac",
      ].join("\n"),
    );
    chmodSync(join(dir, "getent"), 0o755);
    chmodSync(join(dir, "nodetool"), 0o755);
    const res = spawnSync("sh", ["-c", scaleDownJobScript(3, 0)], {
      encoding: "utf8",
      timeout: 30_000,
      env: { PATH: `${dir}:${process.env.PATH}`, SCALE_DOWN_TARGETS: targets, POD_DOMAIN: "cassandra.platform.svc.cluster.local", JMX_USERNAME: "u", JMX_PASSWORD: "p" },
    });
    const calls = (() => {
      try {
        return readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
      } catch {
        return [];
      }
    })();
    return { res, calls, ring: readFileSync(join(dir, "ring"), "utf8") };
  }
  const decommissions = (calls: string[]) => calls.filter((c) => c.endsWith("decommission"));

  it("does nothing on a first deploy (no pods) or a scale-up", () => {
    expect(run("cassandra-a:1 cassandra-b:1", {}, {}).res.stdout).toContain("no Cassandra node to decommission");
    const up = run("cassandra-a:2", { "cassandra-a-0": "10.0.0.1" }, { "10.0.0.1": "UN" });
    expect(up.res.status).toBe(0);
    expect(decommissions(up.calls)).toEqual([]);
  });

  it("decommissions the pod each rack loses, on that node, before anything else changes", () => {
    const pods = { "cassandra-a-0": "10.0.0.1", "cassandra-a-1": "10.0.0.2", "cassandra-b-0": "10.0.1.1", "cassandra-b-1": "10.0.1.2" };
    const r = run("cassandra-a:1 cassandra-b:1", pods, { "10.0.0.1": "UN", "10.0.0.2": "UN", "10.0.1.1": "UN", "10.0.1.2": "UN" });
    expect(r.res.status, r.res.stderr).toBe(0);
    expect(decommissions(r.calls)).toEqual(["-h 10.0.0.2 -p 7199 -u u -pw p decommission", "-h 10.0.1.2 -p 7199 -u u -pw p decommission"]);
    expect(r.ring).toBe("UN 10.0.0.1\nUN 10.0.1.1\n");
  });

  it("skips a pod already out of the ring (a re-run after the StatefulSet failed to shrink)", () => {
    const r = run("cassandra-a:1", { "cassandra-a-0": "10.0.0.1", "cassandra-a-1": "10.0.0.2" }, { "10.0.0.1": "UN" });
    expect(r.res.status).toBe(0);
    expect(r.res.stdout).toContain("cassandra-a-1 (10.0.0.2) is not in the ring");
    expect(decommissions(r.calls)).toEqual([]);
  });

  it("refuses a rack losing two pods at once, before decommissioning anything", () => {
    const pods = { "cassandra-a-0": "10.0.0.1", "cassandra-b-0": "10.0.1.1", "cassandra-b-1": "10.0.1.2", "cassandra-b-2": "10.0.1.3" };
    const r = run("cassandra-a:1 cassandra-b:1", pods, { "10.0.0.1": "UN", "10.0.1.1": "UN", "10.0.1.2": "UN", "10.0.1.3": "UN" });
    expect(r.res.status).toBe(1);
    expect(r.res.stderr).toContain("cassandra-b would lose 2 pods at once (1..2): shrink by one node per rack per deploy");
    expect(decommissions(r.calls)).toEqual([]);
  });

  it("refuses to remove a node that is down (it cannot stream), naming removenode", () => {
    const r = run("cassandra-a:1", { "cassandra-a-0": "10.0.0.1", "cassandra-a-1": "10.0.0.2" }, { "10.0.0.1": "UN", "10.0.0.2": "DN" });
    expect(r.res.status).toBe(1);
    expect(r.res.stderr).toContain("cassandra-a-1 (10.0.0.2) is down (DN)");
    expect(r.res.stderr).toContain("nodetool removenode");
    expect(decommissions(r.calls)).toEqual([]);
  });

  it("fails when no staying node answers (nothing is removed blind)", () => {
    const r = run("cassandra-a:1", { "cassandra-a-0": "10.0.0.1", "cassandra-a-1": "10.0.0.2" }, {});
    expect(r.res.status).toBe(1);
    expect(r.res.stderr).toContain("no staying node answered nodetool status after 3 attempts");
    expect(decommissions(r.calls)).toEqual([]);
  });
});
