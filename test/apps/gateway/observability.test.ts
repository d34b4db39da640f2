import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOG_VALUE_MAX } from "../../../apps/gateway/src/observability/logger.js";
import { GATEWAY_METRICS } from "../../../apps/gateway/src/metrics/names.js";
import { freePort, gatewayConfig, httpRequest, metricValue, startGateway, startUpstream, tempFile, type TestGateway, type Upstream } from "./helpers.js";

const JWT_SECRET = "observability-jwt-secret-0123456789abcdef-XYZ";
const REDIS_PASSWORD = "redis-password-never-logged-42";
const COOKIE = "session=cookie-value-never-logged-77";

describe("logs and metrics", () => {
  let upstream: Upstream;
  let g: TestGateway;
  let bearer: string;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url?.includes("/fail")) res.writeHead(503).end("no");
      else res.end("ok");
    });
    // A Redis password in the config, and a port without Redis so connection errors get logged too.
    const deadRedis = await freePort();
    g = await startGateway(
      gatewayConfig(
        [
          { prefix: "/open", upstream: upstream.url, kind: "buffered", auth: false, cacheTtlSeconds: 60 },
          { prefix: "/secure", upstream: upstream.url, kind: "stream", auth: true },
          { prefix: "/gone", upstream: `http://127.0.0.1:${await freePort()}`, kind: "stream", auth: false },
        ],
        {
          LOG_LEVEL: "debug",
          REDIS_HOST: "127.0.0.1",
          REDIS_PORT: String(deadRedis),
          REDIS_PASSWORD,
          JWT_ALG: "HS256", JWT_ISSUER: "iss", JWT_AUDIENCE: "aud",
          JWT_KEY_FILE: tempFile("key", JWT_SECRET),
        },
      ),
    );
    bearer = await new SignJWT({ sub: "u1", iss: "iss", aud: "aud", exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(JWT_SECRET));
  });
  afterAll(async () => {
    await g.stop();
    await upstream.close();
  });

  it("exports every contract metric with its labels", async () => {
    await httpRequest(`${g.url}/open/a`);
    await httpRequest(`${g.url}/open/a`);
    await httpRequest(`${g.url}/gone/x`);
    await httpRequest(`${g.url}/secure/x`, { headers: { authorization: `Bearer ${bearer}` } });
    const text = (await httpRequest(`${g.url}/metrics`)).body;
    expect(metricValue(text, GATEWAY_METRICS.requests, { route: "/open", method: "GET", status: "200" })).toBe(2);
    expect(metricValue(text, GATEWAY_METRICS.requests, { route: "/gone", method: "GET", status: "502" })).toBe(1);
    expect(metricValue(text, `${GATEWAY_METRICS.latency}_count`, { route: "/open", method: "GET" })).toBe(2);
    expect(metricValue(text, GATEWAY_METRICS.cacheHits, { level: "l1" })).toBe(1);
    expect(metricValue(text, GATEWAY_METRICS.cacheMisses, { route: "/open" })).toBe(1);
    expect(metricValue(text, GATEWAY_METRICS.upstreamErrors, { route: "/gone", reason: "refused" })).toBe(1);
    expect(metricValue(text, GATEWAY_METRICS.logEvents, { logType: "AccessLog" })).toBe(4);
    expect(metricValue(text, GATEWAY_METRICS.logEvents, { logType: "UpstreamError" })).toBe(1);
  });

  it("writes JSON lines with the short field names", async () => {
    await httpRequest(`${g.url}/open/fields?x=1`, { headers: { "x-request-id": "fields-request-0001" } });
    const line = g.logs.ofType("AccessLog").find((l) => l.reqId === "fields-request-0001")!;
    expect(line).toMatchObject({ logType: "AccessLog", reqId: "fields-request-0001", reqPath: "/open/fields", reqMethod: "GET", status: 200, cacheType: "miss", cacheKey: "/open|/open/fields?x=1", region: "eu-west-1", stage: "test" });
    expect(typeof line.reqCostTime).toBe("number");
    const err = g.logs.ofType("UpstreamError")[0]!;
    expect(err).toMatchObject({ errStatus: 502, route: "/gone" });
    expect(String(err.errMsg)).toMatch(/^upstream_refused/);
  });

  it("caps long values", async () => {
    const long = `/open/${"a".repeat(3000)}`;
    await httpRequest(`${g.url}${long}`);
    const line = g.logs.ofType("AccessLog").find((l) => String(l.reqPath).startsWith("/open/aaaa"))!;
    expect(String(line.reqPath).length).toBe(LOG_VALUE_MAX + 1);
    expect(String(line.reqPath).endsWith("…")).toBe(true);
  });

  it("never logs Authorization, cookies, query strings or secrets", async () => {
    await httpRequest(`${g.url}/secure/x?token=query-secret-99`, { headers: { authorization: `Bearer ${bearer}`, cookie: COOKIE } });
    await httpRequest(`${g.url}/secure/x`, { headers: { authorization: `Bearer ${bearer}x`, cookie: COOKIE } });
    await httpRequest(`${g.url}/secure/x`, { headers: { authorization: "Basic c2VjcmV0OnNlY3JldA==" } });
    await httpRequest(`${g.url}/gone/x`, { headers: { authorization: `Bearer ${bearer}`, cookie: COOKIE } });
    // connection errors to the configured Redis have been logged by now (it has no server)
    while (!g.logs.ofType("RedisError").length) await new Promise((r) => setTimeout(r, 10));
    g.gw.log.info({ logType: "Probe", authorization: "Bearer leaked", cookie: COOKIE, password: REDIS_PASSWORD, nested: { headers: { authorization: "Bearer leaked" }, list: [{ token: "leaked" }] } });

    const text = g.logs.text;
    expect(text).toContain('"logType":"GatewayStart"');
    expect(text).toContain('"logType":"AuthFailed"');
    expect(text).toContain('"logType":"Probe"');
    for (const secret of [bearer, bearer.split(".")[2]!, "c2VjcmV0OnNlY3JldA==", "cookie-value-never-logged-77", "query-secret-99", REDIS_PASSWORD, JWT_SECRET, "leaked"]) {
      expect(text).not.toContain(secret);
    }
  });
});
