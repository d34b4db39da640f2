/**
 * npm run restore -- --stack <name> --backup <name> [--keyspace <ks> [--table <t>]...] [--list] [--dry-run]
 *   [--kubeconfig <file>] [--context <ctx>] [--timeout <seconds per node>]
 *
 * Restores a medusa backup into the RUNNING data centre of a stack (a lost or corrupted keyspace
 * or table: the common case), through the Cassandra pods' `medusa` sidecars, with sstableloader:
 *  1. `medusa list-backups` in one pod's sidecar (`--list` prints it and stops); refuses a backup
 *     that is not there or not complete;
 *  2. for each node the backup holds (keyed by the pod IP it had then: pod IPs change, so the
 *     backup's nodes and today's pods are paired round-robin, not by name), one at a time:
 *     `medusa --fqdn <that node> restore-node --use-sstableloader` in a running pod's sidecar,
 *     which downloads that node's SSTables of the keyspace/tables and streams them with
 *     sstableloader to whichever nodes own the rows now (any topology, any pod IPs).
 * Rows written after the backup stay (sstableloader adds cells; the newest write wins), so this
 * brings back what was lost, it does not roll the table back. The tables must exist (the schema
 * Job recreates them on `pulumi up`). Roles (system_auth) are never loaded (`--keep-auth`).
 *
 * sstableloader needs MODIFY on the tables: the sidecar's own login (platform_backup) is
 * read-only, so the superuser's login is read from the stack's Secret and handed to medusa on
 * the exec's stdin (never in argv, which the API server's audit log records, nor printed).
 * TLS: sstableloader takes it from the node's cassandra.yaml (`--conf-path`); that works when the
 * nodes require client certificates (the yaml then has the client truststore), and is refused on
 * a stack that encrypts CQL without them (test/components/cassandra-backup/restore-tls.live.test.ts).
 *
 * Disaster recovery into a fresh cluster (every node lost) is the per-node restore the drill
 * proves: see README "Backups, restores and repairs (Cassandra)".
 */
