import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  GATEWAY_ENV,
  GatewayConfigError,
  loadGatewayConfig,
  readGatewayEnvFile,
} from "../../../apps/gateway/src/config/index.js";
import { tempFile } from "./helpers.js";

const ROUTES = [
  { prefix: "/api", upstream: "http://a.svc", kind: "stream", auth: false },
  { prefix: "/api/users", upstream: "http://u.svc/v1", kind: "buffered", auth: true, cacheTtlSeconds: 30, staleSeconds: 60, perUser: true },
];
const ENV_FILE = [
  "REGION=eu-west-1",
  "STAGE=prod",
  `ROUTES='${JSON.stringify(ROUTES)}'`,
  "JWT_ALG=RS256",
  "JWT_ISSUER=https://issuer.example",
  "JWT_AUDIENCE=gateway",
  "REDIS_HOST=redis.svc",
  "",
].join("\n");

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayConfigError);
    return (err as GatewayConfigError).problems;
  }
  throw new Error("expected a GatewayConfigError");
}

describe("gateway config", () => {
  it("parses the .env text and lets environment variables override it", () => {
    const config = loadGatewayConfig({ STAGE: "staging", PORT: "9090", REDIS_PASSWORD: "pw" }, ENV_FILE);
    expect(config.region).toBe("eu-west-1");
    expect(config.stage).toBe("staging");
    expect(config.port).toBe(9090);
    expect(config.jwt).toEqual({ algorithm: "RS256", issuer: "https://issuer.example", audience: "gateway", keyFile: "/etc/gateway/jwt/key" });
    expect(config.redis).toMatchObject({ host: "redis.svc", port: 6379, tls: false, password: "pw" });
    // longest prefix first, so /api/users wins over /api
    expect(config.routes.map((r) => r.prefix)).toEqual(["/api/users", "/api"]);
    expect(config.upstreamTimeoutMs).toBe(10_000);
  });

  it("treats an empty value as unset and leaves Redis out without REDIS_HOST", () => {
    const config = loadGatewayConfig({ REDIS_HOST: "" , PORT: "" }, ENV_FILE);
    expect(config.redis).toBeUndefined();
    expect(config.port).toBe(8080);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf(() =>
      loadGatewayConfig({
        PORT: "not-a-port",
        REDIS_TLS: "maybe",
        UPSTREAM_TIMEOUT_MS: "-5",
        ROUTES: JSON.stringify([{ prefix: "api/", upstream: "ftp://x", kind: "both", auth: false }]),
      }),
    );
    const keys = problems.map((p) => p.split(":")[0]);
    expect(keys).toEqual(
      expect.arrayContaining(["PORT", "REGION", "STAGE", "REDIS_TLS", "UPSTREAM_TIMEOUT_MS", "ROUTES[0].prefix", "ROUTES[0].upstream", "ROUTES[0].kind"]),
    );
  });

  it("rejects ROUTES that is not JSON", () => {
    expect(problemsOf(() => loadGatewayConfig({ REGION: "r", STAGE: "s", ROUTES: "[{" }))).toEqual([
      expect.stringMatching(/^ROUTES: not valid JSON/),
    ]);
  });

  it("checks the route rules that cross fields", () => {
    const routes = [
      { prefix: "/a", upstream: "http://a", kind: "buffered", auth: false, perUser: true, cacheTtlSeconds: 5 },
      { prefix: "/b", upstream: "http://b", kind: "stream", auth: false, cacheTtlSeconds: 5 },
      { prefix: "/c", upstream: "http://c", kind: "buffered", auth: false, staleSeconds: 5 },
      { prefix: "/c", upstream: "http://c2", kind: "buffered", auth: false },
      { prefix: "/d", upstream: "http://d?x=1", kind: "buffered", auth: false },
    ];
    const problems = problemsOf(() => loadGatewayConfig({ REGION: "r", STAGE: "s", ROUTES: JSON.stringify(routes) }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ROUTES\[0\]\.perUser: perUser needs auth/),
        expect.stringMatching(/^ROUTES\[1\]\.cacheTtlSeconds: only buffered routes/),
        expect.stringMatching(/^ROUTES\[2\]\.staleSeconds: /),
        expect.stringMatching(/^ROUTES\[3\]\.prefix: duplicate prefix/),
        expect.stringMatching(/^ROUTES\[4\]\.upstream: must not carry a query/),
      ]),
    );
  });

  it("requires the JWT settings when a route needs auth", () => {
    const routes = [{ prefix: "/a", upstream: "http://a", kind: "stream", auth: true }];
    const problems = problemsOf(() => loadGatewayConfig({ REGION: "r", STAGE: "s", ROUTES: JSON.stringify(routes), JWT_ALG: "none" }));
    expect(problems).toEqual([expect.stringMatching(/^JWT_ALG: /)]);
    const missing = problemsOf(() => loadGatewayConfig({ REGION: "r", STAGE: "s", ROUTES: JSON.stringify(routes) }));
    expect(missing.map((p) => p.split(":")[0]).sort()).toEqual(["JWT_ALG", "JWT_AUDIENCE", "JWT_ISSUER"]);
  });

  it("reads TRUSTED_PROXIES as IPs/CIDRs, naming each bad entry", () => {
    const env = { REGION: "r", STAGE: "s", ROUTES: JSON.stringify([ROUTES[0]]) };
    expect(loadGatewayConfig(env).trustedProxies).toEqual([]);
    expect(loadGatewayConfig({ ...env, TRUSTED_PROXIES: " 10.0.0.0/8, 127.0.0.1 ,fd00::/8" }).trustedProxies).toEqual(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    const problems = problemsOf(() => loadGatewayConfig({ ...env, TRUSTED_PROXIES: "ingress,10.0.0.0/33,1.2.3.4" }));
    expect(problems).toEqual([expect.stringMatching(/^TRUSTED_PROXIES: "ingress"/), expect.stringMatching(/^TRUSTED_PROXIES: "10.0.0.0\/33"/)]);
  });

  it("reads the env file named by GATEWAY_ENV_FILE and fails when it is missing", () => {
    const path = tempFile("gateway.env", ENV_FILE);
    expect(readGatewayEnvFile({ [GATEWAY_ENV.envFile]: path })).toBe(ENV_FILE);
    expect(() => readGatewayEnvFile({ [GATEWAY_ENV.envFile]: `${path}.missing` })).toThrow(/cannot read/);
  });
});

