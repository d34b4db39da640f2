import { describe, expect, it } from "vitest";
import { callerOf, createAuthenticator } from "../../../apps/telemetry/api/auth";
import { FUNCTION_AUTH_ENV } from "../../../apps/telemetry/api/keys";
import { Client } from "cassandra-driver";
import { clientOptions, ThroughContactPoint } from "../../../apps/telemetry/src/client";
import { describeConfig, loadTelemetryConfig } from "../../../apps/telemetry/src/config/index";
import { handleIngest } from "../../../apps/telemetry/src/core/ingest";
import { handleQuery, READ_CONSISTENCY } from "../../../apps/telemetry/src/core/query";
import { bearer, FUNCTION_AUTH_TEST_ENV } from "../../support/function-tokens";

// The functions' front door without Cassandra: the gateway's verifier with the functions'
// settings, and the source scoping in the core handlers (a client that throws if touched).
const authenticate = createAuthenticator(FUNCTION_AUTH_TEST_ENV);
const untouchable = async (): Promise<never> => {
  throw new Error("Cassandra must not be touched");
};
const reasonOf = async (authorization: string | undefined) => {
  const r = await authenticate(authorization);
  return r.ok ? "ok" : { status: r.result.status, reason: (r.result.body as { reason: string }).reason };
};

describe("function authentication (the gateway's JWT verifier)", () => {
  it("accepts a valid token and scopes it to the sources claim, else to the subject", async () => {
    const scoped = await authenticate(await bearer({ sub: "alice", sources: ["web", "ios"] }));
    expect(scoped.ok && [...scoped.caller.sources]).toEqual(["web", "ios"]);
    const own = await authenticate(await bearer({ sub: "alice" }));
    expect(own.ok && [...own.caller.sources]).toEqual(["alice"]);
  });

  it.each([
    ["missing", async () => undefined, "missing_token"],
    ["not bearer", async () => "Basic abc", "bad_scheme"],
    ["expired", () => bearer({ sub: "a" }, { exp: Math.floor(Date.now() / 1000) - 3600 }), "token_expired"],
    ["signed with another key", () => bearer({ sub: "a" }, { secret: "x".repeat(64) }), "bad_signature"],
    ["another issuer", () => bearer({ sub: "a" }, { issuer: "https://evil.test/" }), "bad_issuer"],
    ["another audience", () => bearer({ sub: "a" }, { audience: "other" }), "bad_audience"],
    ["no subject", () => bearer({ sources: ["web"] }), "missing_subject"],
    ["sources not a list of names", () => bearer({ sub: "a", sources: "web" }), "bad_sources_claim"],
  ])("401 with a reason for a token that is %s", async (_what, token, reason) => {
    expect(await reasonOf(await token())).toEqual({ status: 401, reason });
  });

  it("fails closed (500, no verification) when its settings are missing, naming the keys but no value", async () => {
    const errors: string[] = [];
    const broken = createAuthenticator({ ...FUNCTION_AUTH_TEST_ENV, [FUNCTION_AUTH_ENV.key]: "short", [FUNCTION_AUTH_ENV.issuer]: "" }, (e) => errors.push(e.message));
    const r = await broken(await bearer({ sub: "a" }));
    expect(r.ok ? 0 : r.result.status).toBe(500);
    expect(errors[0]).toMatch(/JWT_ISSUER is required/);
    expect(errors[0]).not.toContain("short");
  });

  it("callerOf: a sources claim longer than the cap is refused", () => {
    expect(callerOf({ sub: "a", sources: Array.from({ length: 1001 }, (_, i) => `s${i}`) })).toBe("bad_sources_claim");
  });
});