import { spawn, spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { BACKUP_NAMES, CASSANDRA_POD_SELECTOR } from "../../components/cassandra-backup/names";
import { MEDUSA_CONTAINER, MEDUSA_INI } from "../../components/cassandra/medusa-sidecar";
import { resolveConfig } from "../../stacks/config";
import { platformSettings } from "../../stacks/read-config";
import { kubectlTargetArgs } from "../preflight/kubectl";
import { readStackConfig } from "../synth/stacks";

const USAGE =
  "usage: npm run restore -- --stack <name> (--list | --backup <name> [--keyspace <ks> [--table <table>]...] [--dry-run]) [--kubeconfig <file>] [--context <ctx>] [--timeout <seconds per node>]";
const say = (s: string) => console.error(`[restore] ${s}`);

/** Where medusa downloads a node's SSTables before loading them: the data volume (an emptyDir /tmp on the node's root disk could get the pod evicted). */
export const RESTORE_TEMP_DIR = "/var/lib/cassandra/medusa-restore";

/** One cluster backup as `medusa list-backups --output json` prints it (the fields used here). */
export interface ListedBackup {
  readonly name: string;
  readonly finished: number | null;
  readonly size: number;
  readonly nodes: readonly { readonly fqdn: string }[];
  readonly incomplete_nodes: number;
  readonly missing_nodes: number;
}

export interface RestoreRequest {
  readonly backup: string;
  /** Only this keyspace. @default - every keyspace of the backup (roles excepted) */
  readonly keyspace?: string;
  /** Only these tables of `keyspace`. @default - the whole keyspace */
  readonly tables?: readonly string[];
}

/** One node's part of the restore: which backed-up node is loaded through which pod, with what argv. */
export interface RestoreStep {
  readonly pod: string;
  /** The backed-up node (its address at backup time). */
  readonly node: string;
  /** The exec's argv after `--`; it reads the login from stdin (two lines: username, password). */
  readonly argv: readonly string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const CQL_NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/** The login arrives on stdin and goes to medusa as the environment it reads over the ini (and the sidecar's own read-only login). */
export const WITH_LOGIN_FROM_STDIN = 'IFS= read -r u && IFS= read -r p && export MEDUSA_CQL_USERNAME="$u" MEDUSA_CQL_PASSWORD="$p" && exec "$@"';

/** medusa's argv that loads one backed-up node's SSTables into the running cluster. */
export function restoreNodeArgs(ini: string, node: string, r: RestoreRequest): string[] {
  const scope = r.tables?.length ? r.tables.flatMap((t) => ["--table", `${r.keyspace}.${t}`]) : r.keyspace ? ["--keyspace", r.keyspace] : [];
  // --remote: medusa refuses --keep-auth "in place" (a node-level restore), a flag sstableloader does not use otherwise.
  return ["medusa", "--config-file", ini, "--fqdn", node, "restore-node", "--backup-name", r.backup, "--use-sstableloader", "--remote", "--keep-auth", "--temp-dir", RESTORE_TEMP_DIR, ...scope];
}

/**
 * The restore plan: refuses a missing, unknown or incomplete backup and a table without its
 * keyspace; otherwise one step per backed-up node, spread over the running pods in turn.
 */
export function planRestore(backups: readonly ListedBackup[], pods: readonly string[], r: RestoreRequest): RestoreStep[] {
  if (!NAME.test(r.backup)) throw new Error(`--backup "${r.backup}" is not a backup name`);
  if (r.tables?.length && !r.keyspace) throw new Error("--table needs --keyspace (tables are named within it)");
  for (const n of [r.keyspace, ...(r.tables ?? [])]) if (n !== undefined && !CQL_NAME.test(n)) throw new Error(`"${n}" is not a keyspace or table name`);
  const b = backups.find((x) => x.name === r.backup);
  if (!b) throw new Error(`no backup "${r.backup}" in the bucket (have: ${backups.map((x) => x.name).join(", ") || "none"}); see --list`);
  if (b.finished === null || b.incomplete_nodes > 0 || b.missing_nodes > 0 || b.nodes.length === 0)
    throw new Error(`backup "${r.backup}" is not complete (${b.nodes.length} nodes done, ${b.incomplete_nodes} unfinished, ${b.missing_nodes} missing): pick a complete one`);
  if (pods.length === 0) throw new Error("no running Cassandra pod to restore through");
  return [...b.nodes]
    .map((n) => n.fqdn)
    .sort()
    .map((node, i) => ({ pod: pods[i % pods.length], node, argv: ["sh", "-c", WITH_LOGIN_FROM_STDIN, "restore", ...restoreNodeArgs(MEDUSA_INI, node, r)] }));
}

/**
 * The keyspaces one medusa run streamed, from its log ("Restoring keyspace <dir>/<ks> with
 * sstableloader..."). medusa exits 0 when its filter matched nothing ("There is nothing to
 * restore") and, for a keyspace the backup does not hold, still loads the system keyspaces it
 * always keeps: a run is only a success when the asked-for keyspace is among these.
 */
export function loadedKeyspaces(medusaOutput: string): string[] {
  return [...medusaOutput.matchAll(/Restoring keyspace \S*\/([A-Za-z0-9_]+) with sstableloader/g)].map((m) => m[1]);
}

/** What the restore runs against: from the stack's config, or a test's stand-in. */
export interface RestoreTarget {
  readonly namespace: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly backupsEnabled: boolean;
  /** Client and internode TLS (`cassandra.encryption`). */
  readonly encryption: boolean;
  /** The nodes require client certificates on CQL (the public CQL endpoint): their yaml then has the client truststore sstableloader needs. */
  readonly clientCertificates: boolean;
  /** Environment of the kubectl calls. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface RestoreOptions extends Partial<RestoreRequest> {
  readonly list?: boolean;
  readonly dryRun?: boolean;
  /** Longest one node's restore may take, seconds. @default 21600 */
  readonly timeoutSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface RestoreRun {
  readonly steps: readonly (RestoreStep & { readonly seconds: number })[];
  readonly backups: readonly ListedBackup[];
}

/** The kubectl runner for reads: bounded, stdout returned. */
function kubectlFor(t: RestoreTarget) {
  const base = [...kubectlTargetArgs(t), "-n", t.namespace];
  return (args: string[], o: { timeoutMs?: number } = {}): string => {
    const r = spawnSync("kubectl", [...base, ...args], { encoding: "utf8", env: t.env ?? process.env, timeout: o.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
    if (r.error) throw new Error((r.error as NodeJS.ErrnoException).code === "ENOENT" ? "kubectl not found: run `npm run setup`" : `kubectl ${args.slice(0, 3).join(" ")}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`kubectl ${args.slice(0, 3).join(" ")} exited ${r.status}${r.stderr ? `: ${r.stderr.trim().split("\n").slice(-5).join(" | ")}` : ""}`);
    return r.stdout ?? "";
  };
}

/** `kubectl exec` of one restore step: stdin the login, output passed on live and kept for the check, bounded. */
function execStep(t: RestoreTarget, args: string[], input: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", [...kubectlTargetArgs(t), "-n", t.namespace, ...args], { env: t.env ?? process.env, stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    let output = "";
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      output = (output + chunk.toString("utf8")).slice(-4 * 1024 * 1024);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

export async function runRestore(t: RestoreTarget, o: RestoreOptions): Promise<RestoreRun> {
  const log = o.log ?? say;
  if (!t.backupsEnabled) throw new Error("backups are disabled on this stack (backup.enabled: false): there is nothing to restore from");
  if (!o.list && !o.backup) throw new Error(`--backup is required (or --list)\n${USAGE}`);
  const kubectl = kubectlFor(t);
  const pods = (JSON.parse(kubectl(["get", "pods", "-l", CASSANDRA_POD_SELECTOR, "--field-selector=status.phase=Running", "-o", "json"])) as { items: { metadata: { name: string } }[] }).items
    .map((p) => p.metadata.name)
    .sort();
  if (pods.length === 0) throw new Error(`no running pod matches ${CASSANDRA_POD_SELECTOR} in ${t.namespace}`);
  // --show-all: list-backups otherwise keeps only backups of the pod's current IP.
  const listed = kubectl(["exec", pods[0], "-c", MEDUSA_CONTAINER, "--", "medusa", "--config-file", MEDUSA_INI, "list-backups", "--show-all", "--output", "json"], { timeoutMs: 600_000 });
  const backups = JSON.parse(listed.slice(listed.indexOf("["))) as ListedBackup[];
  if (o.list) {
    for (const b of backups)
      log(`${b.name}  ${b.finished ? new Date(b.finished * 1000).toISOString() : "unfinished"}  ${b.nodes.length} nodes  ${(b.size / 2 ** 20).toFixed(1)} MiB${b.incomplete_nodes || b.missing_nodes ? "  INCOMPLETE" : ""}`);
    if (backups.length === 0) log("no backups in the bucket");
    return { steps: [], backups };
  }
  const steps = planRestore(backups, pods, { backup: o.backup!, keyspace: o.keyspace, tables: o.tables });
  // Checked after the plan so --dry-run still shows it; refused before any load.
  if (t.encryption && !t.clientCertificates && !o.dryRun)
    throw new Error(
      "this stack encrypts CQL without requiring client certificates: its cassandra.yaml then names no truststore under client_encryption_options, and sstableloader (which takes its TLS from that file) cannot verify the nodes (\"Must provide truststore\"), so the load is refused; stacks with the public CQL endpoint (client certificates required) work",
    );
  for (const s of steps) log(`${o.dryRun ? "would load" : "load"} ${s.node}'s backup through ${s.pod}: kubectl exec -i ${s.pod} -c ${MEDUSA_CONTAINER} -- ${s.argv.slice(4).join(" ")}`);
  if (o.dryRun) return { steps: steps.map((s) => ({ ...s, seconds: 0 })), backups };

  const secret = JSON.parse(kubectl(["get", "secret", BACKUP_NAMES.superuserSecret, "-o", "json"])) as { data?: Record<string, string> };
  const [user, pass] = ["username", "password"].map((k) => Buffer.from(secret.data?.[k] ?? "", "base64").toString("utf8"));
  if (!user || !pass) throw new Error(`Secret ${BACKUP_NAMES.superuserSecret} has no username/password`);
  const done: (RestoreStep & { seconds: number })[] = [];
  for (const s of steps) {
    const t0 = Date.now();
    const failed = (why: string) =>
      new Error(`restore of ${s.node}'s backup through pod ${s.pod} failed after ${((Date.now() - t0) / 1000).toFixed(1)}s: ${why}; ${done.length} of ${steps.length} nodes loaded before it, the rest not`);
    const r = await execStep(t, ["exec", "-i", s.pod, "-c", MEDUSA_CONTAINER, "--", ...s.argv], `${user}\n${pass}\n`, (o.timeoutSeconds ?? 21_600) * 1000);
    if (r.code !== 0) throw failed(`kubectl exec exited ${r.code ?? "on the timeout"}`);
    const loaded = loadedKeyspaces(r.output);
    if (o.keyspace ? !loaded.includes(o.keyspace) : loaded.length === 0)
      throw failed(`medusa loaded ${loaded.length ? `only ${loaded.join(", ")}` : "nothing"}${o.keyspace ? `, not ${o.keyspace}: is it (and ${o.tables?.join(", ") || "its tables"}) in the backup?` : ""}`);
    const seconds = (Date.now() - t0) / 1000;
    done.push({ ...s, seconds });
    log(`loaded ${s.node}'s backup through ${s.pod} in ${seconds.toFixed(1)}s (${done.length}/${steps.length})`);
  }
  log(`restore of ${o.backup}${o.keyspace ? ` (${o.keyspace}${o.tables?.length ? `: ${o.tables.join(", ")}` : ""})` : ""} done: ${steps.length} nodes in ${done.reduce((a, s) => a + s.seconds, 0).toFixed(1)}s`);
  return { steps: done, backups };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      backup: { type: "string" },
      keyspace: { type: "string" },
      table: { type: "string", multiple: true },
      list: { type: "boolean" },
      "dry-run": { type: "boolean" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      timeout: { type: "string", default: "21600" },
    },
  });
  if (!values.stack || (!values.list && !values.backup) || !/^\d+$/.test(values.timeout!)) {
    console.error(USAGE);
    return 2;
  }
  const cfg = resolveConfig(values.stack, platformSettings(readStackConfig(values.stack)));
  await runRestore(
    { namespace: cfg.namespace, kubeconfig: values.kubeconfig, context: values.context ?? cfg.kubernetes.context, backupsEnabled: cfg.backup.enabled, encryption: cfg.cassandra.encryption, clientCertificates: cfg.cassandra.publicEndpoint.enabled },
    { list: values.list, dryRun: values["dry-run"], backup: values.backup, keyspace: values.keyspace, tables: values.table, timeoutSeconds: Number(values.timeout) },
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`[restore] ${err.message}`);
      process.exit(1);
    },
  );
}
