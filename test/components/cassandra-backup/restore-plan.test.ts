/**
 * `npm run restore` (scripts/backup/restore.ts): the plan it builds from `medusa list-backups`,
 * what it refuses, and its runner against a kubectl stand-in that records every call (argv and
 * stdin) and answers like the cluster would. The real medusa + sstableloader + Cassandra run is
 * restore.live.test.ts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadedKeyspaces, planRestore, runRestore, type ListedBackup } from "../../../scripts/backup/restore";

const backup = (name: string, fqdns: string[], extra: Partial<ListedBackup> = {}): ListedBackup => ({
  name,
  finished: 1_790_000_000,
  size: 3 * 2 ** 20,
  nodes: fqdns.map((fqdn) => ({ fqdn })),
  incomplete_nodes: 0,
  missing_nodes: 0,
  ...extra,
});
const LISTED = [backup("20261202-0300", ["10.0.1.7", "10.0.2.9", "10.0.3.4"]), backup("20261202-0900", ["10.0.1.7"], { finished: null, incomplete_nodes: 2 })];
const PODS = ["cassandra-us-east-1a-0", "cassandra-us-east-1b-0"];

describe("restore plan", () => {
  it("loads every backed-up node once, spread over the running pods, as sstableloader with roles kept", () => {
    const steps = planRestore(LISTED, PODS, { backup: "20261202-0300", keyspace: "telemetry" });
    expect(steps.map((s) => [s.node, s.pod])).toEqual([
      ["10.0.1.7", PODS[0]],
      ["10.0.2.9", PODS[1]],
      ["10.0.3.4", PODS[0]],
    ]);
    expect(steps[1].argv.slice(4)).toEqual(
      "medusa --config-file /tmp/medusa.ini --fqdn 10.0.2.9 restore-node --backup-name 20261202-0300 --use-sstableloader --remote --keep-auth --temp-dir /var/lib/cassandra/medusa-restore --keyspace telemetry".split(" "),
    );
    // The login comes on stdin, never in the argv (which the API server's audit log records).
    expect(steps[1].argv.slice(0, 3)).toEqual(["sh", "-c", 'IFS= read -r u && IFS= read -r p && export MEDUSA_CQL_USERNAME="$u" MEDUSA_CQL_PASSWORD="$p" && exec "$@"']);
  });

  it("names tables within their keyspace (medusa's ks.table), and the whole DC without --keyspace", () => {
    const [t] = planRestore(LISTED, PODS, { backup: "20261202-0300", keyspace: "telemetry", tables: ["events", "rollups"] });
    expect(t.argv.slice(-4)).toEqual(["--table", "telemetry.events", "--table", "telemetry.rollups"]);
    const [all] = planRestore(LISTED, PODS, { backup: "20261202-0300" });
    expect(all.argv.at(-1)).toBe("/var/lib/cassandra/medusa-restore");
  });

  it("refuses an unknown or incomplete backup, a table without keyspace, odd names and no pods", () => {
    expect(() => planRestore(LISTED, PODS, { backup: "20261201-0300" })).toThrow(/no backup "20261201-0300" in the bucket \(have: 20261202-0300, 20261202-0900\)/);
    expect(() => planRestore(LISTED, PODS, { backup: "20261202-0900" })).toThrow(/not complete \(1 nodes done, 2 unfinished/);
    expect(() => planRestore(LISTED, PODS, { backup: "20261202-0300", tables: ["events"] })).toThrow(/--table needs --keyspace/);
    expect(() => planRestore(LISTED, PODS, { backup: "20261202-0300", keyspace: "tele;metry" })).toThrow(/not a keyspace or table name/);
    expect(() => planRestore(LISTED, PODS, { backup: "$(id)" })).toThrow(/not a backup name/);
    expect(() => planRestore(LISTED, [], { backup: "20261202-0300" })).toThrow(/no running Cassandra pod/);
  });

  it("reads which keyspaces medusa streamed from its log", () => {
    const log = "[x] INFO: Restoring keyspace /var/lib/cassandra/medusa-restore/medusa-restore-1f/system_distributed with sstableloader...\n[x] INFO: Restoring keyspace /var/lib/cassandra/medusa-restore/medusa-restore-1f/telemetry with sstableloader...\n";
    expect(loadedKeyspaces(log)).toEqual(["system_distributed", "telemetry"]);
    expect(loadedKeyspaces("[x] ERROR: There is nothing to restore\n")).toEqual([]);
  });
});

describe("restore runner (kubectl stand-in)", () => {
  let dir: string;
  const calls = () => readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n");
  const target = (over: object = {}) => ({ namespace: "platform", context: "prod-ctx", backupsEnabled: true, encryption: true, clientCertificates: true, env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE: dir }, ...over });
  const quiet = { log: () => undefined };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "restore-"));
    writeFileSync(join(dir, "calls.log"), "");
    writeFileSync(join(dir, "backups.json"), JSON.stringify(LISTED));
    writeFileSync(
      join(dir, "kubectl"),
      `#!/usr/bin/env bash
echo "$*" >> "$FAKE/calls.log"
case " $* " in
  *" get pods "*) echo '{"items":[{"metadata":{"name":"${PODS[1]}"}},{"metadata":{"name":"${PODS[0]}"}}]}' ;;
  *" list-backups "*) echo "WARNING: noise"; cat "$FAKE/backups.json" ;;
  *" get secret cassandra-credentials "*) echo '{"data":{"username":"cGxhdGZvcm0=","password":"czNjcjN0"}}' ;;
  *" exec -i "*)
    pod="$(echo "$*" | sed 's/.* exec -i \\([^ ]*\\) .*/\\1/')"; cat >> "$FAKE/stdin.log"
    [ -f "$FAKE/fail-$pod" ] && { echo "ERROR: sstableloader failed" >&2; exit 3; }
    echo "INFO: Restoring keyspace /x/medusa-restore-1/$(cat "$FAKE/loads" 2>/dev/null || echo telemetry) with sstableloader..." >&2 ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
