/**
 * Issue #20, safe scale-down, on a real two-node Cassandra (127.0.0.51/.52, one data centre,
 * one rack). The scale-down guard Job's script exactly as the component renders it, with two
 * stand-ins, each a plain substitution: `getent hosts <pod>.<domain>` answers the pods' loopback
 * addresses (the headless Service's records), and `nodetool -h <address> -p 7199` goes to that
 * node's JMX port (each node has its own here).
 *
 * 1. What a plain StatefulSet shrink does: the node just goes away, and with RF 1 the rows it
 *    owned cannot be read (shown by stopping it, then starting it again).
 * 2. The guard refuses when the data centre would keep fewer nodes than a keyspace's RF
 *    (Cassandra's own check, no `--force`): nothing changes.
 * 3. The guard decommissions the node: every row is then readable from the remaining node alone.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, policies, types } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScaleDownJob } from "../../../components/cassandra/scale-down";
import { parseNodetoolStatus } from "../../../scripts/cassandra/replace-node";

const run = promisify(execFile);
const ROOT = join(__dirname, "../../..");
const STATE = join(ROOT, ".state/scale-down");
const CQL_PORT = Number(process.env.SCALE_DOWN_CQL_PORT ?? 9942);
const STORAGE_PORT = Number(process.env.SCALE_DOWN_STORAGE_PORT ?? 7900);
const DC = "eu-west-1";
const DOMAIN = "cassandra.platform.svc.cluster.local";
const A = { pod: "cassandra-a-0", address: process.env.SCALE_DOWN_NODE_A ?? "127.0.0.51", jmxPort: 7951 };
const B = { pod: "cassandra-a-1", address: process.env.SCALE_DOWN_NODE_B ?? "127.0.0.52", jmxPort: 7952 };
const ROWS = 20_000;
const jmxPassword = randomBytes(12).toString("hex");
const log = (line: string) => console.log(`[scale-down] ${line}`);

const node = async (n: typeof A, cmd: "start" | "stop") =>
  void (await run("bash", [join(ROOT, "scripts/cassandra.sh"), cmd], {
    env: {
      ...process.env,
      CASSANDRA_ADDRESS: n.address,
      CASSANDRA_CQL_PORT: String(CQL_PORT),
      CASSANDRA_STORAGE_PORT: String(STORAGE_PORT),
      CASSANDRA_JMX_PORT: String(n.jmxPort),
      CASSANDRA_JMX_PASSWORD_FILE: join(STATE, "jmxremote.password"),
      CASSANDRA_HEAP: "512M",
      CASSANDRA_STATE_DIR: join(STATE, n.pod),
      CASSANDRA_DC: DC,
      CASSANDRA_RACK: `${DC}a`,
      CASSANDRA_CLUSTER_NAME: "scale-down",
      CASSANDRA_SEEDS: `${A.address}:${STORAGE_PORT}`,
      CASSANDRA_START_TIMEOUT_S: "300",
    },
    maxBuffer: 1 << 24,
  }));

/** The guard Job's script and env, as the component renders them for one rack going 2 → 1. */
function renderedGuard(): { script: string; env: Record<string, string> } {
  const job = buildScaleDownJob({ namespace: "platform", image: "cassandra:5.0.9", targets: [{ statefulSet: "cassandra-a", replicas: 1 }], podDomain: DOMAIN, jmxSecretName: "cassandra-jmx", waitAttempts: 3, waitIntervalSeconds: 2, backoffLimit: 2 }) as any;
  const c = job.spec.template.spec.containers[0];
  const env = Object.fromEntries(c.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  return { script: c.command[2], env };
}

describe("safe scale-down on a real two-node ring", () => {
  let a: Client;
  const bin = join(STATE, "bin");
  const guard = renderedGuard();
  const nodetool = (...args: string[]) => run(join(bin, "nodetool"), ["-h", A.address, "-p", "7199", "-u", "platform_jmx", "-pw", jmxPassword, ...args], { maxBuffer: 1 << 24 });
  const ring = async () => parseNodetoolStatus((await nodetool("status")).stdout).map((n) => `${n.state} ${n.address}`).sort();
  const runGuard = () =>
    run("sh", ["-c", guard.script], { env: { ...process.env, ...guard.env, PATH: `${bin}:${process.env.PATH}`, JMX_USERNAME: "platform_jmx", JMX_PASSWORD: jmxPassword }, maxBuffer: 1 << 24 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  /** Rows readable at ONE through A alone, and a checksum over every (k, v) read. */
  const readable = async () => {
    let n = 0;
    const hash = createHash("sha256");
    for (let k = 0; k < ROWS; k += 1) {
      try {
        const v = (await a.execute("SELECT v FROM scale_down.kv WHERE k = ?", [k], { prepare: true })).first()?.v;
        if (v !== undefined) {
          n += 1;
          hash.update(`${k}=${v}\n`);
        }
      } catch {
        // Unavailable: no live replica of this key.
      }
    }
    return { n, sum: hash.digest("hex") };
  };
  let expectedSum = "";

  beforeAll(async () => {
    rmSync(STATE, { recursive: true, force: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(STATE, "jmxremote.password"), `platform_jmx ${jmxPassword}\n`, { mode: 0o600 });
    writeFileSync(join(bin, "getent"), `#!/bin/sh\ncase "$2" in ${A.pod}.${DOMAIN}) echo "${A.address} $2";; ${B.pod}.${DOMAIN}) echo "${B.address} $2";; *) exit 2;; esac\n`);
    writeFileSync(
      join(bin, "nodetool"),
      `#!/bin/sh\nhost=""\nwhile [ $# -gt 0 ]; do case "$1" in -h) host="$2"; shift 2;; -p) shift 2;; *) break;; esac; done\ncase "$host" in ${A.address}) port=${A.jmxPort};; ${B.address}) port=${B.jmxPort};; *) echo "unknown host $host" >&2; exit 2;; esac\nexec bash ${join(ROOT, "scripts/cassandra.sh")} nodetool -h "$host" -p "$port" "$@"\n`,
    );
    for (const f of ["getent", "nodetool"]) chmodSync(join(bin, f), 0o755);
    const t0 = Date.now();
    await node(A, "start");
    await node(B, "start");
    log(`two-node ring up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    a = new Client({
      contactPoints: [`${A.address}:${CQL_PORT}`],
      localDataCenter: DC,
      policies: { loadBalancing: new policies.loadBalancing.AllowListPolicy(new policies.loadBalancing.DCAwareRoundRobinPolicy(DC), [`${A.address}:${CQL_PORT}`]) },
      queryOptions: { consistency: types.consistencies.one },
      socketOptions: { readTimeout: 20_000 },
    });
    await a.connect();
    // As the schema Job leaves them for a one-replica DC (it ALTERs the system keyspaces to NTS).
    for (const ks of ["system_auth", "system_distributed", "system_traces"]) await a.execute(`ALTER KEYSPACE ${ks} WITH replication = {'class': 'NetworkTopologyStrategy', '${DC}': 1}`);
    await a.execute(`CREATE KEYSPACE scale_down WITH replication = {'class': 'NetworkTopologyStrategy', '${DC}': 1}`);
    await a.execute("CREATE TABLE scale_down.kv (k int PRIMARY KEY, v text)");
    const hash = createHash("sha256");
    const insert = "INSERT INTO scale_down.kv (k, v) VALUES (?, ?)";
    for (let k = 0; k < ROWS; k += 200) {
      const batch = Array.from({ length: 200 }, (_, i) => ({ k: k + i, v: `value-${k + i}-${randomBytes(24).toString("hex")}` }));
      await Promise.all(batch.map((r) => a.execute(insert, [r.k, r.v], { prepare: true, consistency: types.consistencies.all })));
      for (const r of batch) hash.update(`${r.k}=${r.v}\n`);
    }
    expectedSum = hash.digest("hex");
    await nodetool("flush");
    await run(join(bin, "nodetool"), ["-h", B.address, "-p", "7199", "-u", "platform_jmx", "-pw", jmxPassword, "flush"]);
  }, 900_000);

  afterAll(async () => {
    await a?.shutdown();
    for (const n of [B, A]) await node(n, "stop").catch(() => undefined);
  }, 300_000);

  it("a node that simply goes away (a plain StatefulSet shrink) takes the rows it owned with it", async () => {
    expect(await ring()).toEqual([`U ${A.address}`, `U ${B.address}`]);
    await node(B, "stop");
    const { n } = await readable();
    log(`with ${B.pod} gone without decommission: ${n} of ${ROWS} rows readable`);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(ROWS);
    await node(B, "start");
    expect(await ring()).toEqual([`U ${A.address}`, `U ${B.address}`]);
  }, 900_000);

  it("refuses to leave fewer nodes than a keyspace's replication factor, changing nothing", async () => {
    await a.execute(`CREATE KEYSPACE rf_two WITH replication = {'class': 'NetworkTopologyStrategy', '${DC}': 2}`);
    const res = await runGuard();
    expect(res.code).not.toBe(0);
    expect(`${res.stdout}${res.stderr}`).toMatch(/Not enough live nodes to maintain replication factor in keyspace rf_two \(RF = 2, N = 2\)/);
    expect(await ring()).toEqual([`U ${A.address}`, `U ${B.address}`]);
    await a.execute("DROP KEYSPACE rf_two");
  }, 600_000);

  it("decommissions the node the smaller StatefulSet removes: every row stays readable from the node that stays", async () => {
    const mb = Number((await run("du", ["-sm", join(STATE, B.pod)])).stdout.split(/\s/)[0]);
    const t0 = Date.now();
    const res = await runGuard();
    const seconds = (Date.now() - t0) / 1000;
    log(`guard: ${res.stdout.trim().split("\n").join(" | ")}`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`decommissioning ${B.pod} (${B.address})`);
    expect(await ring()).toEqual([`U ${A.address}`]);
    // What the StatefulSet shrink does next: the pod (and, whenScaled: Delete, its volume) goes.
    await node(B, "stop");
    const { n, sum } = await readable();
    expect(n).toBe(ROWS);
    expect(sum).toBe(expectedSum);
    // A re-run while the pod still exists (e.g. the StatefulSet update failed) finds nothing left to do.
    const again = await runGuard();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${B.pod} (${B.address}) is not in the ring: nothing to decommission`);
    console.log(JSON.stringify({ test: "scale-down", rows: ROWS, decommission_seconds: Number(seconds.toFixed(1)), node_dir_mb: mb }));
  }, 900_000);
});
