/**
 * `npm run restore` on an encrypted stack: medusa runs sstableloader with `--conf-path <the node's
 * cassandra.yaml>` and no keystore flags, so the load must get its TLS from the yaml's
 * `client_encryption_options` (CQL, for the ring) and `server_encryption_options` (streaming):
 * the prod block (`encryptionYaml`, PEM files), with client certificates required on the CQL
 * port (stacks with the public CQL endpoint) and without (CQL TLS only).
 * Real node on 127.0.0.41 with that block and openssl-issued stand-ins for the stack's CA and
 * node certificate; its SSTables are copied out, the table dropped and recreated empty, and
 * sstableloader (scripts/sstableloader.sh) is run with exactly medusa's argv. Without the yaml the
 * load is refused by the node (so TLS really was in the way); with it every row is back when the
 * nodes require client certificates. Without them the yaml names no client truststore and
 * sstableloader cannot start: `npm run restore` refuses those stacks, and this test says when that
 * stops being true.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, concurrent } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptionYaml } from "../../../components/cassandra/encryption";
import { DRILL } from "../../../scripts/backup/drill";

const run = promisify(execFile);
const ROOT = join(__dirname, "../../..");
const BASE = join(ROOT, ".state/restore-tls");
const TLS = join(BASE, "tls");
const [A] = DRILL.nodes;
const jmxPassword = randomBytes(12).toString("hex");

let STATE = BASE;
const cassandra = (...args: string[]) =>
  run("bash", [join(ROOT, "scripts/cassandra.sh"), ...args], {
    env: {
      ...process.env,
      CASSANDRA_ADDRESS: A.address,
      CASSANDRA_CQL_PORT: String(DRILL.cqlPort),
      CASSANDRA_STORAGE_PORT: String(DRILL.storagePort),
      CASSANDRA_JMX_PORT: String(A.jmxPort),
      CASSANDRA_JMX_PASSWORD_FILE: join(STATE, "jmxremote.password"),
      CASSANDRA_HEAP: "512M",
      CASSANDRA_STATE_DIR: join(STATE, "a"),
      CASSANDRA_DC: DRILL.dataCenter,
      CASSANDRA_CLUSTER_NAME: "restore-tls",
      CASSANDRA_SEEDS: `${A.address}:${DRILL.storagePort}`,
      CASSANDRA_EXTRA_YAML: join(STATE, "encryption.yaml"),
      CASSANDRA_CLIENT_TLS_CA: join(TLS, "ca.pem"),
      CASSANDRA_CLIENT_TLS_CERT: join(TLS, "node.crt"),
      CASSANDRA_CLIENT_TLS_KEY: join(TLS, "node.key"),
    },
    maxBuffer: 1 << 24,
  });

/** The stand-in for @pulumi/tls: a CA, a node key (PKCS#8) + certificate for server and client use, as the stacks issue. */
function issueCertificates(): void {
  mkdirSync(TLS, { recursive: true });
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: TLS, stdio: ["ignore", "pipe", "pipe"] });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=restore-tls CA", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "node.key", "-out", "node.csr", "-subj", "/CN=cassandra.us-east-1");
  writeFileSync(join(TLS, "node.ext"), `subjectAltName=IP:${A.address}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  ssl("x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "node.crt", "-days", "1", "-extfile", "node.ext");
  writeFileSync(join(TLS, "keystore.pem"), Buffer.concat([ssl("pkcs8", "-topk8", "-nocrypt", "-in", "node.key"), readFileSync(join(TLS, "node.crt"))]));
}

const TABLE = "CREATE TABLE tls_drill.rows (id int PRIMARY KEY, payload text)";

async function rowsAndChecksum(c: Client): Promise<{ rows: number; checksum: string }> {
  const lines: [number, string][] = [];
  let pageState: string | undefined;
  do {
    const rs = await c.execute("SELECT id, payload FROM tls_drill.rows", [], { prepare: true, fetchSize: 1000, pageState });
    for (const r of rs.rows) lines.push([r.id as number, `${r.id}|${r.payload}`]);
    pageState = rs.pageState ?? undefined;
  } while (pageState);
  lines.sort((x, y) => x[0] - y[0]);
  const h = createHash("sha256");
  for (const [, l] of lines) h.update(`${l}\n`);
  return { rows: lines.length, checksum: h.digest("hex") };
}

beforeAll(() => {
  if (spawnSync("openssl", ["version"]).error) throw new Error("openssl not found: run `npm run setup`");
  rmSync(BASE, { recursive: true, force: true });
  issueCertificates();
});

describe.each([
  { requireClientCertificates: true, what: "client certificates required (public CQL endpoint)" },
  { requireClientCertificates: false, what: "CQL TLS without client certificates" },
])("npm run restore's sstableloader against a node with the prod TLS block: $what", ({ requireClientCertificates }) => {
  let client: Client;

  beforeAll(async () => {
    STATE = join(BASE, requireClientCertificates ? "mutual" : "server-only");
    mkdirSync(STATE, { recursive: true });
    writeFileSync(join(STATE, "jmxremote.password"), `platform_jmx ${jmxPassword}\n`, { mode: 0o600 });
    // The prod block: internode TLS all (mutual), client TLS.
    writeFileSync(join(STATE, "encryption.yaml"), encryptionYaml(TLS, false, requireClientCertificates));
    await cassandra("start");
    client = new Client({
      contactPoints: [`${A.address}:${DRILL.cqlPort}`],
      localDataCenter: DRILL.dataCenter,
      sslOptions: { ca: [readFileSync(join(TLS, "ca.pem"))], cert: readFileSync(join(TLS, "node.crt")), key: readFileSync(join(TLS, "node.key")), rejectUnauthorized: true },
    });
    await client.connect();
  }, 600_000);

  afterAll(async () => {
    await client?.shutdown();
    await cassandra("stop").catch(() => undefined);
  }, 300_000);

  it(requireClientCertificates ? "loads every row back over TLS from the yaml alone, and is refused without it" : "cannot load (no client truststore in the yaml): why npm run restore refuses these stacks", async () => {
    await client.execute(`CREATE KEYSPACE tls_drill WITH replication = {'class': 'NetworkTopologyStrategy', '${DRILL.dataCenter}': 1}`);
    await client.execute(TABLE);
    const params = Array.from({ length: 3000 }, (_, i) => [i, createHash("sha256").update(`row-${i}`).digest("hex").repeat(8)]);
    await concurrent.executeConcurrent(client, "INSERT INTO tls_drill.rows (id, payload) VALUES (?, ?)", params, { concurrencyLevel: 64 });
    const expected = await rowsAndChecksum(client);
    expect(expected.rows).toBe(3000);

    // The backup's files for this table, as medusa downloads them: <dir>/<keyspace>/<table>-<id>/.
    await cassandra("nodetool", "-h", A.address, "-p", String(A.jmxPort), "-u", "platform_jmx", "-pw", jmxPassword, "flush", "tls_drill", "rows");
    const tableDir = readdirSync(join(STATE, "a/data/tls_drill")).find((d) => d.startsWith("rows-"))!;
    const load = join(STATE, "load/tls_drill", tableDir);
    mkdirSync(load, { recursive: true });
    for (const f of readdirSync(join(STATE, "a/data/tls_drill", tableDir))) {
      const src = join(STATE, "a/data/tls_drill", tableDir, f);
      if (statSync(src).isFile()) cpSync(src, join(load, f));
    }
    expect(readdirSync(load).some((f) => f.endsWith("-Data.db"))).toBe(true);
    await client.execute("DROP TABLE tls_drill.rows");
    await client.execute(TABLE);
    expect((await rowsAndChecksum(client)).rows).toBe(0);

    // medusa's invoke_sstableloader argv (cql login "foo" when none is set; this node has no auth).
    const loader = (withYaml: boolean) =>
      spawnSync(
        "bash",
        [join(ROOT, "scripts/sstableloader.sh"), "-d", A.address, ...(withYaml ? ["--conf-path", join(STATE, "a/conf/cassandra.yaml")] : []), "--username", "foo", "--password", "foo", "--no-progress", "--port", String(DRILL.cqlPort), load, "--storage-port", String(DRILL.storagePort)],
        { encoding: "utf8", timeout: 300_000 },
      );
    const t0 = Date.now();
    const refused = loader(false);
    console.log(`[restore-tls] without the yaml: exit ${refused.status} after ${((Date.now() - t0) / 1000).toFixed(1)}s: ${(refused.stderr + refused.stdout).trim().split("\n").slice(-2).join(" | ")}`);
    expect(refused.status).not.toBe(0);
    expect((await rowsAndChecksum(client)).rows).toBe(0);

    const t1 = Date.now();
    const loaded = loader(true);
    console.log(`[restore-tls] with the yaml: exit ${loaded.status} after ${((Date.now() - t1) / 1000).toFixed(1)}s`);
    if (requireClientCertificates) {
      expect(loaded.status, loaded.stderr + loaded.stdout).toBe(0);
      expect(await rowsAndChecksum(client)).toEqual(expected);
    } else {
      // scripts/backup/restore.ts refuses these stacks for exactly this reason.
      expect(loaded.status).not.toBe(0);
      expect(loaded.stderr).toContain("Must provide truststore or trusted_certificates in configuration for PEMBasedSSlContextFactory");
      expect((await rowsAndChecksum(client)).rows).toBe(0);
    }
  }, 900_000);
});