`,
    );
    chmodSync(join(dir, "kubectl"), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs each node's load in turn with the superuser login on stdin, never in argv", async () => {
    const r = await runRestore(target(), { backup: "20261202-0300", keyspace: "telemetry", ...quiet });
    expect(r.steps.map((s) => s.pod)).toEqual([PODS[0], PODS[1], PODS[0]]);
    const execs = calls().filter((c) => c.includes(" exec -i "));
    expect(execs).toHaveLength(3);
    expect(execs[0]).toMatch(/^--context prod-ctx -n platform exec -i cassandra-us-east-1a-0 -c medusa -- sh -c .* --fqdn 10\.0\.1\.7 restore-node .* --keyspace telemetry$/);
    expect(calls().join("\n")).not.toContain("s3cr3t");
    expect(readFileSync(join(dir, "stdin.log"), "utf8")).toBe("platform\ns3cr3t\n".repeat(3));
  });

  it("stops at the first failing node, naming its pod, and loads no further node", async () => {
    writeFileSync(join(dir, `fail-${PODS[1]}`), "");
    await expect(runRestore(target(), { backup: "20261202-0300", keyspace: "telemetry", ...quiet })).rejects.toThrow(
      /restore of 10\.0\.2\.9's backup through pod cassandra-us-east-1b-0 failed .*exited 3; 1 of 3 nodes loaded/,
    );
    expect(calls().filter((c) => c.includes(" exec -i "))).toHaveLength(2);
  });

  it("fails when medusa exits 0 without loading the keyspace (not in the backup: only system keyspaces went)", async () => {
    writeFileSync(join(dir, "loads"), "system_distributed");
    await expect(runRestore(target(), { backup: "20261202-0300", keyspace: "telemetry", ...quiet })).rejects.toThrow(/medusa loaded only system_distributed, not telemetry/);
  });

  it("refuses an unknown backup after listing, before reading the Secret or loading anything", async () => {
    await expect(runRestore(target(), { backup: "nope", ...quiet })).rejects.toThrow(/no backup "nope"/);
    expect(calls().some((c) => / get secret | exec -i /.test(c))).toBe(false);
  });

  it("refuses a stack without backups before any kubectl call, and a missing --backup", async () => {
    await expect(runRestore(target({ backupsEnabled: false }), { backup: "20261202-0300", ...quiet })).rejects.toThrow(/backups are disabled/);
    await expect(runRestore(target(), { ...quiet })).rejects.toThrow(/--backup is required/);
    expect(calls()).toEqual([""]);
  });

  it("lists the backups, complete or not, and a dry run prints the plan without reading the Secret or loading", async () => {
    const lines: string[] = [];
    const listed = await runRestore(target(), { list: true, log: (l) => lines.push(l) });
    expect(listed.backups.map((b) => b.name)).toEqual(["20261202-0300", "20261202-0900"]);
    expect(lines[0]).toMatch(/^20261202-0300 +2026-\S+ +3 nodes +3\.0 MiB$/);
    expect(lines[1]).toMatch(/^20261202-0900 +unfinished +1 nodes .*INCOMPLETE$/);
    const dry = await runRestore(target(), { backup: "20261202-0300", dryRun: true, log: (l) => lines.push(l) });
    expect(dry.steps).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^would load 10\.0\.3\.4's backup through cassandra-us-east-1a-0: kubectl exec -i/);
    expect(calls().some((c) => / get secret | exec -i /.test(c))).toBe(false);
  });

  it("refuses a load on a stack that encrypts CQL without client certificates (no client truststore for sstableloader); the dry run still shows the plan", async () => {
    const noTruststore = target({ clientCertificates: false });
    expect((await runRestore(noTruststore, { backup: "20261202-0300", dryRun: true, ...quiet })).steps).toHaveLength(3);
    await expect(runRestore(noTruststore, { backup: "20261202-0300", ...quiet })).rejects.toThrow(/encrypts CQL without requiring client certificates.*Must provide truststore/);
    expect(calls().some((c) => / get secret | exec -i /.test(c))).toBe(false);
  });
});
