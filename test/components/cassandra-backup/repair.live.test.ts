/**
 * Issue #20: the repair CronJob's script, as the stacks render it, repairs a deliberately
 * diverged row on a real two-node ring (127.0.0.41/.42, RF 2). Stand-ins, each a plain
 * substitution: `kubectl get pods` lists the two nodes and `kubectl exec <pod> -c medusa -- ...`
 * runs the command as that pod; `nodetool -h 127.0.0.1 -p 7199` goes to that node's address and
 * JMX port (scripts/cassandra.sh nodetool). Divergence: node B is stopped while node A takes
 * writes at ONE, with hinted handoff, read repair and speculative retries off, so nothing but
 * the repair can bring B up to date.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, policies, types } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repairScript } from "../../../components/cassandra-backup/cronjob";
import { DRILL } from "../../../scripts/backup/drill";

const run = promisify(execFile);
const ROOT = join(__dirname, "../../..");
const STATE = join(ROOT, ".state/repair-drill");
const [A, B] = DRILL.nodes;
const DC = DRILL.dataCenter;
const jmxPassword = randomBytes(12).toString("hex");

const node = async (n: (typeof DRILL.nodes)[number], cmd: "start" | "stop") =>
  void (await run("bash", [join(ROOT, "scripts/cassandra.sh"), cmd], {
    env: {
      ...process.env,
      CASSANDRA_ADDRESS: n.address,
      CASSANDRA_CQL_PORT: String(DRILL.cqlPort),
      CASSANDRA_STORAGE_PORT: String(DRILL.storagePort),
      CASSANDRA_JMX_PORT: String(n.jmxPort),
      CASSANDRA_JMX_PASSWORD_FILE: join(STATE, "jmxremote.password"),
      CASSANDRA_HEAP: "512M",
      CASSANDRA_STATE_DIR: join(STATE, n.name),
      CASSANDRA_DC: DC,
      CASSANDRA_CLUSTER_NAME: "repair-drill",
      CASSANDRA_SEEDS: `${A.address}:${DRILL.storagePort}`,
      CASSANDRA_EXTRA_YAML: join(STATE, "extra.yaml"),
      CASSANDRA_START_TIMEOUT_S: "300",
    },
    maxBuffer: 1 << 24,
  }));

/** A client whose only coordinator is `n`: at ONE it answers from its own replica. */
const clientOf = (n: (typeof DRILL.nodes)[number]) =>
  new Client({
    contactPoints: [`${n.address}:${DRILL.cqlPort}`],
    localDataCenter: DC,
    policies: { loadBalancing: new policies.loadBalancing.AllowListPolicy(new policies.loadBalancing.DCAwareRoundRobinPolicy(DC), [`${n.address}:${DRILL.cqlPort}`]) },
    queryOptions: { consistency: types.consistencies.one },
  });

const valueOn = async (c: Client, k: number) => (await c.execute("SELECT v FROM repair_drill.kv WHERE k = ?", [k], { prepare: true })).first()?.v ?? null;

describe("scheduled repair (nodetool repair -pr, one node at a time) on a real two-node ring", () => {
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    rmSync(STATE, { recursive: true, force: true });
    mkdirSync(join(STATE, "bin"), { recursive: true });
    writeFileSync(join(STATE, "jmxremote.password"), `platform_jmx ${jmxPassword}\n`, { mode: 0o600 });
    // Nothing but the repair may heal the replica: no hints; proximity-sorted reads (the coordinator's own replica first).
    writeFileSync(join(STATE, "extra.yaml"), "hinted_handoff_enabled: false\ndynamic_snitch: false\n");
    await node(A, "start");
    await node(B, "start");
    a = clientOf(A);
    await a.connect();
    await a.execute(`CREATE KEYSPACE repair_drill WITH replication = {'class': 'NetworkTopologyStrategy', '${DC}': 2}`);
    await a.execute("CREATE TABLE repair_drill.kv (k int PRIMARY KEY, v text) WITH read_repair = 'NONE' AND speculative_retry = 'NONE'");
    await a.execute("INSERT INTO repair_drill.kv (k, v) VALUES (1, 'before')", [], { consistency: types.consistencies.all });
  }, 900_000);

  afterAll(async () => {
    await a?.shutdown();
    await b?.shutdown();
    for (const n of [B, A]) await node(n, "stop").catch(() => undefined);
  }, 300_000);

  it("a row written while B was down stays missing on B until the rendered repair runs, then B has it", async () => {
    await node(B, "stop");
    await a.execute("UPDATE repair_drill.kv SET v = 'after' WHERE k = 1", [], { prepare: true });
    await a.execute("INSERT INTO repair_drill.kv (k, v) VALUES (2, 'written while B was down')", [], { prepare: true });
    await node(B, "start");
    b = clientOf(B);
    await b.connect();
    // Diverged: B answers from its own, stale replica.
    expect([await valueOn(b, 1), await valueOn(b, 2)]).toEqual(["before", null]);

    // The repair CronJob's script, with kubectl and nodetool stand-ins on PATH.
    const bin = join(STATE, "bin");
    writeFileSync(
      join(bin, "kubectl"),
      `#!/usr/bin/env bash
# stand-in: "get pods" lists the ring's nodes; "exec <pod> -c medusa -- cmd..." runs cmd as that pod
if [[ " $* " == *" get pods "* ]]; then echo "${A.name} ${B.name}"; exit 0; fi
while [[ $# -gt 0 ]]; do case "$1" in exec) export POD="$2"; shift 2 ;; --) shift; break ;; *) shift ;; esac; done
exec "$@"
`,
    );
    writeFileSync(
      join(bin, "nodetool"),
      `#!/usr/bin/env bash
# stand-in: the pod's own JMX (127.0.0.1:7199) is this node's address and port here
case "$POD" in ${A.name}) h=${A.address} p=${A.jmxPort} ;; ${B.name}) h=${B.address} p=${B.jmxPort} ;; *) echo "unknown pod $POD" >&2; exit 2 ;; esac
args=(); while [[ $# -gt 0 ]]; do case "$1" in -h|-p) shift 2 ;; *) args+=("$1"); shift ;; esac; done
echo "nodetool on $POD ($h): \${args[*]}" | sed 's/-pw [^ ]*/-pw ***/'
exec bash ${JSON.stringify(join(ROOT, "scripts/cassandra.sh"))} nodetool -h "$h" -p "$p" "\${args[@]}"
`,
    );
    for (const f of ["kubectl", "nodetool"]) chmodSync(join(bin, f), 0o755);
    const t0 = Date.now();
    const out = await run("sh", ["-c", repairScript("repair_drill")], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NAMESPACE: "platform", SELECTOR: "app.kubernetes.io/name=cassandra", MEDUSA_NODETOOL_USERNAME: "platform_jmx", MEDUSA_NODETOOL_PASSWORD: jmxPassword },
      maxBuffer: 1 << 24,
    });
    console.log(`[repair] ${out.stdout.trim().split("\n").join("\n[repair] ")}\n[repair] took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    expect(out.stdout).toContain(`nodetool on ${A.name}`);
    expect(out.stdout).toContain(`nodetool on ${B.name}`);
    expect(out.stdout).toContain("repair: done on 2 nodes");

    expect([await valueOn(b, 1), await valueOn(b, 2)]).toEqual(["after", "written while B was down"]);
  }, 900_000);
});
