import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { auth, Client, policies, types } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthStack, type SynthResource } from "../../../scripts/synth";
import { CLIENT_TLS_DIR, SCHEMA_DIR, TLS_DIR } from "../../../components/cassandra/scripts";
import { appRolePasswordEnv } from "../../../components/cassandra/roles";
import { TELEMETRY_CASSANDRA_ROLES } from "../../../components/telemetry-service/env";
import { TELEMETRY_FUNCTIONS_CASSANDRA_ROLE } from "../../../components/telemetry-functions";
import { BACKUP_NAMES } from "../../../components/cassandra-backup";
import { clientOptions } from "../../../apps/telemetry/src/client";
import { TELEMETRY_ENV, loadTelemetryConfig } from "../../../apps/telemetry/src/config/index.js";
import { parseNodetoolStatus } from "../../../scripts/cassandra/replace-node";

// A real multi-data-centre Cassandra on this machine: the prod regions us-east-1 (founder) and
// eu-west-1 (joins), one node each on loopback addresses, GossipingPropertyFileSnitch, with the
// internode + client encryption blocks the prod StatefulSets render. The schema and rebuild Jobs
// run exactly as the prod stacks render them (offline synth of the real stacks), with the real
// cqlsh and nodetool, in deploy order. Stand-ins, each a plain substitution:
//  - replication factor 3 → 1 (one node per DC here);
//  - the mounts: /schema → a temp dir, /etc/cassandra-tls → this DC's PEM files, which openssl
//    issues the same way @pulumi/tls does in the stacks (CA; node key PKCS#8 + cert signed by it),
//    /etc/cassandra-client-tls → the in-cluster client certificate (the prod nodes require one:
//    the functions' public endpoint is on), $HOME (/tmp in the Job's pod) → the Job's work dir;
//  - ports and addresses: CQL 9042 → RING_CQL_PORT; each pod's own IP → 127.0.0.2x, so JMX 7199
//    → a per-node port (a `nodetool` wrapper maps host → port), pod DNS names → addresses.
const ROOT = join(__dirname, "../../..");
const CQL_PORT = Number(process.env.RING_CQL_PORT ?? 9642);
const STORAGE_PORT = Number(process.env.RING_STORAGE_PORT ?? 7600);
const JMX_BASE = Number(process.env.RING_JMX_BASE_PORT ?? 7620);
const PREFIX = process.env.RING_ADDRESS_PREFIX ?? "127.0.0.2"; // nodes 127.0.0.21, .23
const HEAP = process.env.RING_HEAP ?? "512M";
const STATE = join(ROOT, ".state/cassandra-ring");
/** Per step: a Job runs ~20 cqlsh calls (a Python start each); on a loaded 2-core machine that is minutes. */
const LONG = 600_000;

interface RingNode {
  readonly dc: string;
  readonly address: string;
  readonly jmxPort: number;
  readonly dir: string;
}
const node = (dc: string, i: number): RingNode => ({ dc, address: `${PREFIX}${i}`, jmxPort: JMX_BASE + i, dir: join(STATE, `${dc}-${i}`) });
/** An address as a regular expression (RING_ADDRESS_PREFIX moves the nodes). */
const re = (address: string) => address.replaceAll(".", "\\.");
const US = node("us-east-1", 1);
const EU = node("eu-west-1", 3);
const NODES = [US, EU];

/** What one prod stack renders for Cassandra (from the offline synth of the real program). */
interface Rendered {
  schemaScript: string;
  schemaCql: string;
  rebuildScript?: string;
  encryptionYaml: string;
}

function rendered(resources: SynthResource[]): Rendered {
  const jobs = resources.filter((r) => r.type === "kubernetes:batch/v1:Job").map((r) => r.inputs as any);
  const command = (name: string) => jobs.find((j) => j.metadata.name.startsWith(name))?.spec.template.spec.containers[0].command[2] as string | undefined;
  const cm = resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).data?.["schema.cql"])!.inputs as any;
  const sts = resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs as any).metadata.name.startsWith("cassandra-"))!.inputs as any;
  const init = sts.spec.template.spec.initContainers[0].command[2] as string;
  const yaml = /<<'PLATFORM_YAML'\n([\s\S]*?)\nPLATFORM_YAML/.exec(init);
  if (!yaml) throw new Error("the prod StatefulSet renders no encryption block");
  return { schemaScript: command("cassandra-schema-")!, schemaCql: cm.data["schema.cql"], rebuildScript: command("cassandra-rebuild-"), encryptionYaml: `${yaml[1]}\n` };
}

