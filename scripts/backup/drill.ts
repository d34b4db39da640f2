/**
 * The restore drill: real Cassandra nodes, real cassandra-medusa, a real S3 API (moto's server)
 * on loopback, and the medusa.ini the stacks render (components/cassandra-backup/medusa-config.ts)
 * with two stand-ins: the S3 endpoint (moto instead of AWS) and the stop/start commands
 * (scripts/cassandra.sh instead of a pod restart).
 *
 * Steps: write known rows, full backup, more rows, differential backup (uploads only new
 * SSTables); `npm run restore`'s path into the running node (the table dropped and recreated
 * empty as the schema Job would, then scripts/backup/restore.ts through a kubectl stand-in that
 * runs its exec commands as the pod, medusa + sstableloader for real); drop the table, then wipe the node (fresh data directories), restore in place and
 * compare count + checksum of every row; then restore the same backup into a second, fresh node
 * (disaster recovery into a new cluster) and compare again. Used by `npm run drill:restore` and
 * test/components/cassandra-backup/restore.live.test.ts.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, concurrent, types } from "cassandra-driver";
import { backupNodeArgs, purgeArgs } from "../../components/cassandra-backup/cronjob";
import { renderMedusaIni } from "../../components/cassandra-backup/medusa-config";
import { runRestore } from "./restore";

const run = promisify(execFile);
const ROOT = join(__dirname, "../..");

export interface DrillOptions {
  /** Rows written before the full backup (each with a ~700-byte incompressible payload). @default 20000 */
  readonly rows?: number;
  /** Rows added before the differential backup. @default 2000 */
  readonly moreRows?: number;
  /** State directory (nodes, medusa config, downloads). @default .state/backup-drill */
  readonly stateDir?: string;
  /** Progress lines. @default stderr */
  readonly log?: (line: string) => void;
}

/** What the drill measured and compared. */
export interface DrillResult {
  readonly rows: number;
  readonly checksum: string;
  readonly fullBackup: BackupRun;
  readonly differentialBackup: BackupRun;
  /** `npm run restore` into the running node (sstableloader), after the table was dropped and recreated empty. */
  readonly runningCluster: RunningRestore;
  /** After DROP TABLE (before the wipe): rows left readable, expected 0. */
  readonly rowsAfterDrop: number;
  /** After wiping the node: whether the keyspace still existed, expected false. */
  readonly keyspaceAfterWipe: boolean;
  readonly inPlace: RestoreRun;
  readonly freshNode: RestoreRun;
}

export interface BackupRun {
  readonly name: string;
  readonly seconds: number;
  /** Bytes of this node's backup objects in the bucket after it (all backups so far). */
  readonly bucketBytes: number;
  /** Files medusa uploaded in this run (new SSTables) and reused from the previous backup. */
  readonly uploadedFiles: number;
  readonly keptFiles: number;
}

export interface RestoreRun {
  readonly seconds: number;
  readonly rows: number;
  readonly checksum: string;
}

export interface RunningRestore extends RestoreRun {
  /** Rows in the recreated table before the load, expected 0. */
  readonly rowsBefore: number;
  /** One line per sstableloader run: the pod it ran as and the CQL user it loaded as. */
  readonly loaderRuns: string[];
}

/** The drill's addresses and ports (reserved for it: see the README). */
export const DRILL = {
  nodes: [
    { name: "a", address: process.env.DRILL_NODE_A ?? "127.0.0.41", jmxPort: Number(process.env.DRILL_JMX_A ?? 7841) },
    { name: "b", address: process.env.DRILL_NODE_B ?? "127.0.0.42", jmxPort: Number(process.env.DRILL_JMX_B ?? 7842) },
  ],
  cqlPort: Number(process.env.DRILL_CQL_PORT ?? 9842),
  storagePort: Number(process.env.DRILL_STORAGE_PORT ?? 7800),
  s3Port: Number(process.env.DRILL_S3_PORT ?? 15000),
  bucket: "platform-backups-drill",
  region: "us-east-1",
  dataCenter: "us-east-1",
  clusterName: "telemetry",
} as const;

