/**
 * Gateway benchmark: one run compares, against the same local upstream,
 *   direct        autocannon → upstream
 *   gateway       autocannon → gateway (stream route, uncached) → upstream
 *   cached        autocannon → gateway (buffered route, level-1 cache hit)
 *   nginx         autocannon → nginx (plain reverse proxy, keep-alive upstream) → upstream
 * then, at a fixed 2,000 requests/s, the latency the gateway adds over direct (p50, p99), and
 * what a custom domain (its dns-cache record in Redis, then level 1) adds over the public host;
 * last, the local-DNS fallback path (a registered domain with no Redis record), sequentially.
 * Upstream, gateway and nginx run as separate processes; autocannon (throughput, closed loop) runs
 * here; the fixed-rate latency is measured open-loop by vegeta (see fixed-rate.ts for why).
 * Last line of output: {"bench":"gateway",...}.
 *   npm run bench:gateway
 * Knobs: BENCH_ROUNDS (4), BENCH_DURATION (3 s per throughput run), BENCH_CONNECTIONS (50),
 * BENCH_LATENCY_ROUNDS (3), BENCH_LATENCY_DURATION (3 s per fixed-rate run). The machine is
 * shared, and other load only ever lowers throughput and raises latency, so: throughput is the
 * best of the interleaved rounds; added latency is the median, over rounds, of (gateway − direct)
 * measured back to back in the same round.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, openSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { request } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { setPriority } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { buildSync } from "esbuild";
import { CUSTOM_HOST, fallbackLatency, fillRedis, PUBLIC_HOST, startCustomDomainDns, type CustomDomainSetup } from "./custom-domains.js";
import { ensureVegeta, fixedRateLatency, type FixedRateResult } from "./fixed-rate.js";

const ROOT = resolve(__dirname, "../..");
const STATE = join(ROOT, ".state/bench/gateway");
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const LATENCY_DURATION = Number(process.env.BENCH_LATENCY_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const FIXED_RATE = 2000;
const REDIS_PORT = 6390;

/**
 * BENCH_NICE (unset by default): a scheduling priority (e.g. -10, needs root) given alike to this
 * process and every server it starts, to measure with less interference from other load.
 */
const NICE = process.env.BENCH_NICE ? Number(process.env.BENCH_NICE) : undefined;
function prioritise(pid: number | undefined): void {
  if (NICE === undefined || pid === undefined) return;
  try {
    setPriority(pid, NICE);
  } catch (err) {
    console.log(`could not set priority ${NICE} on ${pid}: ${(err as Error).message}`);
  }
}

const children: ChildProcess[] = [];
function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, "127.0.0.1");
  await once(srv, "listening");
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    request(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    })
      .on("error", () => resolve(0))
      .end();
  });
}