describe("gateway main", () => {
  const main = resolve(__dirname, "../../../apps/gateway/src/main.ts");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", main], {
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });

  it("exits non-zero listing every config problem", () => {
    const envFile = tempFile("gateway.env", "PORT=99999\nROUTES=nope\n");
    const r = run({ GATEWAY_ENV_FILE: envFile, REDIS_PASSWORD: "hunter2-secret" });
    expect(r.status).toBe(1);
    for (const key of ["PORT", "REGION", "STAGE", "ROUTES"]) expect(r.stderr).toContain(`  - ${key}`);
    expect(r.stderr + r.stdout).not.toContain("hunter2-secret");
  });

  it("exits non-zero when the JWT key file cannot be read", () => {
    const routes = [{ prefix: "/a", upstream: "http://127.0.0.1:1", kind: "stream", auth: true }];
    const r = run({
      REGION: "r", STAGE: "s", PORT: "18099", ROUTES: JSON.stringify(routes),
      JWT_ALG: "HS256", JWT_ISSUER: "i", JWT_AUDIENCE: "a", JWT_KEY_FILE: "/nonexistent/jwt-key",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("JWT_KEY_FILE: cannot read /nonexistent/jwt-key");
  });

  it("custom domains: the registry needs the public host and the signing key, and bad entries are named", () => {
    const base = { REGION: "r", STAGE: "s", ROUTES: JSON.stringify(ROUTES.slice(0, 1)), SUBJECT_KEY_FILE: "/etc/gateway/subject/key" };
    expect(loadGatewayConfig(base).customDomains).toBeUndefined();
    expect(problemsOf(() => loadGatewayConfig({ ...base, CUSTOM_DOMAINS: JSON.stringify({ "t.tenant-a.com": "tenant-a" }) }))).toEqual([
      "CUSTOM_DOMAINS: needs PUBLIC_HOST (the host the domains must point at)",
    ]);
    // The tenant header is signed with the subject key: without it an upstream could not trust it.
    const { SUBJECT_KEY_FILE: _, ...keyless } = base;
    expect(problemsOf(() => loadGatewayConfig({ ...keyless, PUBLIC_HOST: "api.platform.io", CUSTOM_DOMAINS: JSON.stringify({ "t.tenant-a.com": "tenant-a" }) }))).toEqual([
      "CUSTOM_DOMAINS: needs SUBJECT_KEY_FILE (the tenant header is signed with it)",
    ]);
    expect(
      problemsOf(() =>
        loadGatewayConfig({ ...base, PUBLIC_HOST: "api.platform.io", CUSTOM_DOMAINS: JSON.stringify({ "Bad.Host": "a", "t.tenant-b.io": "Tenant B" }), DNS_TIMEOUT_MS: "0" }),
      ).sort(),
    ).toEqual([
      "CUSTOM_DOMAINS.Bad.Host: must be a lower-case domain name",
      "CUSTOM_DOMAINS.t.tenant-b.io: must be a tenant id (a-z, 0-9, -)",
      expect.stringMatching(/^DNS_TIMEOUT_MS: /),
    ]);
    const ok = loadGatewayConfig({ ...base, PUBLIC_HOST: "api.platform.io", CUSTOM_DOMAINS: JSON.stringify({ "t.tenant-a.com": "tenant-a" }), DNS_SERVERS: "10.0.0.2:53, 10.0.0.3" });
    expect(ok.customDomains).toEqual({ publicHost: "api.platform.io", domains: { "t.tenant-a.com": "tenant-a" }, dnsServers: ["10.0.0.2:53", "10.0.0.3"], dnsTimeoutMs: 250 });
  });
});
