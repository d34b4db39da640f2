import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_INIT_SCRIPT, configInitScript, rebuildJobScript, schemaJobScript, startScript } from "../../../components/cassandra/scripts";
import { publicEndpointProblems } from "../../../components/cassandra/public-endpoint";
import { encryptionYaml } from "../../../components/cassandra/encryption";
import { parse as parseYaml } from "yaml";

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
case "$stmt" in *"SELECT replication"*)
  [ -n "\${FAKE_SELECT_FAILS:-}" ] && exit 2
  printf '\n keyspace_name | replication\n---------------+------------\n  x | %s\n\n(1 rows)\n' "\${FAKE_REPLICATION:-}";;
esac
exit 0
`;

describe("schema Job script", () => {
  const replicated = { keyspaces: ["system_auth", "telemetry"], replication: "us-east-1:3" };
  const runJob = (env: Record<string, string>, attempts = 5, existingCluster = false, opts: Parameters<typeof schemaJobScript>[3] = replicated) => {
    const dir = mkdtempSync(join(work, "job-"));
    mkdirSync(join(dir, "bin"));
    if (existingCluster) for (const f of ["created", "locked"]) writeFileSync(join(dir, f), "");
    if (env.FAKE_CREATED_ONLY) writeFileSync(join(dir, "created"), "");
    writeFileSync(join(dir, "bin", "cqlsh"), FAKE_CQLSH);
    chmodSync(join(dir, "bin", "cqlsh"), 0o755);
    const res = spawnSync("sh", ["-c", schemaJobScript(attempts, 0, [], opts)], {
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
    const systemAuth = log.findIndex((l) => l.includes("-u cassandra") && l.includes("ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'us-east-1': 3}"));
    expect(systemAuth).toBeGreaterThan(-1);
    expect(systemAuth).toBeLessThan(create);
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
    // The app keyspace's replication follows its CREATE in schema.cql.
    expect(log.at(-3)).toContain("-f /schema/schema.cql");
    expect(log.at(-1)).toContain("ALTER KEYSPACE telemetry");
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

describe("schema Job script: replication never shrinks by accident", () => {
  const founder = { keyspaces: ["system_auth", "telemetry"], replication: "us-east-1:3" };
  const run = (env: Record<string, string>, opts: Parameters<typeof schemaJobScript>[3]) => {
    const dir = mkdtempSync(join(work, "union-"));
    mkdirSync(join(dir, "bin"));
    for (const f of ["created", "locked"]) writeFileSync(join(dir, f), "");
    writeFileSync(join(dir, "bin", "cqlsh"), FAKE_CQLSH);
    chmodSync(join(dir, "bin", "cqlsh"), 0o755);
    const res = spawnSync("sh", ["-c", schemaJobScript(3, 0, [], opts)], {
      encoding: "utf8",
      timeout: 30_000,
      env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, FAKE_DIR: dir, CQL_HOSTS: "local", CASSANDRA_USERNAME: "platform", CASSANDRA_PASSWORD: "pw", ...env },
    });
    const log = existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8").trim().split("\n") : [];
    return { res, alters: log.filter((l) => l.includes("ALTER KEYSPACE")).map((l) => /ALTER KEYSPACE .*\}/.exec(l)![0]) };
  };
  const current = "{'class': 'org.apache.cassandra.locator.NetworkTopologyStrategy', 'eu-west-1': '3', 'us-east-1': '3'}";

  it("a founder that declares only its own DC keeps the DCs that joined later (with their factors)", () => {
    const { res, alters } = run({ FAKE_REPLICATION: current }, founder);
    expect(res.status, res.stderr).toBe(0);
    expect(alters).toEqual([
      "ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'us-east-1': 3, 'eu-west-1': 3}",
      "ALTER KEYSPACE telemetry WITH replication = {'class': 'NetworkTopologyStrategy', 'us-east-1': 3, 'eu-west-1': 3}",
    ]);
    expect(res.stdout).toContain("keeping data centre eu-west-1 in telemetry (not declared by this stack)");
  });

  it("the declared factor wins for a declared DC; SimpleStrategy's replication_factor is not a DC", () => {
    expect(run({ FAKE_REPLICATION: current }, { ...founder, replication: "us-east-1:5" }).alters[1]).toBe(
      "ALTER KEYSPACE telemetry WITH replication = {'class': 'NetworkTopologyStrategy', 'us-east-1': 5, 'eu-west-1': 3}",
    );
    const simple = run({ FAKE_REPLICATION: "{'class': 'org.apache.cassandra.locator.SimpleStrategy', 'replication_factor': '1'}" }, founder);
    expect(simple.alters[0]).toBe("ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'us-east-1': 3}");
  });

  it("drops a data centre only when removeDataCenters names it", () => {
    const { res, alters } = run({ FAKE_REPLICATION: current }, { ...founder, removeDataCenters: ["eu-west-1"] });
    expect(res.status, res.stderr).toBe(0);
    expect(alters[1]).toBe("ALTER KEYSPACE telemetry WITH replication = {'class': 'NetworkTopologyStrategy', 'us-east-1': 3}");
    expect(res.stdout).toContain("removing data centre eu-west-1 from telemetry (removeDataCenters)");
  });

  it("fails without ALTERing when the current replication cannot be read", () => {
    const { res, alters } = run({ FAKE_REPLICATION: current, FAKE_SELECT_FAILS: "1" }, founder);
    expect(res.status).not.toBe(0);
    expect(alters).toEqual([]);
  });
});

describe("config init script: encryption blocks and the JMX password file", () => {
  it("replaces the image's encryption blocks (no duplicate keys) and writes a private JMX password file", () => {
    const dir = mkdtempSync(join(work, "enc-"));
    mkdirSync(join(dir, "etc"));
    mkdirSync(join(dir, "config"));
    // The shape of the image's cassandra.yaml around the blocks that get replaced.
    writeFileSync(
      join(dir, "etc", "cassandra.yaml"),
      [
        "authenticator:",
        "  class_name : org.apache.cassandra.auth.AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer",
        "server_encryption_options:",
        "  # On outbound connections, determine which type of peers to securely connect to.",
        "  internode_encryption: none",
        "  keystore: conf/.keystore",
        "",
        "# enable or disable client-to-server encryption.",
        "client_encryption_options:",
        "  enabled: false",
        "  keystore: conf/.keystore",
        "internode_compression: dc",
        "",
      ].join("\n"),
    );
    const script = configInitScript({ extraYaml: encryptionYaml(), jmxPasswordFile: true })
      .replaceAll("/etc/cassandra/", `${join(dir, "etc")}/`)
      .replaceAll("/config", join(dir, "config"));
    const res = spawnSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH!, JMX_USERNAME: "platform_jmx", JMX_PASSWORD: "secret123" } });
    expect(res.status, res.stderr).toBe(0);
    const text = readFileSync(join(dir, "config", "cassandra.yaml"), "utf8");
    expect(text.match(/^server_encryption_options:/gm)).toHaveLength(1);
    expect(text.match(/^client_encryption_options:/gm)).toHaveLength(1);
    const yaml = parseYaml(text, { uniqueKeys: true });
    expect(yaml.server_encryption_options).toMatchObject({ internode_encryption: "all", optional: false, require_client_auth: true, keystore: "/etc/cassandra-tls/keystore.pem", truststore: "/etc/cassandra-tls/ca.pem" });
    expect(yaml.client_encryption_options).toMatchObject({ enabled: true, optional: false });
    expect(yaml.internode_compression).toBe("dc");
    expect(yaml.authenticator.class_name).toBe("org.apache.cassandra.auth.PasswordAuthenticator");
    const jmx = join(dir, "config", "jmxremote.password");
    expect(readFileSync(jmx, "utf8")).toBe("platform_jmx secret123\n");
    expect(statSync(jmx).mode & 0o077).toBe(0);
    expect(script).not.toContain("secret123");
  });
});

describe("config init script: replacing a dead node (npm run cassandra:replace-node)", () => {
  const run = (hostname: string, entries: Record<string, string>) => {
    const dir = mkdtempSync(join(work, "node-"));
    for (const d of ["etc", "config", "dead"]) mkdirSync(join(dir, d));
    writeFileSync(join(dir, "etc", "cassandra.yaml"), "authenticator: AllowAllAuthenticator\nauthorizer: AllowAllAuthorizer\n");
    writeFileSync(join(dir, "etc", "jvm-server.options"), "-ea\n");
    for (const [pod, addr] of Object.entries(entries)) writeFileSync(join(dir, "dead", pod), addr);
    const script = configInitScript({ replaceDir: join(dir, "dead") })
      .replaceAll("/etc/cassandra", join(dir, "etc"))
      .replaceAll(" /config", ` ${join(dir, "config")}`);
    const res = sh(script, { HOSTNAME: hostname });
    return { res, options: readFileSync(join(dir, "config", "jvm-server.options"), "utf8") };
  };

  it("the listed pod starts with replace_address_first_boot; the others are untouched", () => {
    const listed = run("cassandra-b-0", { "cassandra-b-0": "10.0.3.17\n" });
    expect(listed.res.status, listed.res.stderr).toBe(0);
    expect(listed.options).toBe("-ea\n-Dcassandra.replace_address_first_boot=10.0.3.17\n");
    expect(listed.res.stderr).toContain("cassandra-b-0 replaces the dead node 10.0.3.17");
    const other = run("cassandra-a-0", { "cassandra-b-0": "10.0.3.17" });
    expect(other.res.status, other.res.stderr).toBe(0);
    expect(other.options).toBe("-ea\n");
    expect(run("cassandra-a-0", {}).options).toBe("-ea\n"); // no ConfigMap mounted at all
  });

  it("refuses anything but an address (the value reaches the JVM command line)", () => {
    const bad = run("cassandra-b-0", { "cassandra-b-0": "10.0.3.17 -Dcassandra.join_ring=false" });
    expect(bad.res.status).not.toBe(0);
    expect(bad.res.stderr).toContain("cassandra-replace: not an address for cassandra-b-0");
    expect(bad.options).toBe("-ea\n");
  });
});

describe("Cassandra start script: a replaced seed drops itself from its seeds (seeds never bootstrap)", () => {
  const SEEDS = "cassandra-a-0.eu-west-1.cassandra.platform.internal,cassandra-b-0.eu-west-1.cassandra.platform.internal,cassandra-a-0.us-east-1.cassandra.platform.internal";
  const run = (hostname: string, listed: boolean) => {
    const dir = mkdtempSync(join(work, "start-"));
    mkdirSync(join(dir, "dead"));
    mkdirSync(join(dir, "bin"));
    if (listed) writeFileSync(join(dir, "dead", hostname), "10.0.1.5");
    // Stand-in for the image's entrypoint: prints what it would write into cassandra.yaml.
    writeFileSync(join(dir, "bin", "docker-entrypoint.sh"), '#!/bin/sh\necho "seeds=$CASSANDRA_SEEDS args=$*"\n');
    chmodSync(join(dir, "bin", "docker-entrypoint.sh"), 0o755);
    return spawnSync("sh", ["-c", startScript(join(dir, "dead"))], { encoding: "utf8", env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, HOSTNAME: hostname, CASSANDRA_SEEDS: SEEDS } });
  };
  it("a seed pod being replaced starts as a non-seed, so it bootstraps and streams", () => {
    const res = run("cassandra-a-0", true);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe("seeds=cassandra-b-0.eu-west-1.cassandra.platform.internal args=cassandra -f");
  });
  it("every other start hands the seeds through unchanged", () => {
    expect(run("cassandra-a-0", false).stdout.trim()).toBe(`seeds=${SEEDS} args=cassandra -f`);
    expect(run("cassandra-c-0", true).stdout.trim()).toBe(`seeds=${SEEDS} args=cassandra -f`); // not a seed: nothing to drop
  });
});

describe("client certificates for the Jobs' cqlsh (nodes that require_client_auth, issue #18)", () => {
  it("writes a cqlshrc pointing at the mounted client certificate only when asked", () => {
    const line = `printf '[ssl]\\nusercert = %s\\nuserkey = %s\\n' "/etc/cassandra-client-tls/tls.crt" "/etc/cassandra-client-tls/tls.key" > "$HOME/.cassandra/cqlshrc"`;
    expect(schemaJobScript(1, 1, [], { tls: true, clientCert: true })).toContain(line);
    expect(rebuildJobScript(1, 1, { tls: true, clientCert: true })).toContain(line);
    expect(schemaJobScript(1, 1, [], { tls: true })).not.toContain("cqlshrc");
  });

  it("a public endpoint needs encryption and listed, non-open source ranges", () => {
    expect(publicEndpointProblems({ sourceRanges: [] }, false)).toEqual([
      "publicEndpoint needs encryption (the endpoint requires client certificates of the cluster CA)",
      "publicEndpoint.sourceRanges must list at least one CIDR",
    ]);
    expect(publicEndpointProblems({ sourceRanges: ["0.0.0.0/0"] }, true)).toEqual(["publicEndpoint.sourceRanges must not contain 0.0.0.0/0: list the clients' ranges"]);
    expect(publicEndpointProblems({ sourceRanges: ["192.0.2.0/24"] }, true)).toEqual([]);
  });
});