type DrillNode = (typeof DRILL.nodes)[number];

export async function runRestoreDrill(opts: DrillOptions = {}): Promise<DrillResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[drill] ${l}\n`));
  const state = opts.stateDir ?? join(ROOT, ".state/backup-drill");
  const rows = opts.rows ?? 20_000;
  const moreRows = opts.moreRows ?? 2_000;
  const [a, b] = DRILL.nodes;
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  // Dummy keys: moto accepts any; in the pods the AWS chain finds the IRSA web identity instead.
  const awsEnv = { AWS_ACCESS_KEY_ID: "drill", AWS_SECRET_ACCESS_KEY: randomBytes(8).toString("hex"), AWS_DEFAULT_REGION: DRILL.region };
  const jmxPassword = randomBytes(12).toString("hex");
  writeFileSync(join(state, "jmxremote.password"), `platform_jmx ${jmxPassword}\n`, { mode: 0o600 });
  const medusaEnv = { ...process.env, ...awsEnv, MEDUSA_NODETOOL_USERNAME: "platform_jmx", MEDUSA_NODETOOL_PASSWORD: jmxPassword };
  const medusa = (await run("bash", [join(ROOT, "scripts/medusa.sh"), "path"])).stdout.trim();
  const motoServer = (await run("bash", [join(ROOT, "scripts/moto.sh"), "path"])).stdout.trim();
  const python = join(motoServer, "../python");

  const ctl = (n: DrillNode, keepConfig: boolean) => {
    const file = join(state, `${n.name}.sh`);
    const env = {
      CASSANDRA_ADDRESS: n.address,
      CASSANDRA_CQL_PORT: DRILL.cqlPort,
      CASSANDRA_STORAGE_PORT: DRILL.storagePort,
      CASSANDRA_JMX_PORT: n.jmxPort,
      CASSANDRA_JMX_PASSWORD_FILE: join(state, "jmxremote.password"),
      CASSANDRA_HEAP: process.env.DRILL_HEAP ?? "512M",
      CASSANDRA_STATE_DIR: join(state, n.name),
      CASSANDRA_DC: DRILL.dataCenter,
      CASSANDRA_CLUSTER_NAME: DRILL.clusterName,
      // Each node is its own one-node cluster: B is a fresh cluster, not a peer of A.
      CASSANDRA_SEEDS: `${n.address}:${DRILL.storagePort}`,
      ...(keepConfig ? { CASSANDRA_KEEP_CONFIG: 1 } : {}),
    };
    const exports = Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(String(v))}`);
    writeFileSync(file, ["#!/usr/bin/env bash", ...exports, `exec bash ${JSON.stringify(join(ROOT, "scripts/cassandra.sh"))} "$@" >&2`, ""].join("\n"));
    chmodSync(file, 0o755);
    return file;
  };
  const node = async (n: DrillNode, cmd: "start" | "stop", keepConfig = false) => void (await run(ctl(n, keepConfig), [cmd], { maxBuffer: 1 << 24 }));
  const bin = join(state, "bin");
  const iniFor = (n: DrillNode, source: DrillNode, keepConfig: boolean) => {
    const file = join(state, `medusa-${n.name}.ini`);
    const control = ctl(n, keepConfig);
    writeFileSync(
      file,
      renderMedusaIni({
        storage: {
          bucket: DRILL.bucket,
          region: DRILL.region,
          prefix: `${DRILL.clusterName}-${DRILL.dataCenter}`,
          maxBackupAgeDays: 7,
          maxBackupCount: 0,
          endpoint: { host: "127.0.0.1", port: DRILL.s3Port, secure: false },
        },
        node: {
          cassandraYaml: join(state, n.name, "conf/cassandra.yaml"),
          nodetool: join(ROOT, "scripts/nodetool.sh"),
          sstableloader: join(bin, "sstableloader"),
          jmxHost: n.address,
          jmxPort: n.jmxPort,
          fqdn: source.address,
          stopCommand: `${control} stop`,
          startCommand: `${control} start`,
        },
      }),
    );
    return file;
  };
  /** argv as the CronJob renders it (`medusa ...`), run with the installed medusa. */
  const medusaArgv = async ([, ...args]: string[]) => {
    const r = await run(medusa, args, { env: medusaEnv, maxBuffer: 1 << 26 });
    return `${r.stdout}\n${r.stderr}`;
  };
  const medusaRun = (ini: string, ...args: string[]) => medusaArgv(["medusa", "--config-file", ini, ...args]);
  const s3 = async (script: string) =>
    (await run(python, ["-c", `import boto3,sys\ns3=boto3.client('s3',endpoint_url='http://127.0.0.1:${DRILL.s3Port}',region_name='${DRILL.region}')\n${script}`], { env: { ...process.env, ...awsEnv } })).stdout.trim();
  const bucketBytes = async () =>
    Number(await s3(`t=0\nfor p in s3.get_paginator('list_objects_v2').paginate(Bucket='${DRILL.bucket}'):\n  t+=sum(o['Size'] for o in p.get('Contents',[]))\nprint(t)`));

  let moto: ChildProcess | undefined;
  try {
    log(`S3 API: moto on 127.0.0.1:${DRILL.s3Port}`);
    moto = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(DRILL.s3Port)], { stdio: "ignore", detached: true });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${DRILL.s3Port}/`)).ok, 60_000, "moto S3 server");
    await s3(`s3.create_bucket(Bucket='${DRILL.bucket}')`);

    log(`node A ${a.address}: start, write ${rows} rows`);
    await node(a, "start");
    const client = await connect(a.address);
    await client.execute(`CREATE KEYSPACE drill WITH replication = {'class': 'NetworkTopologyStrategy', '${DRILL.dataCenter}': 1}`);
    await client.execute(TABLE);
    await writeRows(client, 0, rows);
    const iniA = iniFor(a, a, false);

    const backup = async (name: string): Promise<BackupRun> => {
      const t0 = Date.now();
      // The backup CronJob's exact commands: backup-node, then purge (retention).
      const out = await medusaArgv(backupNodeArgs(iniA, name, "differential"));
      await medusaArgv(purgeArgs(iniA));
      const seconds = (Date.now() - t0) / 1000;
      const copied = /(\d+) files copied from host \((\d+) new/.exec(out);
      const kept = /(\d+) kept from previous backup/.exec(out);
      if (!copied) throw new Error(`medusa backup-node ${name} printed no summary:\n${out.slice(-3000)}`);
      return { name, seconds, bucketBytes: await bucketBytes(), uploadedFiles: Number(copied[2]), keptFiles: Number(kept?.[1] ?? 0) };
    };
    const fullBackup = await backup("drill-full");
    log(`full backup: ${fullBackup.seconds}s, ${fullBackup.uploadedFiles} files, bucket ${fullBackup.bucketBytes} bytes`);
    await writeRows(client, rows, moreRows);
    const expected = await snapshotRows(client);
    const differentialBackup = await backup("drill-diff");
    log(`differential backup: ${differentialBackup.seconds}s, ${differentialBackup.uploadedFiles} new files, ${differentialBackup.keptFiles} kept`);

    log("npm run restore into the running node: table dropped and recreated empty, then loaded with sstableloader");
    await client.execute("DROP TABLE drill.rows");
    await client.execute(TABLE);
    const runningCluster = await restoreIntoRunningNode({ state, bin, ini: iniA, node: a, medusa, env: medusaEnv, rowsBefore: (await snapshotRows(client)).rows, read: () => snapshotRows(client) });
    log(`running cluster: ${runningCluster.seconds}s, ${runningCluster.rows} rows (${runningCluster.rowsBefore} before)`);

    await client.execute("DROP TABLE drill.rows");
    const rowsAfterDrop = await client.execute("SELECT id FROM system_schema.tables WHERE keyspace_name = 'drill' AND table_name = 'rows'").then((r) => r.rowLength);
    await client.shutdown();
    log("table dropped; wiping node A (stop, delete data, commit log, caches, hints; start empty)");
    await node(a, "stop");
    for (const d of ["data", "commitlog", "saved_caches", "hints"]) rmSync(join(state, "a", d), { recursive: true, force: true });
    await node(a, "start");
    const keyspaceAfterWipe = await withClient(a.address, async (c) => (await c.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'drill'")).rowLength > 0);

    const restore = async (target: DrillNode, ini: string, inPlace: boolean): Promise<RestoreRun> => {
      const t0 = Date.now();
      await medusaRun(ini, "restore-node", "--backup-name", "drill-diff", inPlace ? "--in-place" : "--remote", "--temp-dir", join(state, "tmp"));
      const seconds = (Date.now() - t0) / 1000;
      const got = await withClient(target.address, snapshotRows);
      return { seconds, rows: got.rows, checksum: got.checksum };
    };
    log("restore in place into node A");
    const inPlace = await restore(a, iniA, true);
    log(`in place: ${inPlace.seconds}s, ${inPlace.rows} rows`);
    await node(a, "stop");

    log(`fresh node B ${b.address}: first start (its own cluster), then stop and wipe before the restore`);
    await node(b, "start");
    await node(b, "stop");
    for (const d of ["data", "commitlog", "saved_caches", "hints"]) rmSync(join(state, "b", d), { recursive: true, force: true });
    // Medusa writes A's tokens into B's cassandra.yaml; the start must keep that file.
    const freshNode = await restore(b, iniFor(b, a, true), false);
    log(`fresh node: ${freshNode.seconds}s, ${freshNode.rows} rows`);
    return { rows: expected.rows, checksum: expected.checksum, fullBackup, differentialBackup, runningCluster, rowsAfterDrop, keyspaceAfterWipe, inPlace, freshNode };
  } finally {
    for (const n of DRILL.nodes) await node(n, "stop").catch(() => undefined);
    if (moto?.pid) process.kill(-moto.pid, "SIGTERM");
  }
}

const TABLE = "CREATE TABLE drill.rows (id int PRIMARY KEY, payload text, n bigint)";

/**
 * `npm run restore -- --backup drill-diff --keyspace drill` (runRestore, the CLI's body) against
 * node A as the only pod. Stand-ins, each a plain substitution: `kubectl get pods|secret` answers
 * for one pod and the stack's superuser Secret, `kubectl exec <pod> -c medusa -- cmd...` runs cmd
 * here (stdin passed on), `medusa` finds the pod's ini and temp dir at their drill paths, and
 * sstableloader's `-d <the pod's own address>` is node A's address. medusa and sstableloader are real.
 */
