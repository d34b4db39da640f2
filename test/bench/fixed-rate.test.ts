import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureVegeta, fixedRateLatency, parseVegetaReport } from "../../bench/gateway/fixed-rate";

// The gateway bench's latency target is "at a fixed 2,000 req/s". These pin down that its sampler
// really offers a fixed rate: a slow target must not slow the sender down (an open loop), which a
// closed-loop client with a few connections cannot do.
describe("bench fixed-rate latency sampler (vegeta)", () => {
  let vegeta: string;
  let server: Server;
  let base: string;
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    vegeta = ensureVegeta(); // installs into the platform cache on a cold machine
    server = createServer((req, res) => {
      const delay = req.url?.startsWith("/slow") ? 40 : 0;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      }, delay);
    }).listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("holds the rate against a target slower than the gap between requests", async () => {
    maxInFlight = 0;
    const r = await fixedRateLatency(vegeta, `${base}/slow`, 200, 2);
    expect(r.requests).toBe(400);
    expect(r.sentRate).toBeGreaterThan(190);
    expect(r.success).toBe(1);
    // 40 ms per answer at one request every 5 ms: about 8 in flight at once, so latency is the
    // server's delay, not a queue behind earlier requests.
    expect(maxInFlight).toBeGreaterThanOrEqual(6);
    expect(r.p50Ms).toBeGreaterThanOrEqual(40);
    expect(r.p50Ms).toBeLessThan(200);
  });

  it("times each request (a fast target answers well under the slow one's delay)", async () => {
    const r = await fixedRateLatency(vegeta, `${base}/fast`, 200, 1);
    expect(r.requests).toBe(200);
    expect(r.p50Ms).toBeLessThan(40);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
  });

  it("reads vegeta's JSON report (nanoseconds) into milliseconds", () => {
    const r = parseVegetaReport(
      JSON.stringify({
        latencies: { total: 0, mean: 0, "50th": 1_500_000, "90th": 2_000_000, "95th": 0, "99th": 3_250_000, max: 9_000_000, min: 0 },
        requests: 6000,
        rate: 2000.4,
        throughput: 1999.9,
        success: 1,
        status_codes: { "200": 6000 },
        errors: null,
      }),
    );
    expect(r).toEqual({ requests: 6000, sentRate: 2000.4, success: 1, p50Ms: 1.5, p90Ms: 2, p99Ms: 3.25, maxMs: 9, statusCodes: { "200": 6000 }, errors: [] });
  });
});
