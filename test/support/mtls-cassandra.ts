/**
 * A real single Cassandra node with client encryption and `require_client_auth: true`, as the
 * stacks render it when the CQL port is published (components/cassandra/encryption.ts), with
 * password auth and the functions' least-privilege role. Certificates come from openssl,
 * standing in for @pulumi/tls: the cluster CA, the node's (PKCS#8 key + certificate in one
 * keystore, as the Secret holds it), the functions' client certificate signed by the CA, and a
 * client certificate of another CA (a stranger's). Used by the functions' live test and bench.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client, type ClientOptions } from "cassandra-driver";
import { encryptionYaml } from "../../components/cassandra/encryption";
import { appRoleGrants } from "../../components/cassandra/roles";
import { TELEMETRY_ENV } from "../../apps/telemetry/src/config/keys";
import { renderSchemaCql, splitCqlStatements } from "../../apps/telemetry/src/schema";

const ROOT = join(__dirname, "..", "..");

export interface MtlsNode {
  readonly address: string;
  readonly cqlPort: number;
  readonly keyspace: string;
  readonly dataCenter: string;
  /** The name the node certificate is issued for (the public endpoint's DNS name in the stacks). */
  readonly serverName: string;
  readonly role: { readonly name: string; readonly password: string };
  readonly pem: { readonly ca: string; readonly clientCert: string; readonly clientKey: string; readonly strangerCert: string; readonly strangerKey: string };
  /** Superuser client (with the functions' certificate) for setup and for checking the table. */
  admin(): Client;
  stop(): Promise<void>;
}

export interface MtlsNodeOptions {
  readonly address?: string;
  readonly cqlPort?: number;
  readonly storagePort?: number;
  readonly stateDir?: string;
  readonly heap?: string;
}