/** Stand-in: RF 3 → 1 in the declared pairs (`us-east-1:3`) and the CQL maps (`'us-east-1': 3`). */
const REGION = "(us-east-1|eu-west-1|ap-southeast-1)";
const rf1 = (s: string) => s.replace(new RegExp(`\\b${REGION}:3\\b`, "g"), "$1:1").replace(new RegExp(`'${REGION}': 3\\b`, "g"), "'$1': 1");

// Async (like the Jobs below): a node start or a Job takes minutes, and a blocked worker misses
// vitest's RPC deadlines.
const CLIENT_TLS = join(STATE, "tls", "client");
const clientCert = () => ({ cert: readFileSync(join(CLIENT_TLS, "tls.crt"), "utf8"), key: readFileSync(join(CLIENT_TLS, "tls.key"), "utf8") });
const cassandra = async (n: RingNode, cmd: string, extra: Record<string, string> = {}) =>
  (await promisify(execFile)("bash", [join(ROOT, "scripts/cassandra.sh"), cmd], {
    env: {
      ...process.env,
      CASSANDRA_AUTH: "password",
      CASSANDRA_CLUSTER_NAME: "telemetry",
      CASSANDRA_ADDRESS: n.address,
      CASSANDRA_DC: n.dc,
      CASSANDRA_RACK: `${n.dc}a`,
      CASSANDRA_CQL_PORT: String(CQL_PORT),
      CASSANDRA_STORAGE_PORT: String(STORAGE_PORT),
      // One seed per DC, as each region lists its own seeds and its peers'.
      CASSANDRA_SEEDS: NODES.map((m) => `${m.address}:${STORAGE_PORT}`).join(","),
      CASSANDRA_HEAP: HEAP,
      CASSANDRA_STATE_DIR: n.dir,
      CASSANDRA_EXTRA_YAML: join(n.dir, "encryption.yaml"),
      CASSANDRA_CLIENT_TLS_CA: join(STATE, "tls", "ca.pem"),
      CASSANDRA_CLIENT_TLS_CERT: join(CLIENT_TLS, "tls.crt"),
      CASSANDRA_CLIENT_TLS_KEY: join(CLIENT_TLS, "tls.key"),
      CASSANDRA_JMX_PORT: String(n.jmxPort),
      CASSANDRA_JMX_PASSWORD_FILE: join(n.dir, "jmxremote.password"),
      CASSANDRA_START_TIMEOUT_S: "300",
      ...extra,
    },
    maxBuffer: 16 * 1024 * 1024,
  })).stdout;

/** The stand-in for @pulumi/tls: a CA, and per DC a PKCS#8 key + certificate signed by it. */
function issueCertificates(): void {
  const dir = join(STATE, "tls");
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=telemetry Cassandra CA", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  for (const n of NODES) {
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${n.dc}.key`, "-out", `${n.dc}.csr`, "-subj", `/CN=cassandra.${n.dc}`);
    // The stacks' DNS names; the pods' names resolve to addresses here, so those go in as IPs.
    writeFileSync(join(dir, `${n.dc}.ext`), `subjectAltName=DNS:*.cassandra.platform.svc.cluster.local,DNS:cassandra-client.platform.svc.cluster.local,DNS:*.${n.dc}.cassandra.platform.internal,${NODES.map((m) => `IP:${m.address}`).join(",")}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    ssl("x509", "-req", "-in", `${n.dc}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${n.dc}.crt`, "-days", "1", "-extfile", `${n.dc}.ext`);
    const tls = join(n.dir, "tls");
    mkdirSync(tls, { recursive: true });
    writeFileSync(join(tls, "keystore.pem"), Buffer.concat([ssl("pkcs8", "-topk8", "-nocrypt", "-in", `${n.dc}.key`), readFileSync(join(dir, `${n.dc}.crt`))]));
    writeFileSync(join(tls, "ca.pem"), readFileSync(join(dir, "ca.pem")));
  }
  // The in-cluster clients' certificate (Secret cassandra-client-tls: tls.crt, tls.key).
  mkdirSync(CLIENT_TLS, { recursive: true });
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", join(CLIENT_TLS, "tls.key"), "-out", "client.csr", "-subj", "/CN=cassandra-in-cluster-clients");
  writeFileSync(join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  ssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", join(CLIENT_TLS, "tls.crt"), "-days", "1", "-extfile", "client.ext");
}