async function restoreIntoRunningNode(o: {
  state: string;
  bin: string;
  ini: string;
  node: DrillNode;
  medusa: string;
  env: NodeJS.ProcessEnv;
  rowsBefore: number;
  read: () => Promise<{ rows: number; checksum: string }>;
}): Promise<RunningRestore> {
  const user = "drill_superuser";
  const loaderLog = join(o.state, "sstableloader.log");
  mkdirSync(o.bin, { recursive: true });
  const b64 = (v: string) => Buffer.from(v).toString("base64");
  const stand = (name: string, body: string) => {
    writeFileSync(join(o.bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(o.bin, name), 0o755);
  };
  stand(
    "kubectl",
    `# stand-in: one Cassandra pod (node A), the superuser Secret, and exec = run here as that pod
case " $* " in
  *" get pods "*) echo '{"items":[{"metadata":{"name":"cassandra-drill-0"}}]}'; exit 0 ;;
  *" get secret cassandra-credentials "*) echo '{"data":{"username":"${b64(user)}","password":"${b64(randomBytes(12).toString("hex"))}"}}'; exit 0 ;;
esac
while [[ $# -gt 0 ]]; do case "$1" in exec) shift; [[ "$1" == -i ]] && shift; export POD="$1"; shift ;; --) shift; break ;; *) shift ;; esac; done
exec "$@"`,
  );
  stand(
    "medusa",
    `# stand-in paths: the pod's ini and the restore temp dir (on its data volume) are the drill's
args=(); for a in "$@"; do case "$a" in /tmp/medusa.ini) args+=(${JSON.stringify(o.ini)}) ;; /var/lib/cassandra/medusa-restore) args+=(${JSON.stringify(join(o.state, "restore-tmp"))}) ;; *) args+=("$a") ;; esac; done
exec ${JSON.stringify(o.medusa)} "\${args[@]}"`,
  );
  stand(
    "sstableloader",
    `# stand-in: the pod's own address (medusa passes -d <pod IP>) is node A's address here
args=(); user=""; while [[ $# -gt 0 ]]; do case "$1" in -d) args+=(-d ${o.node.address}); shift 2 ;; --username) user="$2"; args+=("$1" "$2"); shift 2 ;; *) args+=("$1"); shift ;; esac; done
dir=""; for x in "\${args[@]}"; do [[ -d "$x" ]] && dir="\${x##*/}"; done
echo "pod=$POD user=$user dir=$dir" >> ${JSON.stringify(loaderLog)}
exec bash ${JSON.stringify(join(ROOT, "scripts/sstableloader.sh"))} "\${args[@]}"`,
  );
  rmSync(loaderLog, { force: true });
  const t0 = Date.now();
  await runRestore(
    { namespace: "platform", backupsEnabled: true, encryption: false, clientCertificates: false, env: { ...o.env, PATH: `${o.bin}:${process.env.PATH}` } },
    { backup: "drill-diff", keyspace: "drill", log: (l) => process.stderr.write(`[drill] [restore] ${l}\n`) },
  );
  const seconds = (Date.now() - t0) / 1000;
  const got = await o.read();
  const loaderRuns = existsSync(loaderLog) ? readFileSync(loaderLog, "utf8").trim().split("\n").filter(Boolean) : [];
  return { seconds, rows: got.rows, checksum: got.checksum, rowsBefore: o.rowsBefore, loaderRuns };
}

async function connect(address: string): Promise<Client> {
  const client = new Client({ contactPoints: [`${address}:${DRILL.cqlPort}`], localDataCenter: DRILL.dataCenter });
  await client.connect();
  return client;
}

async function withClient<T>(address: string, f: (c: Client) => Promise<T>): Promise<T> {
  const c = await connect(address);
  try {
    return await f(c);
  } finally {
    await c.shutdown();
  }
}

/** Deterministic rows: row i always has the same payload, so a checksum names the data set. */
async function writeRows(client: Client, from: number, count: number): Promise<void> {
  const params = Array.from({ length: count }, (_, k) => {
    const id = from + k;
    return [id, Array.from({ length: 16 }, (_, k) => createHash("sha256").update(`row-${id}-${k}`).digest("base64")).join(""), types.Long.fromNumber(id * 7919)];
  });
  await concurrent.executeConcurrent(client, "INSERT INTO drill.rows (id, payload, n) VALUES (?, ?, ?)", params, { concurrencyLevel: 64 });
}

/** Count and SHA-256 over every row (sorted by id), read at the node with paging. */
async function snapshotRows(client: Client): Promise<{ rows: number; checksum: string }> {
  const lines: [number, string][] = [];
  for await (const r of iterate(client)) lines.push(r);
  lines.sort((x, y) => x[0] - y[0]);
  const hash = createHash("sha256");
  for (const [, line] of lines) hash.update(line + "\n");
  return { rows: lines.length, checksum: hash.digest("hex") };
}

async function* iterate(client: Client): AsyncGenerator<[number, string]> {
  let pageState: string | undefined;
  do {
    const rs = await client.execute("SELECT id, payload, n FROM drill.rows", [], { prepare: true, fetchSize: 2000, pageState });
    for (const r of rs.rows) yield [r.id as number, `${r.id}|${r.payload}|${r.n}`];
    pageState = rs.pageState ?? undefined;
  } while (pageState);
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`${what} did not answer within ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
