/**
 * Vercel functions benchmark: the real handlers (api/ingest, api/query) against a Cassandra
 * requiring client certificates (test/support/mtls-cassandra.ts: the node the live test uses,
 * on 127.0.0.31:9742 by default), each request carrying a verified JWT.
 *  - cold: the instance's client is closed before the invocation, so it pays what a fresh
 *    function instance pays: TCP + TLS handshake with the client certificate + password login +
 *    driver metadata, then the write (module code and JIT are warm: the pure connect cost);
 *  - warm: the same client reused (the common case).
 *
 *   npm run bench:functions      (starts and stops its own node)
 *
 * Last line of output: {"bench":"functions","cold_p50_ms":..,"cold_p99_ms":..,"connect_p50_ms":..,
 *   "warm_ingest_p50_ms":..,"warm_ingest_p99_ms":..,"warm_query_p50_ms":..,"warm_query_p99_ms":..}
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { cpus, loadavg } from "node:os";
import { bearer, FUNCTION_AUTH_TEST_ENV } from "../../test/support/function-tokens";
import { functionsCassandraEnv, startMtlsCassandra } from "../../test/support/mtls-cassandra";

const COLD = Number(process.env["BENCH_COLD"] ?? 20);
const WARM = Number(process.env["BENCH_WARM"] ?? 400);

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
};

async function main(): Promise<void> {
  const node = await startMtlsCassandra();
  try {
    Object.assign(process.env, functionsCassandraEnv(node), FUNCTION_AUTH_TEST_ENV, { LOG_LEVEL: "error" });
    const ingest = (await import("../../apps/telemetry/api/ingest")).default as Handler;
    const query = (await import("../../apps/telemetry/api/query")).default as Handler;
    const { sharedClient } = await import("../../apps/telemetry/src/client");
    const server = createServer((req, res) => void (req.url!.startsWith("/api/ingest") ? ingest : query)(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const source = `bench-${Date.now().toString(36)}`;
    const authorization = await bearer({ sub: "bench", sources: [source] }, { exp: Math.floor(Date.now() / 1000) + 3600 });
    const day = new Date().toISOString().slice(0, 10);
    let n = 0;
    const post = async () => {
      const t = performance.now();
      const r = await fetch(`${url}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({ events: [{ level: "info", message: `m${n++}`, source }] }),
      });
      await r.arrayBuffer();
      if (r.status !== 202) throw new Error(`ingest answered ${r.status}`);
      return { ms: performance.now() - t, connect: Number(/dur=([\d.]+)/.exec(r.headers.get("server-timing") ?? "")?.[1] ?? NaN) };
    };
    const get = async () => {
      const t = performance.now();
      const r = await fetch(`${url}/api/query?source=${source}&day=${day}&limit=20`, { headers: { authorization } });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`query answered ${r.status}`);
      return performance.now() - t;
    };

    const cold: number[] = [];
    const connect: number[] = [];
    for (let i = 0; i < COLD; i++) {
      await sharedClient.close(); // the next invocation connects like a fresh instance
      const r = await post();
      cold.push(r.ms);
      connect.push(r.connect);
    }
    for (let i = 0; i < 20; i++) await post(); // settle after the reconnects
    const warmIngest: number[] = [];
    const warmQuery: number[] = [];
    for (let i = 0; i < WARM; i++) {
      warmIngest.push((await post()).ms);
      warmQuery.push(await get());
    }
    await new Promise((r) => server.close(r));
    await sharedClient.close();
    console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}; cold n=${COLD}, warm n=${WARM} each (sequential)`);
    console.log(
      JSON.stringify({
        bench: "functions",
        cold_p50_ms: pct(cold, 50),
        cold_p99_ms: pct(cold, 99),
        connect_p50_ms: pct(connect, 50),
        warm_ingest_p50_ms: pct(warmIngest, 50),
        warm_ingest_p99_ms: pct(warmIngest, 99),
        warm_query_p50_ms: pct(warmQuery, 50),
        warm_query_p99_ms: pct(warmQuery, 99),
      }),
    );
  } finally {
    await node.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