describe("multi-region Cassandra ring (us-east-1 + eu-west-1, TLS) with the prod stacks' Jobs", () => {
  const superPassword = randomBytes(16).toString("hex");
  const jmxPassword = randomBytes(16).toString("hex");
  // Every role the prod stacks render: the telemetry roles, the Vercel functions' one and medusa's.
  const rolePasswords = Object.fromEntries([...Object.values(TELEMETRY_CASSANDRA_ROLES), TELEMETRY_FUNCTIONS_CASSANDRA_ROLE, { name: BACKUP_NAMES.cqlRole }].map((r) => [r.name, randomBytes(16).toString("hex")]));
  const bin = join(STATE, "bin");
  let us: Rendered;
  let eu: Rendered;
  let usShorterTtl: Rendered;
  let env: Record<string, string> = {};
  const timings: Record<string, number> = {};
  const source = `ring-${randomBytes(4).toString("hex")}`;
  const day = new Date().toISOString().slice(0, 10);

  /** Runs a rendered Job script with the stand-ins for this node; stdout + stderr on failure. */
  const runJob = async (script: string, n: RingNode, cqlHosts: string, files: Record<string, string> = {}, extraEnv: Record<string, string> = {}) => {
    const work = join(STATE, `job-${n.dc}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(work, f), text);
    const local = rf1(script)
      .replaceAll(`${SCHEMA_DIR}/`, `${work}/`)
      .replaceAll(" 9042 ", ` ${CQL_PORT} `)
      .replaceAll(CLIENT_TLS_DIR, CLIENT_TLS)
      .replaceAll("export HOME=/tmp", `export HOME=${work}`); // its cqlshrc stays in the Job's own dir
    const child = spawn("sh", ["-c", local], { stdio: ["ignore", "pipe", "pipe"], env: { ...env, CQL_HOSTS: cqlHosts, SSL_CERTFILE: join(n.dir, "tls", "ca.pem"), ...extraEnv } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), LONG - 10_000);
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    return { status, out };
  };

  /** `nodetool status` as the founder sees the ring (the replace-node script parses the same text). */
  const nodetoolStatus = async () =>
    (await promisify(execFile)(join(bin, "nodetool"), ["-h", US.address, "-p", "7199", "-u", "platform_jmx", "-pw", jmxPassword, "status"], { env: { ...process.env, ...env } })).stdout;

  const connect = async (n: RingNode, username: string, password: string) => {
    const client = new Client({
      contactPoints: [n.address],
      protocolOptions: { port: CQL_PORT },
      localDataCenter: n.dc,
      authProvider: new auth.PlainTextAuthProvider(username, password),
      sslOptions: { ca: [readFileSync(join(n.dir, "tls", "ca.pem"))], rejectUnauthorized: true, ...clientCert() },
      // Only this DC's node: reads must be served where the client is.
      policies: { loadBalancing: new policies.loadBalancing.DCAwareRoundRobinPolicy(n.dc) },
    });
    await client.connect();
    return client;
  };

  const replicationOf = async (client: Client) => {
    const rows = await client.execute("SELECT keyspace_name, replication FROM system_schema.keyspaces");
    return Object.fromEntries(rows.rows.map((r) => [r["keyspace_name"] as string, r["replication"] as Record<string, string>]));
  };

  beforeAll(async () => {
    if (spawnSync("openssl", ["version"]).error) throw new Error("openssl not found (stand-in CA for the ring): run `npm run setup`");
    for (const n of NODES) await cassandra(n, "stop"); // left over by an interrupted run
    rmSync(STATE, { recursive: true, force: true });
    // The prod stacks as the real program renders them; a third synth of the founder with a new TTL.
    const ttlConfig = join(STATE, "Pulumi.prod-us-east-1.yaml");
    mkdirSync(STATE, { recursive: true });
    writeFileSync(ttlConfig, readFileSync(join(ROOT, "stacks/Pulumi.prod-us-east-1.yaml"), "utf8").replace("  platform:cassandra:\n", "  platform:cassandra:\n    defaultTtlDays: 7\n"));
    const [usSynth, euSynth, ttlSynth] = await Promise.all([synthStack("prod-us-east-1"), synthStack("prod-eu-west-1"), synthStack("prod-us-east-1", { configFile: ttlConfig })]);
    us = rendered(usSynth.resources);
    eu = rendered(euSynth.resources);
    usShorterTtl = rendered(ttlSynth.resources);

    issueCertificates();
    for (const n of NODES) {
      writeFileSync(join(n.dir, "encryption.yaml"), (n === US ? us : eu).encryptionYaml.replaceAll(TLS_DIR, join(n.dir, "tls")));
      // What the init container writes (umask 077; the JVM refuses a password file others can read).
      writeFileSync(join(n.dir, "jmxremote.password"), `platform_jmx ${jmxPassword}\n`);
      chmodSync(join(n.dir, "jmxremote.password"), 0o600);
    }
    // nodetool: the real one (Cassandra's classpath); each pod has its own IP and JMX port 7199,
    // here each address has its own port.
    mkdirSync(bin, { recursive: true });
    const ports = NODES.map((n) => `${n.address}) port=${n.jmxPort};;`).join(" ");
    writeFileSync(
      join(bin, "nodetool"),
      `#!/bin/sh\nargs=""; host=""; port=""\nwhile [ $# -gt 0 ]; do case "$1" in -h) host="$2"; shift 2;; -p) shift 2;; *) break;; esac; done\ncase "$host" in ${ports} esac\nexec bash ${join(ROOT, "scripts/cassandra.sh")} nodetool -h "$host" -p "$port" "$@"\n`,
    );
    chmodSync(join(bin, "nodetool"), 0o755);
    const cqlsh = execFileSync("bash", [join(ROOT, "scripts/cqlsh.sh"), "path"], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim();
    env = {
      PATH: `${bin}:${dirname(cqlsh)}:${process.env.PATH}`,
      CASSANDRA_USERNAME: "platform",
      CASSANDRA_PASSWORD: superPassword,
      JMX_USERNAME: "platform_jmx",
      JMX_PASSWORD: jmxPassword,
      ...Object.fromEntries(Object.entries(rolePasswords).map(([name, p]) => [appRolePasswordEnv(name), p])),
    };
    // A role added to the stacks without a password here would stop the Job at `set -u`: say which.
    for (const script of [us.schemaScript, eu.schemaScript]) {
      for (const [, name] of script.matchAll(/\$\{?(CASSANDRA_ROLE_[A-Z0-9_]+_PASSWORD)/g)) expect(env, `the ring supplies ${name}`).toHaveProperty(name);
    }
  }, 600_000);

  afterAll(async () => {
    for (const n of NODES) await cassandra(n, "stop");
    console.log(`[ring] ${JSON.stringify(timings)}`);
    rmSync(STATE, { recursive: true, force: true });
  });

  it("founds the cluster in us-east-1 with the founder's schema Job, over TLS", async () => {
    const t0 = Date.now();
    await cassandra(US, "start");
    timings.founderNodeUpSeconds = (Date.now() - t0) / 1000;
    const job = await runJob(us.schemaScript, US, US.address, { "schema.cql": rf1(us.schemaCql) });
    expect(job.status, job.out).toBe(0);
    expect(job.out).toContain("new cluster: creating the platform superuser");
    expect(job.out).toContain("schema applied");
    // Data written in the founder before the second region exists: only a rebuild brings it over.
    const writer = await connect(US, TELEMETRY_CASSANDRA_ROLES.command.name, rolePasswords[TELEMETRY_CASSANDRA_ROLES.command.name]!);
    try {
      await writer.execute(
        "INSERT INTO telemetry.events (source, day, event_id, level, message) VALUES (?, ?, now(), 'info', 'before eu-west-1 joined')",
        [source, day],
        { prepare: true, consistency: types.consistencies.localQuorum },
      );
    } finally {
      await writer.shutdown();
    }
    // Plaintext CQL is refused: client encryption is not optional.
    const plain = new Client({
      contactPoints: [US.address],
      protocolOptions: { port: CQL_PORT },
      localDataCenter: US.dc,
      authProvider: new auth.PlainTextAuthProvider("platform", superPassword),
      socketOptions: { connectTimeout: 5000, readTimeout: 5000 },
    });
    await expect(plain.connect()).rejects.toThrow();
    await plain.shutdown();
  }, LONG);

  it("eu-west-1 joins over encrypted gossip; its schema Job logs in through the founder and keeps both DCs", async () => {
    const t0 = Date.now();
    await cassandra(EU, "start");
    timings.joiningNodeUpSeconds = (Date.now() - t0) / 1000;
    const status = await nodetoolStatus();
    expect(status).toMatch(new RegExp(`Datacenter: eu-west-1[\\s\\S]*UN\\s+${re(EU.address)}`));
    expect(status).toMatch(new RegExp(`Datacenter: us-east-1[\\s\\S]*UN\\s+${re(US.address)}`));
    // npm run cassandra:replace-node reads the same output to find a dead node.
    expect(parseNodetoolStatus(status).sort((a, b) => a.address.localeCompare(b.address))).toEqual([
      { state: "U", address: US.address, dataCenter: "us-east-1" },
      { state: "U", address: EU.address, dataCenter: "eu-west-1" },
    ]);
    // Node starts only (the founder's Job ran in between): both up and gossiping as two DCs.
    timings.ringFormedSeconds = timings.founderNodeUpSeconds! + (Date.now() - t0) / 1000;
    console.log(`[ring] two data centres formed in ${timings.ringFormedSeconds.toFixed(1)}s (founder node ${timings.founderNodeUpSeconds}s, joining node up ${timings.joiningNodeUpSeconds}s, UN in both DCs ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    const log = readFileSync(join(EU.dir, "logs/system.log"), "utf8");
    expect(log).toMatch(new RegExp(`${re(US.address)}:\\d+.*encryption = encrypted`));
    expect(log).not.toMatch(/encryption = unencrypted/);

    // Local host first, then the founder's seed, as the stack renders CQL_HOSTS.
    const job = await runJob(eu.schemaScript, EU, `${EU.address} ${US.address}`, { "schema.cql": rf1(eu.schemaCql) });
    expect(job.status, job.out).toBe(0);
    expect(job.out).not.toContain("new cluster");
    expect(job.out).toContain("schema applied");
  }, LONG);

  it("the rebuild Job streams eu-west-1 from us-east-1 once per node (idempotent)", async () => {
    expect(eu.rebuildScript, "prod-eu-west-1 renders a rebuild Job").toBeDefined();
    expect(us.rebuildScript, "the founder has nothing to rebuild from").toBeUndefined();
    const rebuildEnv = { REBUILD_NODES: EU.address, DATA_CENTER: "eu-west-1", SOURCE_DATA_CENTER: "us-east-1" };
    const first = await runJob(eu.rebuildScript!, EU, `${EU.address} ${US.address}`, {}, rebuildEnv);
    expect(first.status, first.out).toBe(0);
    expect(first.out).toMatch(new RegExp(`rebuilding node ${re(EU.address)} \\(.+\\) from data centre us-east-1`));
    expect(first.out).toContain(`node ${EU.address} rebuilt`);
    const again = await runJob(eu.rebuildScript!, EU, `${EU.address} ${US.address}`, {}, rebuildEnv);
    expect(again.status, again.out).toBe(0);
    expect(again.out).toMatch(new RegExp(`node ${re(EU.address)} \\(.+\\) already rebuilt`));
    expect(again.out).not.toContain("rebuilding node");
  }, LONG);

  it("an app role logs in in eu-west-1 and reads at LOCAL_ONE what was written through us-east-1", async () => {
    const writer = await connect(US, TELEMETRY_CASSANDRA_ROLES.command.name, rolePasswords[TELEMETRY_CASSANDRA_ROLES.command.name]!);
    try {
      await writer.execute(
        "INSERT INTO telemetry.events (source, day, event_id, level, message) VALUES (?, ?, now(), 'info', 'after eu-west-1 joined')",
        [source, day],
        { prepare: true, consistency: types.consistencies.localQuorum },
      );
    } finally {
      await writer.shutdown();
    }
    // The login itself reads system_auth at LOCAL_QUORUM in eu-west-1: it works only once rebuilt.
    // The telemetry app's own driver options, as the prod Deployment configures them: TLS
    // verified against the client Service's name (the CA comes from NODE_EXTRA_CA_CERTS in the
    // pod; here it is passed in, NODE_EXTRA_CA_CERTS being read at process start only).
    const config = loadTelemetryConfig({
      [TELEMETRY_ENV.role]: "query",
      [TELEMETRY_ENV.contactPoints]: EU.address,
      [TELEMETRY_ENV.cassandraPort]: String(CQL_PORT),
      [TELEMETRY_ENV.localDataCenter]: EU.dc,
      [TELEMETRY_ENV.username]: TELEMETRY_CASSANDRA_ROLES.query.name,
      [TELEMETRY_ENV.password]: rolePasswords[TELEMETRY_CASSANDRA_ROLES.query.name]!,
      [TELEMETRY_ENV.tls]: "true",
      [TELEMETRY_ENV.tlsServerName]: "cassandra-client.platform.svc.cluster.local",
      // As the Deployment gets them from Secret cassandra-client-tls.
      [TELEMETRY_ENV.tlsCert]: clientCert().cert,
      [TELEMETRY_ENV.tlsKey]: clientCert().key,
    });
    const app = clientOptions(config);
    const reader = new Client({ ...app, sslOptions: { ...app.sslOptions, ca: [readFileSync(join(EU.dir, "tls", "ca.pem"))] } });
    await reader.connect();
    try {
      let messages: string[] = [];
      for (let i = 0; i < 20; i++) {
        const rows = await reader.execute("SELECT message FROM telemetry.events WHERE source = ? AND day = ?", [source, day], { prepare: true, consistency: types.consistencies.localOne });
        messages = rows.rows.map((r) => r["message"] as string).sort();
        if (messages.length === 2) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(messages).toEqual(["after eu-west-1 joined", "before eu-west-1 joined"]);
      const coordinator = await reader.execute("SELECT data_center FROM system.local", [], { consistency: types.consistencies.localOne });
      expect(coordinator.rows[0]!["data_center"]).toBe("eu-west-1");
    } finally {
      await reader.shutdown();
    }
  }, LONG);

  it("a TTL change re-runs the founder's Job (it declares only us-east-1): no keyspace loses eu-west-1, the TTL applies", async () => {
    const job = await runJob(usShorterTtl.schemaScript, US, US.address, { "schema.cql": rf1(usShorterTtl.schemaCql) });
    expect(job.status, job.out).toBe(0);
    expect(job.out).toContain("keeping data centre eu-west-1 in telemetry (not declared by this stack)");
    expect(job.out).toContain("keeping data centre eu-west-1 in system_auth (not declared by this stack)");
    for (const n of NODES) {
      const client = await connect(n, "platform", superPassword);
      try {
        const replication = await replicationOf(client);
        for (const ks of ["system_auth", "system_distributed", "system_traces", "telemetry", "platform_ops"]) {
          expect(replication[ks], `${ks} seen from ${n.dc}`).toMatchObject({ class: "org.apache.cassandra.locator.NetworkTopologyStrategy", "us-east-1": "1", "eu-west-1": "1" });
        }
        const t = await client.execute("SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = 'telemetry' AND table_name = 'events'");
        expect(t.rows[0]!["default_time_to_live"], n.dc).toBe(7 * 86_400);
      } finally {
        await client.shutdown();
      }
    }
  }, LONG);
  it("a node that lost its volume comes back as a replacement (replace_address_first_boot) and serves its data again", async () => {
    await cassandra(EU, "stop");
    for (const d of ["data", "commitlog", "saved_caches", "hints"]) rmSync(join(EU.dir, d), { recursive: true, force: true });
    // What npm run cassandra:replace-node reads: the dead node, Down in its data centre.
    let dead = "";
    for (let i = 0; i < 60 && !dead; i++) {
      dead = parseNodetoolStatus(await nodetoolStatus()).find((n) => n.state === "D" && n.dataCenter === "eu-west-1")?.address ?? "";
      if (!dead) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(dead).toBe(EU.address);
    const t0 = Date.now();
    // As the pod starts when listed in the cassandra-replace ConfigMap: the init container's
    // replace_address_first_boot flag, and the start script drops the pod from its own seeds —
    // a seed never bootstraps, and Cassandra refuses a replacement without bootstrap.
    await cassandra(EU, "start", { CASSANDRA_JVM_EXTRA_OPTS: `-Dcassandra.replace_address_first_boot=${dead}`, CASSANDRA_SEEDS: `${US.address}:${STORAGE_PORT}` });
    timings.replaceSeconds = (Date.now() - t0) / 1000;
    console.log(`[ring] eu-west-1 node replaced on an empty volume in ${timings.replaceSeconds.toFixed(1)}s`);
    expect(readFileSync(join(EU.dir, "logs/system.log"), "utf8")).toMatch(/replac/i);
    expect(parseNodetoolStatus(await nodetoolStatus()).map((n) => `${n.state} ${n.address} ${n.dataCenter}`).sort()).toEqual([`U ${US.address} us-east-1`, `U ${EU.address} eu-west-1`]);
    // Not empty: the login (system_auth) and the rows came back by streaming from the replicas.
    const reader = await connect(EU, "platform", superPassword);
    try {
      const rows = await reader.execute("SELECT message FROM telemetry.events WHERE source = ? AND day = ?", [source, day], { prepare: true, consistency: types.consistencies.localOne });
      expect(rows.rows.map((r) => r["message"] as string).sort()).toEqual(["after eu-west-1 joined", "before eu-west-1 joined"]);
    } finally {
      await reader.shutdown();
    }
  }, LONG);
});
