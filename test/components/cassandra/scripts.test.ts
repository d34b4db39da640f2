import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_INIT_SCRIPT, schemaJobScript } from "../../../components/cassandra/scripts";

const work = mkdtempSync(join(tmpdir(), "cassandra-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sh(script: string, env: Record<string, string> = {}) {
  return spawnSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH!, ...env }, timeout: 30_000 });
}

describe("config init script", () => {
  const run = (yaml: string) => {
    const dir = mkdtempSync(join(work, "conf-"));
    mkdirSync(join(dir, "etc"));
    mkdirSync(join(dir, "config"));
    writeFileSync(join(dir, "etc", "cassandra.yaml"), yaml);
    writeFileSync(join(dir, "etc", "cassandra-rackdc.properties"), "dc=dc1\nrack=rack1\n");
    const script = CONFIG_INIT_SCRIPT.replaceAll("/etc/cassandra", join(dir, "etc")).replaceAll("/config", join(dir, "config"));
    const res = sh(script);
    const out = existsSync(join(dir, "config", "cassandra.yaml")) ? readFileSync(join(dir, "config", "cassandra.yaml"), "utf8") : "";
    return { res, out, dir };
  };

  it("enables PasswordAuthenticator and CassandraAuthorizer in the 5.x layout, leaving comments alone", () => {
    const { res, out, dir } = run(
      [
        "# authenticator: AllowAllAuthenticator (example)",
        "authenticator:",
        "  class_name : org.apache.cassandra.auth.AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer",
        "network_authorizer: AllowAllNetworkAuthorizer",
      ].join("\n"),
    );
    expect(res.status, res.stderr).toBe(0);
    expect(out).toContain("  class_name : org.apache.cassandra.auth.PasswordAuthenticator");
    expect(out).toContain("authorizer: CassandraAuthorizer");
    expect(out).toContain("network_authorizer: AllowAllNetworkAuthorizer");
    expect(out).toContain("# authenticator: AllowAllAuthenticator (example)");
    expect(existsSync(join(dir, "config", "cassandra-rackdc.properties"))).toBe(true);
  });

  it("works with the 4.x layout", () => {
    const { res, out } = run("authenticator: AllowAllAuthenticator\nauthorizer: AllowAllAuthorizer\n");
    expect(res.status, res.stderr).toBe(0);
    expect(out).toBe("authenticator: PasswordAuthenticator\nauthorizer: CassandraAuthorizer\n");
  });

  it("fails instead of starting without authentication", () => {
    const { res } = run("authenticator: SomethingElse\n");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("could not enable PasswordAuthenticator");
  });
});

// A stand-in cqlsh: records each call; the default superuser works until locked, the platform
// user once created; the first FAKE_DOWN calls fail as if Cassandra were still starting.
const FAKE_CQLSH = `#!/bin/sh
echo "$*" >> "$FAKE_DIR/log"
n=$(cat "$FAKE_DIR/calls" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_DIR/calls"
[ "$n" -le "\${FAKE_DOWN:-0}" ] && exit 1
host="$1"; user=""; stmt=""
while [ $# -gt 0 ]; do case "$1" in -u) user="$2"; shift;; -e) stmt="$2"; shift;; esac; shift; done
[ -n "\${FAKE_ONLY_HOST:-}" ] && [ "$host" != "$FAKE_ONLY_HOST" ] && exit 1
if [ "$user" = cassandra ]; then [ -f "$FAKE_DIR/locked" ] && exit 1; else [ -f "$FAKE_DIR/created" ] || exit 1; fi
case "$stmt" in *"CREATE ROLE"*) touch "$FAKE_DIR/created";; *"ALTER ROLE cassandra"*) touch "$FAKE_DIR/locked";; esac
exit 0
`;

