import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../apps/gateway/src/config/index";
import { defaultGatewayRoutes } from "../../components/gateway/env-file";
import { DEFAULT_PORTS, parseDevArgs, portsFrom } from "../../scripts/dev/config";
import { devGatewayEnvFile } from "../../scripts/dev/gateway-env";
import { devTelemetryVirtualService, roleFor } from "../../scripts/dev/routes";

describe("dev CQRS router rules (the mesh's VirtualService, evaluated offline)", () => {
  const vs = devTelemetryVirtualService();
  const role = (method: string, headers: Record<string, string> = {}) => roleFor(vs, { method, path: "/api/query", headers });

  it("sends reads to the query role and writes to the command role", () => {
    expect(role("GET")).toBe("query");
    expect(role("HEAD")).toBe("query");
    for (const m of ["POST", "PUT", "PATCH", "DELETE"]) expect(role(m)).toBe("command");
  });

  it("sends reads with x-read-your-writes: true to the command role", () => {
    expect(role("GET", { "x-read-your-writes": "true" })).toBe("command");
    expect(role("GET", { "X-Read-Your-Writes": "true" })).toBe("command");
    expect(role("GET", { "x-read-your-writes": "false" })).toBe("query");
  });

  it("matches nothing for other methods (Envoy would answer 404)", () => {
    expect(role("OPTIONS")).toBeUndefined();
  });
});

describe("dev gateway config", () => {
  it("is the local stack's default route table, pointed at the local router, and loads in the gateway", () => {
    const text = devGatewayEnvFile(DEFAULT_PORTS);
    const config = loadGatewayConfig({ JWT_KEY_FILE: "/dev/null" }, text);
    const [route] = defaultGatewayRoutes(`http://127.0.0.1:${DEFAULT_PORTS.telemetry}`);
    expect(config.routes).toEqual([route]);
    expect(config).toMatchObject({ region: "local", stage: "local", port: DEFAULT_PORTS.gateway, redis: { host: "127.0.0.1", port: DEFAULT_PORTS.redis } });
    expect(config.jwt).toMatchObject({ algorithm: "HS256", keyFile: "/dev/null" });
    expect(text).not.toMatch(/PASSWORD|BEGIN/);
  });
});

describe("dev arguments", () => {
  it("defaults, a port base and a state dir", () => {
    expect(parseDevArgs([], "/repo")).toEqual({ ports: DEFAULT_PORTS, stateDir: "/repo/.state/dev", json: false });
    expect(parseDevArgs(["--port-base", "40000", "--state-dir", "/tmp/x", "--json"], "/repo")).toEqual({ ports: portsFrom(40000), stateDir: "/tmp/x", json: true });
    expect(parseDevArgs(["--redis-port", "7000", "--port-base", "40000"]).ports).toEqual({ ...portsFrom(40000), redis: 7000 });
  });

  it("rejects bad arguments naming them", () => {
    expect(() => parseDevArgs(["--port-base", "80"])).toThrow(/port base must be an integer 1024..65530, got 80/);
    expect(() => parseDevArgs(["--port-base"])).toThrow(/--port-base needs a value/);
    expect(() => parseDevArgs(["--redis-port", "x"])).toThrow(/redis port must be an integer 1024..65535, got x/);
    expect(() => parseDevArgs(["--verbose"])).toThrow(/unknown argument "--verbose"/);
  });
});