describe("source scoping in the core handlers", () => {
  const caller = { subject: "alice", sources: new Set(["web"]) };
  const ingest = (sources: string[]) =>
    handleIngest(
      {
        method: "POST",
        contentType: "application/json",
        idempotencyKey: undefined,
        body: Buffer.from(JSON.stringify({ events: sources.map((source) => ({ level: "info", message: "m", source })) })),
      },
      { getClient: untouchable, caller },
    );

  it("ingest: one foreign source refuses the whole batch with 403 before Cassandra is touched", async () => {
    const r = await ingest(["web", "ios", "android"]);
    expect(r).toMatchObject({ status: 403, body: { reason: "source_not_allowed", sources: ["android", "ios"] } });
  });

  it("ingest: the caller's own sources reach the write path", async () => {
    await expect(ingest(["web"])).resolves.toMatchObject({ status: 500 }); // the untouchable client was asked
  });

  it("query: another source is 403 before Cassandra is touched; the caller's own is read", async () => {
    const q = (source: string) => handleQuery({ method: "GET", url: `/api/query?source=${source}&day=2026-01-01` }, { getClient: untouchable, consistency: READ_CONSISTENCY.query, caller });
    expect(await q("ios")).toMatchObject({ status: 403, body: { reason: "source_not_allowed", sources: ["ios"] } });
    expect(await q("web")).toMatchObject({ status: 500 });
  });
});

describe("the functions' Cassandra TLS settings", () => {
  const base = { CASSANDRA_CONTACT_POINTS: "cql.example.test", CASSANDRA_LOCAL_DC: "us-east-1" };
  const CERT = "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----";
  const KEY = "-----BEGIN PRIVATE KEY-----\\nsecret-key-body\\n-----END PRIVATE KEY-----";

  it("reads the CA, the client certificate and its key (escaped newlines, as platforms store them)", () => {
    const c = loadTelemetryConfig({ ...base, CASSANDRA_TLS: "true", CASSANDRA_TLS_CA: CERT, CASSANDRA_TLS_CERT: CERT, CASSANDRA_TLS_KEY: KEY });
    expect(c.tlsCa).toBe(CERT.replaceAll("\\n", "\n") + "\n");
    expect(c.tlsClientCert?.key).toContain("\nsecret-key-body\n");
    expect(describeConfig(c)).toMatchObject({ tlsCa: "set", clientCertificate: "set" });
    expect(JSON.stringify(describeConfig(c))).not.toContain("secret-key-body");
  });

  it("lists every problem (a certificate without its key, TLS material without TLS, a non-PEM key) and echoes no value", () => {
    let message = "";
    try {
      loadTelemetryConfig({ ...base, CASSANDRA_TLS_CERT: CERT, CASSANDRA_TLS_CA: "not-a-pem-secret-ish" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("CASSANDRA_TLS_CA must be a PEM certificate");
    expect(message).toContain("CASSANDRA_TLS_CERT and CASSANDRA_TLS_KEY must be set together");
    expect(message).toContain("CASSANDRA_TLS_CERT needs CASSANDRA_TLS=true");
    expect(message).not.toContain("not-a-pem-secret-ish");
  });
});

describe("through a load balancer (CASSANDRA_VIA_LOAD_BALANCER)", () => {
  const base = { CASSANDRA_CONTACT_POINTS: "cql.example.test", CASSANDRA_LOCAL_DC: "us-east-1", CASSANDRA_VIA_LOAD_BALANCER: "true" };

  it("translates every node the driver learns of to the one contact point, and the driver accepts the policy", () => {
    const options = clientOptions(loadTelemetryConfig(base));
    const seen: string[] = [];
    const translator = options.policies!.addressResolution as ThroughContactPoint;
    for (const ip of ["10.0.1.17", "10.0.2.33"]) translator.translate(ip, 9042, (e) => seen.push(e));
    expect(seen).toEqual(["cql.example.test:9042", "cql.example.test:9042"]);
    expect(() => new Client(options)).not.toThrow(); // its options check wants an AddressTranslator instance
  });

  it("needs exactly one contact point", () => {
    expect(() => loadTelemetryConfig({ ...base, CASSANDRA_CONTACT_POINTS: "a.test,b.test" })).toThrow(/CASSANDRA_VIA_LOAD_BALANCER needs exactly one contact point/);
  });
});