describe("schema Job script", () => {
  const runJob = (env: Record<string, string>, attempts = 5, existingCluster = false) => {
    const dir = mkdtempSync(join(work, "job-"));
    mkdirSync(join(dir, "bin"));
    if (existingCluster) for (const f of ["created", "locked"]) writeFileSync(join(dir, f), "");
    if (env.FAKE_CREATED_ONLY) writeFileSync(join(dir, "created"), "");
    writeFileSync(join(dir, "bin", "cqlsh"), FAKE_CQLSH);
    chmodSync(join(dir, "bin", "cqlsh"), 0o755);
    const res = spawnSync("sh", ["-c", schemaJobScript(attempts, 0)], {
      encoding: "utf8",
      timeout: 30_000,
      env: {
        PATH: `${join(dir, "bin")}:${process.env.PATH}`,
        FAKE_DIR: dir,
        CQL_HOSTS: "cassandra-client.platform.svc.cluster.local peer-0.eu",
        CASSANDRA_USERNAME: "platform",
        CASSANDRA_PASSWORD: "s3cretPassw0rd",
        ...env,
      },
    });
    const log = existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8").trim().split("\n") : [];
    return { res, log };
  };

  it("is valid POSIX sh", () => {
    const res = spawnSync("sh", ["-n", "-c", schemaJobScript(120, 10)], { encoding: "utf8" });
    expect(res.status, res.stderr).toBe(0);
  });

  it("on a new cluster waits, creates the platform superuser, locks the default one, applies the schema", () => {
    const { res, log } = runJob({ FAKE_DOWN: "4" });
    expect(res.status, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toContain("waiting for Cassandra (1/5)");
    expect(res.stdout).toContain("new cluster: creating the platform superuser");
    const create = log.findIndex((l) => l.includes("CREATE ROLE IF NOT EXISTS platform WITH PASSWORD = 's3cretPassw0rd' AND SUPERUSER = true"));
    const lock = log.findIndex((l) => l.includes("-u platform") && l.includes("ALTER ROLE cassandra") && l.includes("LOGIN = false"));
    const schema = log.findIndex((l) => l.includes("-u platform") && l.includes("-f /schema/schema.cql"));
    expect(log.findIndex((l) => l.includes("-u cassandra") && l.includes("-f /schema/system.cql"))).toBeLessThan(create);
    expect(create).toBeGreaterThan(-1);
    expect(lock).toBeGreaterThan(create);
    expect(schema).toBeGreaterThan(lock);
    expect(res.stdout).not.toContain("s3cretPassw0rd");
  });

  it("on an existing cluster skips the bootstrap and leaves the locked default superuser alone", () => {
    const { res, log } = runJob({}, 5, true);
    expect(res.status, res.stderr).toBe(0);
    expect(log.some((l) => l.includes("CREATE ROLE"))).toBe(false);
    // It checks the default login, which fails, so it does not change that role's password again
    // (Cassandra 5 refuses a second change within 5 s: a quick Job retry would fail).
    expect(log.some((l) => l.includes("-u cassandra") && l.includes("SELECT release_version"))).toBe(true);
    expect(log.some((l) => l.includes("ALTER ROLE cassandra"))).toBe(false);
    expect(res.stdout).not.toContain("locking the default superuser");
    expect(log.at(-1)).toContain("-f /schema/schema.cql");
  });

  it("locks the default superuser on a later run when an earlier one died right after creating the platform user", () => {
    const { res, log } = runJob({ FAKE_CREATED_ONLY: "1" }, 5);
    expect(res.status, res.stderr).toBe(0);
    expect(log.some((l) => l.includes("CREATE ROLE"))).toBe(false);
    expect(res.stdout).toContain("locking the default superuser");
    expect(log.some((l) => l.includes("-u platform") && l.includes("ALTER ROLE cassandra") && l.includes("LOGIN = false"))).toBe(true);
  });

  it("falls back to a peer data centre's seed when the local one refuses the platform login", () => {
    const { res, log } = runJob({ FAKE_ONLY_HOST: "peer-0.eu" }, 5, true);
    // Locally nothing answers (not even the default user): the peer is used for everything.
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain("applying the schema through peer-0.eu");
    expect(log.some((l) => l.startsWith("peer-0.eu") && l.includes("-f /schema/schema.cql"))).toBe(true);
    expect(log.some((l) => l.includes("CREATE ROLE"))).toBe(false);
  });

  it("gives up after the configured attempts", () => {
    const { res } = runJob({ FAKE_DOWN: "1000" }, 3);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("after 3 attempts");
  });
});
