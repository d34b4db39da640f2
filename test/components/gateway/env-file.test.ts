import { describe, expect, it } from "vitest";
import { parse } from "dotenv";
import { loadGatewayConfig } from "../../../apps/gateway/src/config/index";
import { GATEWAY_ENV } from "../../../apps/gateway/src/config/keys";
import { defaultGatewayRoutes, gatewayEnvValues, quoteEnvValue, renderEnvFile } from "../../../components/gateway/env-file";

describe("quoteEnvValue", () => {
  const tricky = [
    "",
    "plain",
    "8080",
    "https://auth.example.com/",
    "has space",
    "  padded  ",
    "hash # not a comment",
    "#leading-hash",
    '{"json":["a","b"]}',
    "it's",
    "back\\slash\\n-not-a-newline",
    "'quoted'",
    '"double"',
    "`tick`",
    "a=b=c",
    "ünïcødé",
  ];

  it.each(tricky)("dotenv reads back %j exactly", (value) => {
    const text = `KEY=${quoteEnvValue(value)}\nNEXT=1\n`;
    expect(parse(text)).toEqual({ KEY: value, NEXT: "1" });
  });

  it("leaves simple values bare and quotes the rest", () => {
    expect(quoteEnvValue("eu-west-1")).toBe("eu-west-1");
    expect(quoteEnvValue("a b")).toBe("'a b'");
    expect(quoteEnvValue("it's")).toBe("`it's`");
  });

  it("refuses values dotenv cannot carry", () => {
    expect(() => quoteEnvValue("two\nlines")).toThrow(/line break/);
    expect(() => quoteEnvValue("both ' and `")).toThrow(/both/);
  });
});

describe("renderEnvFile", () => {
  it("sorts keys, so equal settings give equal text", () => {
    expect(renderEnvFile({ B: "2", A: "1" })).toBe("A=1\nB=2\n");
  });

  it("refuses secret keys and malformed keys", () => {
    expect(() => renderEnvFile({ [GATEWAY_ENV.redisPassword]: "x" })).toThrow(/secret/);
    expect(() => renderEnvFile({ "BAD KEY": "x" })).toThrow(/key/);
  });
});

describe("gateway .env contract", () => {
  const settings = {
    region: "eu-west-1",
    stage: "prod",
    port: 8080,
    logLevel: "warn",
    routes: [
      ...defaultGatewayRoutes("http://telemetry.platform.svc.cluster.local"),
      { prefix: "/public", upstream: "http://telemetry.platform.svc.cluster.local", kind: "stream" as const, auth: false },
    ],
    jwt: { algorithm: "RS256", issuer: "https://auth.example.com/", audience: "telemetry-api" },
    redis: { host: "master.cache.amazonaws.com", port: 6380, tls: true },
    upstreamTimeoutMs: 5000,
    cacheL1MaxBytes: 64 * 1024 * 1024,
  };

  it("is loaded by the gateway app's own config loader", () => {
    const text = renderEnvFile(gatewayEnvValues(settings) as Record<string, string>);
    const config = loadGatewayConfig({}, text);
    expect(config.region).toBe("eu-west-1");
    expect(config.stage).toBe("prod");
    expect(config.logLevel).toBe("warn");
    expect(config.routes.map((r) => r.prefix).sort()).toEqual(["/api/telemetry", "/public"]);
    expect(config.routes.find((r) => r.prefix === "/api/telemetry")).toMatchObject({ auth: true, kind: "buffered", cacheTtlSeconds: 5, perUser: true });
    expect(config.jwt).toEqual({ algorithm: "RS256", issuer: "https://auth.example.com/", audience: "telemetry-api", keyFile: "/etc/gateway/jwt/key" });
    expect(config.redis).toMatchObject({ host: "master.cache.amazonaws.com", port: 6380, tls: true });
    expect(config.redis?.password).toBeUndefined();
    expect(config.upstreamTimeoutMs).toBe(5000);
    expect(config.cache.l1MaxBytes).toBe(64 * 1024 * 1024);
  });

  it("omits Redis and JWT keys when they are not configured", () => {
    const values = gatewayEnvValues({ ...settings, jwt: undefined, redis: undefined });
    expect(values[GATEWAY_ENV.redisHost]).toBeUndefined();
    expect(values[GATEWAY_ENV.jwtIssuer]).toBeUndefined();
    expect(values[GATEWAY_ENV.redisPassword]).toBeUndefined();
  });
});
