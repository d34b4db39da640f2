import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Client, type ClientOptions } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, FUNCTION_AUTH_TEST_ENV } from "../../support/function-tokens";
import { functionsCassandraEnv, startMtlsCassandra, type MtlsNode } from "../../support/mtls-cassandra";

// The browser path end to end on a real Cassandra with client encryption and
// `require_client_auth: true` (the yaml the stacks render with the public endpoint on): the
// real function handlers (the modules the Vercel build bundles), configured the way the stacks
// configure them on Vercel (cluster CA, client certificate + key, the functions' own role),
// ingest and query; strangers at the TLS layer and at the token layer get nothing in.
type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
let node: MtlsNode;
let admin: Client;
let server: Server;
let url: string;
let shared: { close(): Promise<void> };
const day = new Date().toISOString().slice(0, 10);
const source = `fn-${Date.now().toString(36)}`;
// The handlers read process.env; files share one process here (single fork): put it back after.
const savedEnv = { ...process.env };

beforeAll(async () => {
  node = await startMtlsCassandra();
  Object.assign(process.env, functionsCassandraEnv(node), FUNCTION_AUTH_TEST_ENV, { LOG_LEVEL: "silent" });
  const ingest = (await import("../../../apps/telemetry/api/ingest")).default as Handler;
  const query = (await import("../../../apps/telemetry/api/query")).default as Handler;
  shared = (await import("../../../apps/telemetry/src/client")).sharedClient;
  // A stand-in for Vercel's router: each request is one invocation of the function's handler.
  server = createServer((req, res) => void (req.url!.startsWith("/api/ingest") ? ingest : query)(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  admin = node.admin();
  await admin.connect();
}, 600_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await shared?.close();
  await admin?.shutdown();
  await node?.stop();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
}, 120_000);

const post = (authorization: string | undefined, events: object[]) =>
  fetch(`${url}/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ events }),
  });
const rowsOf = async (s: string) => (await admin.execute(`SELECT count(*) FROM ${node.keyspace}.events WHERE source = ? AND day = ?`, [s, day], { prepare: true })).first()!["count"].toNumber();

/** A direct driver connection with the given TLS settings (or none): does the node let it in? */
async function connects(sslOptions: ClientOptions["sslOptions"] | undefined): Promise<string> {
  const c = new Client({
    contactPoints: [node.address],
    protocolOptions: { port: node.cqlPort },
    localDataCenter: node.dataCenter,
    credentials: { username: node.role.name, password: node.role.password },
    sslOptions,
    socketOptions: { connectTimeout: 5000, readTimeout: 5000 },
  });
  try {
    await c.connect();
    return "connected";
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  } finally {
    await c.shutdown().catch(() => undefined);
  }
}
const tls = (extra: object) => ({ ca: [node.pem.ca], rejectUnauthorized: true, checkServerIdentity: () => undefined, ...extra }) as ClientOptions["sslOptions"];

describe("Vercel functions → Cassandra with mutual TLS", () => {
  it("ingest and query through the real handlers with the client certificate; the cold connect is reported", async () => {
    const authorization = await bearer({ sub: "alice", sources: [source] });
    const ts = Date.now();
    const written = await post(authorization, [1, 2, 3].map((i) => ({ level: "info", message: `m${i}`, source, timestamp: ts + i })));
    expect(written.status, await written.clone().text()).toBe(202);
    expect(written.headers.get("server-timing")).toMatch(/^cassandra-connect;dur=\d+(\.\d)?$/);
    const read = await fetch(`${url}/api/query?source=${source}&day=${day}`, { headers: { authorization } });
    expect(read.status).toBe(200);
    expect(read.headers.get("server-timing")).toBeNull(); // warm: the instance's client is reused
    expect(((await read.json()) as { events: { message: string }[] }).events.map((e) => e.message)).toEqual(["m3", "m2", "m1"]);
    expect(await rowsOf(source)).toBe(3);
  });

  it("the node refuses a client without a certificate, with one from another CA, and in plaintext", async () => {
    expect(await connects(tls({ cert: node.pem.clientCert, key: node.pem.clientKey }))).toBe("connected"); // the control
    expect(await connects(tls({}))).toMatch(/^refused/);
    expect(await connects(tls({ cert: node.pem.strangerCert, key: node.pem.strangerKey }))).toMatch(/^refused/);
    expect(await connects(undefined)).toMatch(/^refused/);
  });

  it.each([
    ["missing", async () => undefined, "missing_token"],
    ["expired", () => bearer({ sub: "mallory", sources: ["SRC"] }, { exp: Math.floor(Date.now() / 1000) - 600 }), "token_expired"],
    ["wrongly signed", () => bearer({ sub: "mallory", sources: ["SRC"] }, { secret: "f".repeat(64) }), "bad_signature"],
  ])("a %s token gets 401 with its reason, and nothing is written", async (_what, token, reason) => {
    const target = `${source}-${reason}`;
    const authorization = (await token())?.replace("SRC", target);
    const r = await post(authorization, [{ level: "error", message: "intruder", source: target }]);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: "unauthorized", reason });
    const q = await fetch(`${url}/api/query?source=${target}&day=${day}`, authorization ? { headers: { authorization } } : {});
    expect(q.status).toBe(401);
    expect(await rowsOf(target)).toBe(0);
  });

  it("a valid token for other sources gets 403 for this one: nothing written, nothing read", async () => {
    const victim = `${source}-victim`;
    await post(await bearer({ sub: "victim", sources: [victim] }), [{ level: "info", message: "private", source: victim }]);
    expect(await rowsOf(victim)).toBe(1);
    const mallory = await bearer({ sub: "mallory", sources: [`${source}-mallory`] });
    const w = await post(mallory, [{ level: "info", message: "mine", source: `${source}-mallory` }, { level: "error", message: "forged", source: victim }]);
    expect(w.status).toBe(403);
    expect(await w.json()).toMatchObject({ reason: "source_not_allowed", sources: [victim] });
    expect(await rowsOf(victim)).toBe(1);
    expect(await rowsOf(`${source}-mallory`)).toBe(0); // the whole batch was refused
    const r = await fetch(`${url}/api/query?source=${victim}&day=${day}`, { headers: { authorization: mallory } });
    expect(r.status).toBe(403);
    expect(await r.text()).not.toContain("private");
  });
});
