/**
 * Latency at a fixed request rate, measured open-loop with vegeta (Go, from the Go module proxy).
 *
 * Why not autocannon here: its `overallRate` is a per-second budget per connection. Each second
 * every connection sends back to back until it has used its share, then waits for the next
 * second, so "2,000 req/s" becomes a one-second-aligned burst at full concurrency and the latency
 * it reports is queueing at saturation (concurrency ÷ throughput), not the latency a request sees
 * at 2,000 req/s. vegeta schedules each request at its own instant (one every 0.5 ms at 2,000/s),
 * adds workers instead of waiting when responses are slow, and times every request, so a slow
 * target cannot lower the rate it is offered (no coordinated omission).
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

/** Path to the vegeta binary, installed into the platform cache on first use (version: scripts/vegeta.sh). */
export function ensureVegeta(): string {
  const r = spawnSync("bash", [join(ROOT, "scripts/vegeta.sh"), "path"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`could not install vegeta (scripts/vegeta.sh exited ${r.status})`);
  return r.stdout.trim();
}

export interface FixedRateResult {
  /** Requests sent. */
  requests: number;
  /** Rate the requests were actually sent at, per second. */
  sentRate: number;
  /** Share of responses with a 2xx status, 0..1. */
  success: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  statusCodes: Record<string, number>;
  errors: string[];
}

/** vegeta's `report -type=json` (latencies in ns). */
interface VegetaReport {
  latencies: { "50th": number; "90th": number; "99th": number; max: number };
  requests: number;
  rate: number;
  success: number;
  status_codes: Record<string, number>;
  errors: string[] | null;
}

export function parseVegetaReport(json: string): FixedRateResult {
  const r = JSON.parse(json) as VegetaReport;
  const ms = (ns: number) => ns / 1e6;
  return {
    requests: r.requests,
    sentRate: r.rate,
    success: r.success,
    p50Ms: ms(r.latencies["50th"]),
    p90Ms: ms(r.latencies["90th"]),
    p99Ms: ms(r.latencies["99th"]),
    maxMs: ms(r.latencies.max),
    statusCodes: r.status_codes ?? {},
    errors: r.errors ?? [],
  };
}

/** GET `url` (with `headers`, e.g. a Host) at `rate` requests/s for `durationS` seconds over keep-alive connections. */
export async function fixedRateLatency(vegeta: string, url: string, rate: number, durationS: number, headers: Record<string, string> = {}): Promise<FixedRateResult> {
  const attack = spawn(vegeta, ["attack", `-rate=${rate}/s`, `-duration=${durationS}s`, "-keepalive=true", "-timeout=10s"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const report = spawn(vegeta, ["report", "-type=json"], { stdio: ["pipe", "pipe", "inherit"] });
  attack.stdout.pipe(report.stdin);
  // vegeta's HTTP target format: header lines follow the request line (a Host header sets the request's Host).
  attack.stdin.end(`GET ${url}\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join("")}`);
  let out = "";
  report.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const [[attackCode], [reportCode]] = (await Promise.all([once(attack, "exit"), once(report, "exit")])) as [[number | null], [number | null]];
  if (attackCode !== 0 || reportCode !== 0) throw new Error(`vegeta failed for ${url} (attack exit ${attackCode}, report exit ${reportCode})`);
  return parseVegetaReport(out);
}
