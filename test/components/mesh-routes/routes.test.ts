import { describe, expect, it } from "vitest";
import {
  publicRoutes,
  READ_METHODS,
  READ_YOUR_WRITES_HEADER,
  retriesFor,
  telemetryRoutes,
  WRITE_METHODS,
  type HttpRoute,
} from "../../../components/mesh-routes/routes";
import { trafficPolicy } from "../../../components/mesh-routes/objects";

const command = { host: "telemetry-command.platform.svc.cluster.local", port: 80 };
const query = { host: "telemetry-query.platform.svc.cluster.local", port: 80 };
const policy = { timeoutSeconds: 10, retryAttempts: 2, perTryTimeoutSeconds: 3, retryOn: "5xx" };

const methodsOf = (r: HttpRoute) => (r.match ?? []).map((m) => m.method?.exact);
const hostOf = (r: HttpRoute) => r.route[0].destination.host;
const idempotent = (r: HttpRoute) => r.match !== undefined && methodsOf(r).every((m) => m === "GET" || m === "HEAD");

/** Which route Istio picks: the first whose any match entry fits. */
function pick(routes: HttpRoute[], method: string, headers: Record<string, string> = {}): HttpRoute | undefined {
  return routes.find(
    (r) =>
      r.match === undefined ||
      r.match.some(
        (m) => (!m.method || m.method.exact === method) && Object.entries(m.headers ?? {}).every(([k, v]) => headers[k] === v.exact),
      ),
  );
}

describe("telemetryRoutes", () => {
  const routes = telemetryRoutes(command, query, policy);

  it("orders the header route before the method routes", () => {
    expect(routes.map((r) => r.name)).toEqual(["read-your-writes", "reads", "writes"]);
    expect(routes[0].match!.every((m) => m.headers?.[READ_YOUR_WRITES_HEADER]?.exact === "true")).toBe(true);
  });

  it("sends reads to query, writes and read-your-writes reads to command", () => {
    for (const m of READ_METHODS) {
      expect(hostOf(pick(routes, m)!)).toBe(query.host);
      expect(hostOf(pick(routes, m, { [READ_YOUR_WRITES_HEADER]: "true" })!)).toBe(command.host);
      expect(hostOf(pick(routes, m, { [READ_YOUR_WRITES_HEADER]: "false" })!)).toBe(query.host);
    }
    for (const m of WRITE_METHODS) {
      expect(hostOf(pick(routes, m)!)).toBe(command.host);
      // A write with the header still lands on the command side, on the non-retried route.
      const withHeader = pick(routes, m, { [READ_YOUR_WRITES_HEADER]: "true" })!;
      expect(withHeader.name).toBe("writes");
      expect(withHeader.retries.attempts).toBe(0);
    }
    expect(pick(routes, "OPTIONS")).toBeUndefined();
  });

  it("puts a timeout on every route", () => {
    for (const r of routes) expect(r.timeout).toBe("10s");
  });

  it("retries only routes whose every method is idempotent, and disables retries elsewhere", () => {
    for (const r of routes) {
      if (idempotent(r)) expect(r.retries).toEqual({ attempts: 2, perTryTimeout: "3s", retryOn: "5xx" });
      else expect(r.retries).toEqual({ attempts: 0 });
    }
    expect(routes.filter(idempotent).map((r) => r.name)).toEqual(["read-your-writes", "reads"]);
  });

  it("uses FQDN destinations with explicit ports", () => {
    for (const r of routes) {
      expect(r.route).toHaveLength(1);
      expect(r.route[0].destination.host).toMatch(/\.platform\.svc\.cluster\.local$/);
      expect(r.route[0].destination.port).toEqual({ number: 80 });
    }
  });
});

describe("publicRoutes", () => {
  const routes = publicRoutes({ host: "gateway.platform.svc.cluster.local", port: 80 }, policy);

  it("sends every method to the gateway, retrying reads only", () => {
    expect(routes.map((r) => r.name)).toEqual(["gateway-reads", "gateway"]);
    for (const m of [...READ_METHODS, ...WRITE_METHODS, "OPTIONS"]) expect(hostOf(pick(routes, m)!)).toBe("gateway.platform.svc.cluster.local");
    expect(pick(routes, "GET")!.retries.attempts).toBe(2);
    expect(pick(routes, "POST")!.retries).toEqual({ attempts: 0 });
    expect(pick(routes, "OPTIONS")!.retries).toEqual({ attempts: 0 });
    for (const r of routes) expect(r.timeout).toBe("10s");
  });
});

describe("retriesFor", () => {
  it("returns attempts: 0 when retries are off, even for reads", () => {
    expect(retriesFor(true, { ...policy, retryAttempts: 0 })).toEqual({ attempts: 0 });
    expect(retriesFor(false, policy)).toEqual({ attempts: 0 });
  });
});

describe("trafficPolicy", () => {
  it("bounds the pool, the retry budget and ejections, over mutual TLS", () => {
    expect(trafficPolicy({ maxConnections: 100, consecutive5xxErrors: 7 })).toEqual({
      tls: { mode: "ISTIO_MUTUAL" },
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: "2s" },
        http: { http1MaxPendingRequests: 100, http2MaxRequests: 100, maxRetries: 25, idleTimeout: "60s" },
      },
      outlierDetection: { consecutive5xxErrors: 7, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
    });
    expect(trafficPolicy({ maxConnections: 1, consecutive5xxErrors: 1 }).connectionPool.http.maxRetries).toBe(1);
  });
});
