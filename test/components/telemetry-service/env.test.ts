import { describe, expect, it } from "vitest";
import { loadTelemetryConfig } from "../../../apps/telemetry/src/config/index";
import { TELEMETRY_SECRET_ENV } from "../../../apps/telemetry/src/config/keys";
import { CONTACT_POINT, telemetryEnv } from "../../../components/telemetry-service/env";

const settings = {
  role: "query" as const,
  contactPoints: ["cassandra-0.cassandra.platform.svc.cluster.local", "cassandra-1.cassandra.platform.svc.cluster.local:9043"],
  cassandraPort: 9042,
  dataCenter: "eu-west-1",
  keyspace: "telemetry",
  tls: true,
  credentials: { secretName: "cassandra-credentials", usernameKey: "username", passwordKey: "password" },
};

describe("telemetryEnv", () => {
  it("sets every secret key by secretKeyRef and nothing else that way", () => {
    const env = telemetryEnv({ ...settings, subjectKey: { secretName: "gateway-subject", key: "key" }, clientCertSecretName: "cassandra-client-tls" });
    const bySecret = env.filter((e) => e.valueFrom).map((e) => e.name).sort();
    // The client certificate is no secret, but it comes with its key from the same Secret.
    expect(bySecret).toEqual([...TELEMETRY_SECRET_ENV, "CASSANDRA_TLS_CERT"].sort());
    const from: Record<string, string> = { SUBJECT_KEY: "gateway-subject", CASSANDRA_TLS_CERT: "cassandra-client-tls", CASSANDRA_TLS_KEY: "cassandra-client-tls" };
    for (const e of env.filter((x) => x.valueFrom)) {
      expect(e.value).toBeUndefined();
      expect(e.valueFrom!.secretKeyRef.name).toBe(from[e.name] ?? "cassandra-credentials");
    }
    expect(env.find((e) => e.name === "CASSANDRA_PASSWORD")!.valueFrom!.secretKeyRef.key).toBe("password");
    // Without a subject key Secret the variable is absent (the app then ignores the header).
    expect(telemetryEnv(settings).some((e) => e.name === "SUBJECT_KEY")).toBe(false);
  });

  it("is read back by the telemetry app's own config loader", () => {
    const plain = Object.fromEntries(telemetryEnv(settings).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    // What the kubelet would inject from the Secret.
    const config = loadTelemetryConfig({ ...plain, CASSANDRA_USERNAME: "u", CASSANDRA_PASSWORD: "p" });
    expect(config).toMatchObject({
      role: "query",
      port: 8080,
      contactPoints: settings.contactPoints,
      cassandraPort: 9042,
      localDataCenter: "eu-west-1",
      keyspace: "telemetry",
      tls: true,
      credentials: { username: "u", password: "p" },
    });
  });

  it("passes the tenants' sources as sorted JSON the app reads back (it needs the subject key with them)", () => {
    const tenantSources = { "tenant-b": ["metrics"], "tenant-a": ["web", "app-*"] };
    const env = telemetryEnv({ ...settings, subjectKey: { secretName: "gateway-subject", key: "key" }, tenantSources });
    const value = env.find((e) => e.name === "TENANT_SOURCES")!.value!;
    expect(value).toBe('{"tenant-a":["web","app-*"],"tenant-b":["metrics"]}');
    const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const config = loadTelemetryConfig({ ...plain, SUBJECT_KEY: "k".repeat(32) });
    expect([...config.tenants.keys()]).toEqual(["tenant-a", "tenant-b"]);
    expect(config.tenants.get("tenant-a")).toEqual({ exact: new Set(["web"]), prefixes: ["app-"] });
    expect(telemetryEnv(settings).some((e) => e.name === "TENANT_SOURCES")).toBe(false);
  });

  it("accepts only host[:port] contact points", () => {
    expect(CONTACT_POINT.test("cassandra-0.cassandra:9042")).toBe(true);
    expect(CONTACT_POINT.test("[::1]:9042")).toBe(true);
    expect(CONTACT_POINT.test("a,b")).toBe(false);
    expect(CONTACT_POINT.test("http://x")).toBe(false);
  });
});

describe("telemetryEnv with the cluster CA (client encryption)", () => {
  it("passes the CA file to Node and the server name to the app, which reads them back", () => {
    const env = telemetryEnv({ ...settings, tlsServerName: "cassandra-client.platform.svc.cluster.local", caFile: "/etc/cassandra-ca/ca.pem" });
    const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    expect(plain.NODE_EXTRA_CA_CERTS).toBe("/etc/cassandra-ca/ca.pem");
    const config = loadTelemetryConfig({ ...plain, CASSANDRA_USERNAME: "u", CASSANDRA_PASSWORD: "p" });
    expect(config).toMatchObject({ tls: true, tlsServerName: "cassandra-client.platform.svc.cluster.local" });
    expect(() => loadTelemetryConfig({ ...plain, CASSANDRA_TLS_SERVER_NAME: "not a name" })).toThrow(/CASSANDRA_TLS_SERVER_NAME/);
  });
});
