/**
 * Ingest benchmark: events/s through the real ingest handler (api/ingest, module-scope client)
 * into the local Cassandra, side by side in one run with the naive handler (new client per
 * request). Requests carry 100 events; the shared-client handler is measured at a few client
 * concurrencies and the best one whose p99 stays within budget is reported.
 *
 *   npm run bench:ingest      (starts Cassandra via scripts/cassandra.sh if needed)
 *
 * Last line of output: {"bench":"ingest","events_per_s":N,"naive_events_per_s":M,"ratio":R,"p99_ms":P}
 */
import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Client } from "cassandra-driver";
import { Pool } from "undici";
import { renderSchemaCql, splitCqlStatements } from "../../apps/telemetry/src/schema.js";
import { naiveIngestHandler } from "./naive.js";

const ROOT = join(__dirname, "..", "..");
const KEYSPACE = "telemetry_bench";
const DC = "datacenter1";
const PORT = Number(process.env["CASSANDRA_CQL_PORT"] ?? 9042);
const EVENTS_PER_REQUEST = 100;
const SOURCES = 64;
const P99_BUDGET_MS = 50;
const TRIAL_S = Number(process.env["BENCH_TRIAL_S"] ?? 6);
const MEASURE_S = Number(process.env["BENCH_MEASURE_S"] ?? 24);
const NAIVE_S = Number(process.env["BENCH_NAIVE_S"] ?? 15);
const ROUNDS = 3;
const CONCURRENCIES = (process.env["BENCH_CONCURRENCY"] ?? "2,4,8,16").split(",").map(Number);

Object.assign(process.env, {
  CASSANDRA_CONTACT_POINTS: "127.0.0.1",
  CASSANDRA_PORT: String(PORT),
  CASSANDRA_LOCAL_DC: DC,
  CASSANDRA_KEYSPACE: KEYSPACE,
  LOG_LEVEL: process.env["LOG_LEVEL"] ?? "error",
});

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const script = join(ROOT, "scripts", "cassandra.sh");

/** Starts Cassandra if needed (returns whether we started it) and creates the bench keyspace. */
async function prepareCassandra(): Promise<boolean> {
  const launched = execFileSync("bash", [script, "start"], { stdio: ["ignore", "pipe", "inherit"] }).toString().trim() === "launched";
  const admin = new Client({ contactPoints: ["127.0.0.1"], protocolOptions: { port: PORT }, localDataCenter: DC });
  await admin.connect();
  for (const s of splitCqlStatements(renderSchemaCql({ keyspace: KEYSPACE, replication: { [DC]: 1 }, defaultTtlSeconds: 86400 }))) {
    await admin.execute(s);
  }
  await admin.execute(`TRUNCATE ${KEYSPACE}.events`);
  await admin.shutdown();
  return launched;
}

async function serve(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => void handler(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

let seq = 0;
function makeBody(): Buffer {
  const source = `bench-src-${seq % SOURCES}`;
  const ts = Date.now();
  const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => ({
    level: i % 10 === 0 ? "error" : "info",
    message: `request ${seq} event ${i}: GET /api/items/${i} completed in ${i % 37} ms with status 200 from upstream cache`,
    source,
    timestamp: ts,
    metadata: { region: "local", host: `pod-${seq % 7}`, route: "/api/items" },
  }));
  seq++;
  return Buffer.from(JSON.stringify({ events }));
}

/**
 * Unique request bodies made before a phase starts, so the load generator (same process and
 * event loop as the handler) spends its time sending, not serialising.
 */
let bodies: Buffer[] = [];
function prepareBodies(count: number): void {
  bodies = Array.from({ length: count }, makeBody);
}
function nextBody(): Buffer {
  return bodies.pop() ?? makeBody();
}

interface Sample {
  latencies: number[];
  failed: number;
  seconds: number;
  /** CPU ms used during the phase by this process (handler + load generator) and by Cassandra. */
  nodeCpuMs: number;
  cassandraCpuMs: number;
}

/** Cassandra's CPU time (ms) from /proc, so cost per event can be reported independent of load. */
function cassandraCpuMs(): number {
  try {
    const pid = readFileSync(join(ROOT, ".state", "cassandra", "cassandra.pid"), "utf8").trim();
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

interface Result {
  requests: number;
  failed: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
}

function summarize(samples: Sample[]): Result {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : NaN);
  return {
    requests: latencies.length,
    failed: samples.reduce((n, s) => n + s.failed, 0),
    events_per_s: Math.round((latencies.length * EVENTS_PER_REQUEST) / seconds),
    p50_ms: Number(pct(0.5).toFixed(1)),
    p99_ms: Number(pct(0.99).toFixed(1)),
  };
}

/** Closed-loop load: `concurrency` workers each sending one request at a time for `seconds`. */
async function load(origin: string, concurrency: number, seconds: number): Promise<Sample> {
  prepareBodies(Math.ceil(seconds * 400));
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const payload = nextBody();
      const t0 = performance.now();
      const res = await pool.request({ path: "/api/ingest", method: "POST", headers: { "content-type": "application/json" }, body: payload });
      await res.body.dump();
      const dt = performance.now() - t0;
      if (res.statusCode === 202) latencies.push(dt);
      else failed++;
    }
  };
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const cass0 = cassandraCpuMs();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cassandraMs = cassandraCpuMs() - cass0;
  await pool.close();
  return { latencies, failed, seconds: elapsed, nodeCpuMs: (cpu.user + cpu.system) / 1000, cassandraCpuMs: cassandraMs };
}

