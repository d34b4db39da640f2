import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { auth, Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { SCHEMA_DIR, schemaJobScript } from "../../../components/cassandra/scripts";
import { localArgs } from "./fixtures";

// The schema Job exactly as the CassandraCluster component renders it (script, ConfigMap, env),
// run with the real cqlsh against a real Cassandra that has authentication on, as in the pods:
// a fresh node beside the shared test node, on its own ports and data directory. Two stand-ins
// only: the ConfigMap "mount" is a temp dir, and the CQL port is this node's.
const ROOT = join(__dirname, "../../..");
const CQL_PORT = 9142;
const NODE_ENV = {
  ...process.env,
  CASSANDRA_AUTH: "password",
  CASSANDRA_CQL_PORT: String(CQL_PORT),
  CASSANDRA_STORAGE_PORT: "7100",
  CASSANDRA_STATE_DIR: join(ROOT, ".state/cassandra-auth"),
};
const DC = "datacenter1"; // SimpleSnitch's data centre on the local node

const node = (cmd: string) => execFileSync("bash", [join(ROOT, "scripts/cassandra.sh"), cmd], { env: NODE_ENV, stdio: ["ignore", "pipe", "inherit"] }).toString();

describe("Cassandra schema Job against a real node with authentication (cqlsh)", () => {
  const work = mkdtempSync(join(tmpdir(), "schema-job-"));
  const password = randomBytes(16).toString("hex"); // alphanumeric, like the generated one
  let script = "";
  let env: Record<string, string> = {};
  let keyspace = "";

  beforeAll(async () => {
    // Always a fresh node: the Job's first-run path (default superuser) is half of what is tested.
    rmSync(NODE_ENV.CASSANDRA_STATE_DIR, { recursive: true, force: true });
    node("start");

    const recorded: SynthResource[] = await installMocks({ stack: "local" });
    const { CassandraCluster } = await import("../../../components/cassandra/index.js");
    const cluster = new CassandraCluster("cassandra", { ...localArgs, dataCenter: DC, replication: { [DC]: 1 }, superuserPassword: password });
    await valueOf(cluster.urn);
    await new Promise((r) => setTimeout(r, 50));
    const job = recorded.find((r) => r.type === "kubernetes:batch/v1:Job")!.inputs as any;
    const cm = recorded.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).data?.["schema.cql"])!.inputs as any;
    for (const [file, text] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(work, file), text);
    const container = job.spec.template.spec.containers[0];
    expect(container.command.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(container.command[2]).toContain(" 9042 ");
    script = container.command[2].replaceAll(`${SCHEMA_DIR}/`, `${work}/`).replaceAll(" 9042 ", ` ${CQL_PORT} `);
    keyspace = /CREATE KEYSPACE IF NOT EXISTS (\w+)/.exec(cm.data["schema.cql"])![1]!;
    const cqlsh = execFileSync("bash", [join(ROOT, "scripts/cqlsh.sh"), "path"], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim();
    env = {
      PATH: `${dirname(cqlsh)}:${process.env.PATH}`,
      CQL_HOSTS: "127.0.0.1",
      CASSANDRA_USERNAME: await valueOf(cluster.username),
      CASSANDRA_PASSWORD: await valueOf(cluster.password),
    };
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

    await expect(connect("cassandra", "cassandra")).rejects.toThrow(/Provided username cassandra and\/or password are incorrect|not allowed to log in/);
    const client = await connect(env.CASSANDRA_USERNAME!, env.CASSANDRA_PASSWORD!);
    try {
      const roles = await client.execute("SELECT role, is_superuser, can_login FROM system_auth.roles");
      const byName = Object.fromEntries(roles.rows.map((r) => [r["role"], r]));
      expect(byName[env.CASSANDRA_USERNAME!]).toMatchObject({ is_superuser: true, can_login: true });
      expect(byName["cassandra"]).toMatchObject({ is_superuser: false, can_login: false });

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
    expect(second.stdout).toContain("schema applied");
  });

  it("fails, naming the hosts, when no host accepts the credentials", () => {
    // The same script with a short wait loop (the rendered Job waits 120 x 10 s).
    const quick = schemaJobScript(2, 1).replaceAll(`${SCHEMA_DIR}/`, `${work}/`).replaceAll(" 9042 ", ` ${CQL_PORT} `);
    const res = spawnSync("sh", ["-c", quick], {
      encoding: "utf8",
      env: { ...env, CASSANDRA_PASSWORD: "wrong", CQL_HOSTS: "127.0.0.1" },
      timeout: 240_000,
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("no Cassandra host in [127.0.0.1] accepted CQL after 2 attempts");
  });
});
