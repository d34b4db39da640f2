import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { ingest, queryAll, startServer, testClient } from "./helpers.js";

const run = promisify(execFile);
const root = join(__dirname, "..", "..", "..");
const cassandra = (...args: string[]) => run("bash", [join(root, "scripts", "cassandra.sh"), ...args], { timeout: 300_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (cond: () => boolean) => {
  while (!cond()) await sleep(50);
};

const PRODUCERS = 4;
const EVENTS_PER_REQUEST = 50;

describe("fault: Cassandra restarts in the middle of an ingest run", () => {
  // "stop": SIGTERM, Cassandra drains. "crash": SIGKILL, acknowledged writes must come back from
  // the commit log replay.
  it.each([
    ["stop", []],
    ["crash", ["--kill"]],
  ] as const)("%s: every event of every 202 request is readable afterwards, without duplicates", async (mode, stopArgs) => {
    const client = testClient();
    const { app, url } = await startServer("command", client);
    const run = randomUUID().slice(0, 8);
    const day = utcDay(Date.now());
    const base = Date.parse(`${day}T00:00:00.000Z`);
    const stats = { ackedRequests: 0, ackedEvents: 0, unavailable: 0, otherFailures: [] as string[], restarted: false, ackedAfterRestart: 0 };
    const acked = new Map<string, Set<string>>(); // source -> acknowledged messages
    let stopping = false;

    // Each producer sends requests with an Idempotency-Key and retries the same request on 503,
    // as a well-behaved client would; only 202 counts as acknowledged.
    const producer = async (p: number) => {
      const source = `fault-${run}-p${p}`;
      acked.set(source, new Set());
      for (let r = 0; !stopping; r++) {
        const events = Array.from({ length: EVENTS_PER_REQUEST }, (_, e) => ({
          level: "info",
          message: `p${p}-r${r}-e${e}`,
          source,
          timestamp: base + (r * EVENTS_PER_REQUEST + e) * 10,
        }));
        const key = `${source}-r${r}`;
        for (;;) {
          const res = await ingest(url, { events }, { "idempotency-key": key });
          if (res.status === 202) {
            expect(res.body).toEqual({ accepted: EVENTS_PER_REQUEST });
            stats.ackedRequests++;
            stats.ackedEvents += EVENTS_PER_REQUEST;
            if (stats.restarted) stats.ackedAfterRestart++;
            for (const e of events) acked.get(source)!.add(e.message);
            break;
          }
          if (res.status === 503) {
            expect(res.headers.get("retry-after")).toBeTruthy();
            stats.unavailable++;
          } else {
            stats.otherFailures.push(`${res.status} ${JSON.stringify(res.body)}`);
          }
          await sleep(100);
        }
      }
    };

    const producers = Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
    try {
      await waitFor(() => stats.ackedRequests >= 20);
      const t0 = Date.now();
      await cassandra("stop", ...stopArgs);
      await waitFor(() => stats.unavailable >= PRODUCERS);
      await cassandra("start");
      stats.restarted = true;
      await waitFor(() => stats.ackedAfterRestart >= 20);
      const outage = (Date.now() - t0) / 1000;
      stopping = true;
      await producers;

      let read = 0;
      for (const [source, messages] of acked) {
        const rows = await queryAll(url, { source, day, limit: 1000 });
        read += rows.length;
        expect(rows.map((r) => r.message).sort()).toEqual([...messages].sort());
      }
      const report = {
        mode,
        acknowledged_requests: stats.ackedRequests,
        acknowledged_events: stats.ackedEvents,
        read_events: read,
        unavailable_responses: stats.unavailable,
        other_failures: stats.otherFailures.length,
        outage_s: outage,
      };
      console.log(`fault-test ${JSON.stringify(report)}`);
      mkdirSync(join(root, "test-artifacts"), { recursive: true });
      writeFileSync(join(root, "test-artifacts", `telemetry-fault-${mode}.json`), JSON.stringify(report, null, 2));
      expect(stats.otherFailures).toEqual([]);
      expect(read).toBe(stats.ackedEvents);
      expect(stats.unavailable).toBeGreaterThanOrEqual(PRODUCERS);
    } finally {
      stopping = true;
      await producers.catch(() => undefined);
      await app.shutdown();
      // Leave Cassandra running for the files that follow, whatever happened above.
      await cassandra("start");
    }
  }, 420_000); // a stop (drain) plus a JVM start can take minutes on a loaded 2-core machine
});