async function waitFor(url: string, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await get(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer 200 at ${url}`);
}

/** nginx is installed by `npm run setup` (scripts/apt-install.sh); the bench never installs it. */
function ensureNginx(): boolean {
  if (spawnSync("bash", ["-c", "command -v nginx"]).status === 0) return true;
  console.error("nginx is not installed: run `npm run setup`");
  process.exit(3);
}

async function startUpstream(): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "upstream.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  prioritise(child.pid);
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return Number(line.toString().trim());
}

const pids: Record<string, number[]> = {};

async function startGateway(upstreamPort: number, customDomainEnv: Record<string, string>): Promise<number> {
  const port = await freePort();
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const log = openSync(join(STATE, "gateway.log"), "w");
  // The same single-file esbuild bundle and node flags as the Docker image (apps/gateway/Dockerfile).
  const bundle = join(STATE, "gateway.js");
  buildSync({ entryPoints: [join(ROOT, "apps/gateway/src/main.ts")], bundle: true, platform: "node", target: "node20", sourcemap: true, legalComments: "none", outfile: bundle, logLevel: "warning" });
  const child = spawn(process.execPath, ["--enable-source-maps", bundle], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: String(port),
      REGION: "bench-1",
      STAGE: "bench",
      LOG_LEVEL: "info", // one AccessLog JSON line per request, written to a file (as in a pod, to stdout)
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(REDIS_PORT),
      ...customDomainEnv,
      ROUTES: JSON.stringify([
        { prefix: "/s", upstream, kind: "stream", auth: false },
        { prefix: "/b", upstream, kind: "buffered", auth: false, cacheTtlSeconds: 3600, staleSeconds: 3600 },
      ]),
    },
    stdio: ["ignore", log, "inherit"],
  });
  children.push(child);
  pids.gateway = [child.pid!];
  prioritise(child.pid);
  await waitFor(`http://127.0.0.1:${port}/readyz`, "gateway");
  return port;
}

async function startNginx(upstreamPort: number): Promise<number> {
  const port = await freePort();
  const dir = join(STATE, "nginx");
  mkdirSync(join(dir, "tmp"), { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `# generated by bench/gateway: a plain reverse proxy, one worker (the gateway is one Node process)
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  # nginx closes a keep-alive connection after 1,000 requests by default; Node's server never
  # does, so lift the limit on both sides to compare like with like.
  keepalive_requests 10000000;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream bench_upstream { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
    }
  }
}
`,
  );
  const child = spawn("nginx", ["-p", dir, "-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  await waitFor(`http://127.0.0.1:${port}/`, "nginx");
  const workers = spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
  pids.nginx = [child.pid!, ...workers];
  for (const pid of pids.nginx) prioritise(pid);
  return port;
}

interface Throughput {
  rps: number;
  errors: number;
  non2xx: number;
  /** CPU time the proxy process(es) spent per request, in µs: steadier than req/s on a busy machine. */
  cpuUsPerReq?: number;
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** utime + stime of the given processes, in µs (from /proc). */
function cpuMicros(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      /* process gone */
    }
  }
  return (ticks * 1e6) / CLK_TCK;
}

async function throughput(name: string, url: string, pids: number[] = [], headers?: Record<string, string>): Promise<Throughput> {
  const cpu0 = cpuMicros(pids);
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  const cpu = cpuMicros(pids) - cpu0;
  const out: Throughput = { rps: Math.round(r.requests.average), errors: r.errors + r.timeouts, non2xx: r.non2xx };
  if (pids.length && r.requests.total) out.cpuUsPerReq = Math.round((cpu / r.requests.total) * 10) / 10;
  console.log(
    `  ${name.padEnd(8)} ${String(out.rps).padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${out.errors}  non2xx ${out.non2xx}` +
      (out.cpuUsPerReq !== undefined ? `  proxy cpu ${out.cpuUsPerReq} µs/req` : ""),
  );
  return out;
}

/** Best round for req/s (the least disturbed by other load), summed failures, median CPU per request. */
function combine(runs: Throughput[]): Throughput {
  const cpus = runs.map((r) => r.cpuUsPerReq).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  return {
    rps: Math.max(...runs.map((r) => r.rps)),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    cpuUsPerReq: cpus.length ? cpus[Math.floor((cpus.length - 1) / 2)] : undefined,
  };
}

/** One fixed-rate run; a run that could not hold the rate or saw failures is reported, not hidden. */
async function fixedRate(vegeta: string, name: string, url: string, duration: number, headers?: Record<string, string>): Promise<FixedRateResult> {
  const r = await fixedRateLatency(vegeta, url, FIXED_RATE, duration, headers);
  if (r.sentRate < FIXED_RATE * 0.95) console.log(`  warning: ${name} was offered ${r.sentRate.toFixed(0)} req/s, not ${FIXED_RATE}`);
  if (r.success < 1) console.log(`  warning: ${name}: ${((1 - r.success) * 100).toFixed(2)}% failed (${JSON.stringify(r.statusCodes)} ${r.errors.slice(0, 3).join("; ")})`);
  return r;
}

async function main(): Promise<void> {
  mkdirSync(STATE, { recursive: true });
  if (NICE !== undefined) {
    prioritise(process.pid);
    console.log(`BENCH_NICE=${NICE}: bench, upstream, gateway and nginx all run at that priority`);
  }
  const haveNginx = ensureNginx();
  const redisStarted = spawnSync("bash", [join(ROOT, "scripts/redis.sh"), "status", String(REDIS_PORT)]).status !== 0;
  if (redisStarted) {
    spawnSync("bash", [join(ROOT, "scripts/redis.sh"), "start", String(REDIS_PORT)], { stdio: "inherit" });
  }
  let customDns: CustomDomainSetup | undefined;
  try {
    customDns = await startCustomDomainDns();
    await fillRedis(customDns, REDIS_PORT);
    const upstreamPort = await startUpstream();
    const gatewayPort = await startGateway(upstreamPort, customDns.env);
    const nginxPort = haveNginx ? await startNginx(upstreamPort) : 0;
    const direct = `http://127.0.0.1:${upstreamPort}/s/items?id=1`;
    const viaGateway = `http://127.0.0.1:${gatewayPort}/s/items?id=1`;
    const cachedUrl = `http://127.0.0.1:${gatewayPort}/b/items?id=1`;
    const viaNginx = `http://127.0.0.1:${nginxPort}/s/items?id=1`;
    if ((await get(cachedUrl)) !== 200) throw new Error("cached route did not answer 200");
    // `public` and `custom`: the uncached route with a Host header (the public host, a custom
    // domain); their CPU per request differs only by the custom-domain work, whatever the load.
    const targets: [string, string, number[], Record<string, string>?][] = [
      ["direct", direct, []],
      ["gateway", viaGateway, pids.gateway!],
      ["cached", cachedUrl, pids.gateway!],
      ["public", viaGateway, pids.gateway!, { host: PUBLIC_HOST }],
      ["custom", viaGateway, pids.gateway!, { host: CUSTOM_HOST }],
      ...(haveNginx ? ([["nginx", viaNginx, pids.nginx!]] as [string, string, number[]][]) : []),
    ];
    console.log("warm-up (JIT, connection pools, caches): 2s per target, 4s for the gateway's");
    for (const [name, url, , headers] of targets) await autocannon({ url, headers, connections: CONNECTIONS, duration: name === "direct" || name === "nginx" ? 2 : 4 });
    // Interleaved rounds, so a burst of load from elsewhere on the machine hits every target alike.
    const runs = new Map<string, Throughput[]>(targets.map(([name]) => [name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`throughput round ${round}/${ROUNDS}: ${CONNECTIONS} connections, ${DURATION}s per target`);
      for (const [name, url, p, headers] of targets) runs.get(name)!.push(await throughput(name, url, p, headers));
    }
    const d = combine(runs.get("direct")!);
    const gw = combine(runs.get("gateway")!);
    const c = combine(runs.get("cached")!);
    const n = haveNginx ? combine(runs.get("nginx")!) : undefined;
    const pub = combine(runs.get("public")!);
    const cus = combine(runs.get("custom")!);

    const latencyRounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? 3);
    console.log(
      `latency at a fixed ${FIXED_RATE} req/s (vegeta, open loop): ${latencyRounds} rounds of ${LATENCY_DURATION}s each direct, via the gateway` +
        (haveNginx ? ", via nginx (reference)" : ""),
    );
    // `gateway` is addressed by IP (an own host, no lookup); `public` and `custom` carry a Host:
    // the public host, and a custom domain whose record comes from Redis once, then level 1.
    const latencyTargets: [string, string, Record<string, string>?][] = [
      ["direct", direct],
      ["gateway", viaGateway],
      ["public", viaGateway, { Host: PUBLIC_HOST }],
      ["custom", viaGateway, { Host: CUSTOM_HOST }],
      ...(haveNginx ? ([["nginx", viaNginx]] as [string, string][]) : []),
    ];
    const vegeta = ensureVegeta();
    for (const [name, url, headers] of latencyTargets) await fixedRate(vegeta, name, url, 2, headers); // warm-up at the rate
    const added50: number[] = [];
    const added99: number[] = [];
    const nginx50: number[] = [];
    const nginx99: number[] = [];
    const custom50: number[] = [];
    const custom99: number[] = [];
    for (let round = 1; round <= latencyRounds; round++) {
      const r: Record<string, FixedRateResult> = {};
      for (const [name, url, headers] of latencyTargets) r[name] = await fixedRate(vegeta, name, url, LATENCY_DURATION, headers);
      custom50.push(r.custom!.p50Ms - r.public!.p50Ms);
      custom99.push(r.custom!.p99Ms - r.public!.p99Ms);
      const dr = r.direct!;
      const gr = r.gateway!;
      added50.push(gr.p50Ms - dr.p50Ms);
      added99.push(gr.p99Ms - dr.p99Ms);
      const fmt = (x: FixedRateResult) => `p50 ${x.p50Ms.toFixed(3)} p99 ${x.p99Ms.toFixed(3)} ms`;
      let line =
        `  round ${round}: direct ${fmt(dr)} | gateway ${fmt(gr)} (added ${(gr.p50Ms - dr.p50Ms).toFixed(3)} / ${(gr.p99Ms - dr.p99Ms).toFixed(3)})`;
      if (r.nginx) {
        const nr = r.nginx;
        nginx50.push(nr.p50Ms - dr.p50Ms);
        nginx99.push(nr.p99Ms - dr.p99Ms);
        line += ` | nginx ${fmt(nr)} (added ${(nr.p50Ms - dr.p50Ms).toFixed(3)} / ${(nr.p99Ms - dr.p99Ms).toFixed(3)})`;
      }
      line += ` | public ${fmt(r.public!)} | custom ${fmt(r.custom!)} (added ${(r.custom!.p50Ms - r.public!.p50Ms).toFixed(3)} / ${(r.custom!.p99Ms - r.public!.p99Ms).toFixed(3)})`;
      console.log(line + ` | sent ${Object.values(r).map((x) => x.sentRate.toFixed(0)).join("/")} req/s`);
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const fb = await fallbackLatency(viaGateway);
    console.log(
      `local-DNS fallback (registered domain, no Redis record; dnsmasq on loopback), ${process.env.BENCH_FALLBACK_DOMAINS ?? 300} sequential first requests: ` +
        `p50 ${fb.fallbackP50.toFixed(3)} p99 ${fb.fallbackP99.toFixed(3)} ms vs the public host p50 ${fb.publicP50.toFixed(3)} p99 ${fb.publicP99.toFixed(3)} ms`,
    );
    const logBytes = statSync(join(STATE, "gateway.log")).size;
    console.log(`gateway log: ${(logBytes / 1e6).toFixed(1)} MB of JSON lines (LOG_LEVEL=info, one AccessLog per request)`);
    const failures = [d, gw, c, pub, cus, n].filter(Boolean).reduce((s, t) => s + t!.errors + t!.non2xx, 0);
    if (failures) console.log(`warning: ${failures} failed or non-2xx responses during the throughput runs`);

    const round = (x: number) => Math.round(x * 1000) / 1000;
    const result = {
      bench: "gateway",
      direct_rps: d.rps,
      gateway_rps: gw.rps,
      cached_rps: c.rps,
      nginx_rps: n ? n.rps : null,
      added_p50_ms: round(median(added50)),
      added_p99_ms: round(median(added99)),
      custom_domain_added_p50_ms: round(median(custom50)),
      custom_domain_added_p99_ms: round(median(custom99)),
      public_cpu_us_per_req: pub.cpuUsPerReq ?? null,
      custom_domain_cpu_us_per_req: cus.cpuUsPerReq ?? null,
      dns_fallback_p50_ms: round(fb.fallbackP50),
      dns_fallback_p99_ms: round(fb.fallbackP99),
      dns_fallback_added_p50_ms: round(fb.fallbackP50 - fb.publicP50),
    };
    const checks = {
      "added p50 <= 1 ms": result.added_p50_ms <= 1,
      "added p99 <= 5 ms": result.added_p99_ms <= 5,
      "gateway >= 50% of nginx": n ? gw.rps >= 0.5 * n.rps : "n/a (no nginx)",
      "cached >= gateway": c.rps >= gw.rps,
      "custom domain (cache hit) adds <= 0.2 ms p50": result.custom_domain_added_p50_ms <= 0.2,
    };
    console.log(`targets met: ${JSON.stringify(checks)}`);
    if (haveNginx) console.log(`nginx for reference adds p50 ${median(nginx50).toFixed(3)} ms, p99 ${median(nginx99).toFixed(3)} ms (median over rounds)`);
    console.log(`proxy cpu per request (µs): gateway ${gw.cpuUsPerReq}, cached ${c.cpuUsPerReq}, public host ${pub.cpuUsPerReq}, custom domain ${cus.cpuUsPerReq}, nginx ${n?.cpuUsPerReq ?? "n/a"}`);
    console.log(JSON.stringify(result));
  } finally {
    cleanup();
    await customDns?.dns.stop();
    if (redisStarted) spawnSync("bash", [join(ROOT, "scripts/redis.sh"), "stop", String(REDIS_PORT)], { stdio: "ignore" });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    cleanup();
    process.exit(1);
  },
);