/** The stand-in for @pulumi/tls, in `dir`. */
function issueCertificates(dir: string, address: string, serverName: string): void {
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const ca = (name: string) =>
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "1", "-subj", `/CN=${name} Cassandra CA`, "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  const leaf = (name: string, caName: string, ext: string) => {
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.pem`, "-CAkey", `${caName}.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
  };
  ca("cluster");
  ca("stranger-ca");
  leaf("node", "cluster", `subjectAltName=DNS:${serverName},IP:${address}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  leaf("functions", "cluster", "extendedKeyUsage=clientAuth\n");
  leaf("stranger", "stranger-ca", "extendedKeyUsage=clientAuth\n");
  mkdirSync(join(dir, "tls"), { recursive: true });
  writeFileSync(join(dir, "tls", "keystore.pem"), Buffer.concat([ssl("pkcs8", "-topk8", "-nocrypt", "-in", "node.key"), readFileSync(join(dir, "node.crt"))]));
  writeFileSync(join(dir, "tls", "ca.pem"), readFileSync(join(dir, "cluster.pem")));
}

export async function startMtlsCassandra(o: MtlsNodeOptions = {}): Promise<MtlsNode> {
  const address = o.address ?? process.env["FUNCTIONS_MTLS_ADDRESS"] ?? "127.0.0.31";
  const cqlPort = o.cqlPort ?? Number(process.env["FUNCTIONS_MTLS_CQL_PORT"] ?? 9742);
  const storagePort = o.storagePort ?? Number(process.env["FUNCTIONS_MTLS_STORAGE_PORT"] ?? 7700);
  const state = o.stateDir ?? join(ROOT, ".state", "functions-mtls");
  const serverName = "cassandra.functions.platform.test";
  const pki = join(state, "pki");
  rmSync(pki, { recursive: true, force: true });
  issueCertificates(pki, address, serverName);
  const tlsDir = join(pki, "tls");
  // What the StatefulSet appends to cassandra.yaml with the public endpoint on, pointed at this dir.
  writeFileSync(join(state, "encryption.yaml"), encryptionYaml(tlsDir, false, true));
  const env = {
    ...process.env,
    CASSANDRA_AUTH: "password",
    CASSANDRA_ADDRESS: address,
    CASSANDRA_CQL_PORT: String(cqlPort),
    CASSANDRA_STORAGE_PORT: String(storagePort),
    CASSANDRA_STATE_DIR: join(state, "node"),
    CASSANDRA_HEAP: o.heap ?? "512M",
    CASSANDRA_EXTRA_YAML: join(state, "encryption.yaml"),
    CASSANDRA_CLIENT_TLS_CA: join(tlsDir, "ca.pem"),
    CASSANDRA_CLIENT_TLS_CERT: join(pki, "functions.crt"),
    CASSANDRA_CLIENT_TLS_KEY: join(pki, "functions.key"),
    CASSANDRA_START_TIMEOUT_S: "300",
  };
  const script = join(ROOT, "scripts", "cassandra.sh");
  // A node left by an earlier run has other certificates: start from a clean data dir.
  await promisify(execFile)("bash", [script, "stop", "--kill"], { env }).catch(() => undefined);
  rmSync(join(state, "node"), { recursive: true, force: true });
  await promisify(execFile)("bash", [script, "start"], { env, maxBuffer: 16 * 1024 * 1024 });

  const read = (f: string) => readFileSync(join(pki, f), "utf8");
  const pem = { ca: read("cluster.pem"), clientCert: read("functions.crt"), clientKey: read("functions.key"), strangerCert: read("stranger.crt"), strangerKey: read("stranger.key") };
  const keyspace = "telemetry_fn";
  const dataCenter = "datacenter1";
  const role = { name: "telemetry_functions", password: `fn-${Date.now().toString(36)}` };
  const tls = (serverName: string) => ({ ca: [pem.ca], cert: pem.clientCert, key: pem.clientKey, servername: serverName, rejectUnauthorized: true });
  const admin = () =>
    new Client({
      contactPoints: [address],
      protocolOptions: { port: cqlPort },
      localDataCenter: dataCenter,
      credentials: { username: "cassandra", password: "cassandra" },
      sslOptions: { ...tls(serverName), checkServerIdentity: () => undefined } as ClientOptions["sslOptions"],
    });
  const setup = await connectAdmin(admin);
  try {
    for (const s of splitCqlStatements(renderSchemaCql({ keyspace, replication: { [dataCenter]: 1 }, defaultTtlSeconds: 86_400 }))) await setup.execute(s);
    await setup.execute(`CREATE ROLE IF NOT EXISTS ${role.name} WITH PASSWORD = '${role.password}' AND LOGIN = true AND SUPERUSER = false`);
    for (const g of appRoleGrants(keyspace, { name: role.name, access: "readWrite" }).split("; ")) await setup.execute(g);
  } finally {
    await setup.shutdown();
  }
  return {
    address,
    cqlPort,
    keyspace,
    dataCenter,
    serverName,
    role,
    pem,
    admin,
    stop: async () => {
      await promisify(execFile)("bash", [script, "stop"], { env });
    },
  };
}

/** The default superuser exists a few seconds after CQL opens (system_auth setup): retry the login. */
async function connectAdmin(admin: () => Client): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    const c = admin();
    try {
      await c.connect();
      return c;
    } catch (err) {
      await c.shutdown().catch(() => undefined);
      if (attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** The functions' environment as the stacks set it on Vercel (TLS + client certificate + the role). */
export function functionsCassandraEnv(n: MtlsNode): Record<string, string> {
  return {
    [TELEMETRY_ENV.contactPoints]: n.address,
    [TELEMETRY_ENV.cassandraPort]: String(n.cqlPort),
    [TELEMETRY_ENV.localDataCenter]: n.dataCenter,
    [TELEMETRY_ENV.keyspace]: n.keyspace,
    [TELEMETRY_ENV.username]: n.role.name,
    [TELEMETRY_ENV.password]: n.role.password,
    [TELEMETRY_ENV.tls]: "true",
    [TELEMETRY_ENV.tlsServerName]: n.serverName,
    [TELEMETRY_ENV.tlsCa]: n.pem.ca,
    [TELEMETRY_ENV.tlsCert]: n.pem.clientCert,
    [TELEMETRY_ENV.tlsKey]: n.pem.clientKey,
    // As on Vercel, where the contact point is the NLB (here the node itself stands in for it).
    [TELEMETRY_ENV.viaLoadBalancer]: "true",
  };
}
