import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { auth, Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { SCHEMA_DIR, schemaJobScript } from "../../../components/cassandra/scripts";
import { TELEMETRY_ENV, loadTelemetryConfig, type TelemetryRole } from "../../../apps/telemetry/src/config/index.js";
import { createTelemetryServer } from "../../../apps/telemetry/src/server.js";
import { appRolePasswordEnv } from "../../../components/cassandra/roles";
import { TELEMETRY_CASSANDRA_ROLES } from "../../../components/telemetry-service/env";
import { silentLog } from "../../apps/telemetry/helpers.js";
import { localArgs } from "./fixtures";

// The schema Job exactly as the CassandraCluster component renders it (script, ConfigMap, env),
// run with the real cqlsh against a real Cassandra that has authentication on, as in the pods:
// a fresh node beside the shared test node, on its own ports and data directory. Two stand-ins
// only: the ConfigMap "mount" is a temp dir, and the CQL port is this node's.
const ROOT = join(__dirname, "../../..");
// Its own ports (overridable, so parallel runs on one machine do not meet).
const CQL_PORT = Number(process.env["SCHEMA_JOB_CQL_PORT"] ?? 9142);
const NODE_ENV = {
  ...process.env,
  CASSANDRA_AUTH: "password",
  CASSANDRA_CQL_PORT: String(CQL_PORT),
  CASSANDRA_STORAGE_PORT: process.env["SCHEMA_JOB_STORAGE_PORT"] ?? "7100",
  CASSANDRA_STATE_DIR: join(ROOT, ".state/cassandra-auth"),
};
const DC = "datacenter1"; // SimpleSnitch's data centre on the local node

const node = (cmd: string) => execFileSync("bash", [join(ROOT, "scripts/cassandra.sh"), cmd], { env: NODE_ENV, stdio: ["ignore", "pipe", "inherit"] }).toString();

describe("Cassandra schema Job against a real node with authentication (cqlsh)", () => {
  const work = mkdtempSync(join(tmpdir(), "schema-job-"));
  const password = randomBytes(16).toString("hex"); // alphanumeric, like the generated one
  // The two stand-ins: the ConfigMap "mount" is the temp dir, the CQL port is this node's.
  const onThisNode = (jobScript: string) => jobScript.replaceAll(`${SCHEMA_DIR}/`, `${work}/`).replaceAll(" 9042 ", ` ${CQL_PORT} `);
  let script = "";
  let env: Record<string, string> = {};
  let keyspace = "";
  const rolePasswords: Record<string, string> = {};
  let rolesCreatedAt = 0;

  beforeAll(async () => {
    // Always a fresh node: the Job's first-run path (default superuser) is half of what is tested.
    node("stop"); // one left over by an interrupted run
    rmSync(NODE_ENV.CASSANDRA_STATE_DIR, { recursive: true, force: true });
    node("start");

    const recorded: SynthResource[] = await installMocks({ stack: "local" });
    const { CassandraCluster } = await import("../../../components/cassandra/index.js");
    // The platform's own app roles (stacks/program.ts passes the same list).
    const cluster = new CassandraCluster("cassandra", {
      ...localArgs,
      dataCenter: DC,
      replication: { [DC]: 1 },
      superuserPassword: password,
      appRoles: Object.values(TELEMETRY_CASSANDRA_ROLES),
    });
    await valueOf(cluster.urn);
    await new Promise((r) => setTimeout(r, 50));
    const job = recorded.find((r) => r.type === "kubernetes:batch/v1:Job" && (r.inputs as any).metadata.name.startsWith("cassandra-schema-"))!.inputs as any;
    const cm = recorded.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).data?.["schema.cql"])!.inputs as any;
    for (const [file, text] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(work, file), text);
    const container = job.spec.template.spec.containers[0];
    expect(container.command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(container.command[2]).toContain(" 9042 ");
    script = onThisNode(container.command[2]);
    keyspace = /CREATE KEYSPACE IF NOT EXISTS (\w+)/.exec(cm.data["schema.cql"])![1]!;
    const cqlsh = execFileSync("bash", [join(ROOT, "scripts/cqlsh.sh"), "path"], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim();
    env = {
      PATH: `${dirname(cqlsh)}:${process.env.PATH}`,
      CQL_HOSTS: "127.0.0.1",
      CASSANDRA_USERNAME: await valueOf(cluster.username),
      CASSANDRA_PASSWORD: await valueOf(cluster.password),
    };
    // What Kubernetes would put in the Job's env from each role's Secret.
    for (const [name, role] of Object.entries(cluster.appRoles)) {
      rolePasswords[name] = await valueOf(role.password);
      env[appRolePasswordEnv(name)] = rolePasswords[name]!;
    }
  });

  afterAll(() => {
    node("stop");
    rmSync(NODE_ENV.CASSANDRA_STATE_DIR, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const runJob = () => spawnSync("sh", ["-c", script], { encoding: "utf8", env, timeout: 240_000 });
  const connect = async (username: string, pass: string) => {
    const client = new Client({
      contactPoints: ["127.0.0.1"],
      protocolOptions: { port: CQL_PORT },
      localDataCenter: DC,
      authProvider: new auth.PlainTextAuthProvider(username, pass),
    });
    await client.connect();
    return client;
  };

  it("on a new cluster: creates the platform superuser, locks the default one, applies the schema", async () => {
    const first = runJob();
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain("new cluster: creating the platform superuser");
    expect(first.stdout).toContain("locking the default superuser");
    expect(first.stdout).toContain("schema applied");
    rolesCreatedAt = Date.now();
    for (const role of Object.values(TELEMETRY_CASSANDRA_ROLES)) expect(first.stdout).toContain(`role ${role.name} ready`);

    await expect(connect("cassandra", "cassandra")).rejects.toThrow(/Provided username cassandra and\/or password are incorrect|not allowed to log in/);
    const client = await connect(env.CASSANDRA_USERNAME!, env.CASSANDRA_PASSWORD!);
    try {
      const roles = await client.execute("SELECT role, is_superuser, can_login FROM system_auth.roles");
      const byName = Object.fromEntries(roles.rows.map((r) => [r["role"], r]));
      expect(byName[env.CASSANDRA_USERNAME!]).toMatchObject({ is_superuser: true, can_login: true });
      expect(byName["cassandra"]).toMatchObject({ is_superuser: false, can_login: false });
      for (const role of Object.values(TELEMETRY_CASSANDRA_ROLES)) expect(byName[role.name], role.name).toMatchObject({ is_superuser: false, can_login: true });

      const spaces = await client.execute("SELECT keyspace_name, replication FROM system_schema.keyspaces");
      const replication = Object.fromEntries(spaces.rows.map((r) => [r["keyspace_name"], r["replication"]]));
      for (const ks of [keyspace, "system_auth", "system_distributed", "system_traces"]) {
        expect(replication[ks], ks).toMatchObject({ class: "org.apache.cassandra.locator.NetworkTopologyStrategy", [DC]: "1" });
      }
      const tables = await client.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", [keyspace]);
      expect(tables.rows.map((r) => r["table_name"]).length).toBeGreaterThan(0);
    } finally {
      await client.shutdown();
    }
  });

  it("a second run (the next deploy, or a retried Job) changes nothing and still succeeds", async () => {
    const second = runJob();
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).not.toContain("new cluster");
    expect(second.stdout).not.toContain("locking the default superuser");
    expect(second.stdout).not.toContain("setting the password");
    expect(second.stdout).toContain("schema applied");
  });

  it("the telemetry app runs as its roles: command ingests, query reads, and neither can do more", async () => {
    const serve = async (role: TelemetryRole) => {
      const dbRole = TELEMETRY_CASSANDRA_ROLES[role].name;
      const config = loadTelemetryConfig({
        [TELEMETRY_ENV.role]: role,
        [TELEMETRY_ENV.port]: "8080",
        [TELEMETRY_ENV.contactPoints]: "127.0.0.1",
        [TELEMETRY_ENV.cassandraPort]: String(CQL_PORT),
        [TELEMETRY_ENV.localDataCenter]: DC,
        [TELEMETRY_ENV.keyspace]: keyspace,
        [TELEMETRY_ENV.username]: dbRole,
        [TELEMETRY_ENV.password]: rolePasswords[dbRole]!,
      });
      const app = createTelemetryServer({ config, log: silentLog, defaultMetrics: false });
      return { app, url: `http://127.0.0.1:${await app.listen(0, "127.0.0.1")}` };
    };
    const command = await serve("command");
    const query = await serve("query");
    try {
      const source = `roles-${randomBytes(4).toString("hex")}`;
      const written = await fetch(`${command.url}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ events: [{ level: "info", message: "as telemetry_command", source }] }),
      });
      expect(written.status, await written.clone().text()).toBe(202);
      const day = new Date().toISOString().slice(0, 10);
      const read = await fetch(`${query.url}/api/query?source=${source}&day=${day}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as { events: { message: string }[] }).events.map((e) => e.message)).toEqual(["as telemetry_command"]);
      // An Idempotency-Key claims its record with a lightweight transaction: the command role's
      // SELECT + MODIFY on the keyspace are enough, and a reuse with other events is refused.
      const keyed = (message: string) =>
        fetch(`${command.url}/api/ingest`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": `k-${source}` },
          body: JSON.stringify({ events: [{ level: "info", message, source, timestamp: `${day}T00:00:01Z` }] }),
        });
      const first = await keyed("keyed");
      expect(first.status, await first.clone().text()).toBe(202);
      expect((await keyed("keyed")).status).toBe(202);
      expect((await keyed("other")).status).toBe(409);
    } finally {
      await command.app.shutdown();
      await query.app.shutdown();
    }

    const reader = await connect(TELEMETRY_CASSANDRA_ROLES.query.name, rolePasswords[TELEMETRY_CASSANDRA_ROLES.query.name]!);
    const writer = await connect(TELEMETRY_CASSANDRA_ROLES.command.name, rolePasswords[TELEMETRY_CASSANDRA_ROLES.command.name]!);
    try {
      const insert = `INSERT INTO ${keyspace}.events (source, day, event_id, level, message) VALUES ('x', '2026-01-01', now(), 'info', 'm')`;
      await expect(reader.execute(insert)).rejects.toThrow(/has no MODIFY permission/);
      await expect(writer.execute(insert)).resolves.toBeDefined();
      for (const client of [reader, writer]) {
        await expect(client.execute(`CREATE TABLE ${keyspace}.extra (id int PRIMARY KEY)`)).rejects.toThrow(/has no CREATE permission/);
        await expect(client.execute(`DROP TABLE ${keyspace}.events`)).rejects.toThrow(/has no DROP permission/);
        await expect(client.execute("CREATE ROLE intruder WITH PASSWORD = 'x' AND LOGIN = true")).rejects.toThrow(/does not have sufficient privileges/);
      }
    } finally {
      await reader.shutdown();
      await writer.shutdown();
    }
  });

  it("a rotated role password (new Secret value) is applied by the next run", async () => {
    const role = TELEMETRY_CASSANDRA_ROLES.query.name;
    // Cassandra 5 refuses a second password change of a role within 5 s of the last one.
    await new Promise((r) => setTimeout(r, Math.max(0, rolesCreatedAt + 6_000 - Date.now())));
    const rotated = randomBytes(16).toString("hex");
    env[appRolePasswordEnv(role)] = rotated;
    const run = runJob();
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`setting the password of role ${role}`);
    expect(run.stdout).not.toContain(`setting the password of role ${TELEMETRY_CASSANDRA_ROLES.command.name}`);
    // Cassandra caches credentials (2 s by default): the change shows once the entry expires.
    const logsIn = (pass: string) => connect(role, pass).then((c) => c.shutdown().then(() => true), () => false);
    let switched = false;
    for (let i = 0; i < 20 && !switched; i++) {
      switched = (await logsIn(rotated)) && !(await logsIn(rolePasswords[role]!));
      if (!switched) await new Promise((r) => setTimeout(r, 500));
    }
    expect(switched, "the new password logs in and the old one no longer does").toBe(true);
    rolePasswords[role] = rotated;
  });

  it("fails, naming the hosts, when no host accepts the credentials", () => {
    // The same script with a short wait loop (the rendered Job waits 120 x 10 s).
    const quick = onThisNode(schemaJobScript(2, 1));
    const res = spawnSync("sh", ["-c", quick], {
      encoding: "utf8",
      env: { ...env, CASSANDRA_PASSWORD: "wrong", CQL_HOSTS: "127.0.0.1" },
      timeout: 240_000,
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("no Cassandra host in [127.0.0.1] accepted CQL after 2 attempts");
  });
});