async function main(): Promise<void> {
  const startedCassandra = await prepareCassandra();
  // Imported after the env is set; the handler connects lazily on its first request.
  const ingest = (await import("../../apps/telemetry/api/ingest.js")).default as unknown as Handler;
  const { sharedClient } = await import("../../apps/telemetry/src/client.js");
  const shared = await serve(ingest);

  await load(shared.origin, 8, 8); // warm-up: JIT (Node and a freshly started Cassandra), prepared statements
  const trials: { concurrency: number; r: Result }[] = [];
  for (const c of CONCURRENCIES) {
    const r = summarize([await load(shared.origin, c, TRIAL_S)]);
    console.log(`shared client  concurrency=${c}: ${JSON.stringify(r)}`);
    trials.push({ concurrency: c, r });
  }
  // Highest throughput whose short trial kept p99 within 75% of the budget (headroom: the
  // longer measurement sees more tail), else within the budget; if none fits (a loaded machine,
  // where the tail is scheduling noise), the highest throughput.
  const ok = trials.filter((t) => t.r.failed === 0);
  const withHeadroom = ok.filter((t) => t.r.p99_ms <= P99_BUDGET_MS * 0.75);
  const fitting = withHeadroom.length ? withHeadroom : ok.filter((t) => t.r.p99_ms <= P99_BUDGET_MS);
  const pick = (fitting.length ? fitting : ok.length ? ok : trials).reduce((a, b) => (b.r.events_per_s > a.r.events_per_s ? b : a));
  const concurrency = pick.concurrency;

  const naive = await serve(
    naiveIngestHandler({ contactPoint: "127.0.0.1", port: PORT, localDataCenter: DC, keyspace: KEYSPACE }),
  );
  // Interleaved rounds, so both handlers see the same (noisy, shared) machine.
  const sharedSamples: Sample[] = [];
  const naiveSamples: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    sharedSamples.push(await load(shared.origin, concurrency, MEASURE_S / ROUNDS));
    naiveSamples.push(await load(naive.origin, concurrency, NAIVE_S / ROUNDS));
  }
  const final = summarize(sharedSamples);
  const naiveResult = summarize(naiveSamples);
  console.log(`shared client  concurrency=${concurrency} (${ROUNDS} rounds, ${MEASURE_S}s): ${JSON.stringify(final)}`);
  console.log(`naive handler  concurrency=${concurrency} (${ROUNDS} rounds, ${NAIVE_S}s): ${JSON.stringify(naiveResult)}`);
  // Wall-clock rates depend on what else runs on the machine; CPU per event does much less.
  for (const [name, samples] of [["shared", sharedSamples], ["naive", naiveSamples]] as const) {
    const events = samples.reduce((n, s) => n + s.latencies.length, 0) * EVENTS_PER_REQUEST;
    const nodeMs = samples.reduce((n, s) => n + s.nodeCpuMs, 0);
    const cassMs = samples.reduce((n, s) => n + s.cassandraCpuMs, 0);
    const perK = (ms: number) => Number(((ms / events) * 1000).toFixed(1));
    console.log(
      `${name.padEnd(6)} cpu per 1000 events: node ${perK(nodeMs)} ms (incl. load generator), cassandra ${perK(cassMs)} ms` +
        ` => ~${Math.round((2000 / perK(nodeMs + cassMs)) * 1000)} events/s on 2 idle cores`,
    );
  }
  console.log(`load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`);

  console.log(`connects by the shared-client handler: ${sharedClient.stats().connects}`);
  await new Promise((r) => shared.server.close(r));
  await new Promise((r) => naive.server.close(r));
  await sharedClient.close();
  if (startedCassandra) execFileSync("bash", [script, "stop"], { stdio: "inherit" });

  if (final.failed > 0 || naiveResult.failed > 0 || final.requests === 0) {
    // E.g. Cassandra stopped by another user of the shared local node mid-run.
    console.log(`bench invalid: ${final.failed} shared / ${naiveResult.failed} naive requests failed`);
    process.exitCode = 1;
  }
  const ratio = naiveResult.events_per_s > 0 ? final.events_per_s / naiveResult.events_per_s : Infinity;
  console.log(
    JSON.stringify({
      bench: "ingest",
      events_per_s: final.events_per_s,
      naive_events_per_s: naiveResult.events_per_s,
      ratio: Number(ratio.toFixed(1)),
      p99_ms: final.p99_ms,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
