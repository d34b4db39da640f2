import { createHmac, randomUUID } from "node:crypto";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSubject, signTenant } from "../../../apps/gateway/src/auth/subject.js";
import { compileTenantRegistry } from "../../../apps/telemetry/src/core/tenants.js";
import { utcDay } from "../../../apps/telemetry/src/core/ids.js";
import { createTelemetryServer } from "../../../apps/telemetry/src/server.js";
import { startDnsmasq, type Dnsmasq } from "../dns-cache/dnsmasq.js";
import { gatewayConfig, httpRequest, startGateway, tempFile, type TestGateway } from "../gateway/helpers.js";
import { ingest, silentLog, testClient, testConfig, type Running } from "./helpers.js";

/**
 * Tenants scope sources, with real servers: the telemetry command server on the real test
 * Cassandra, with a tenant registry and the subject key; the gateway's own signing function
 * makes the headers (so the two sides are checked to agree); and end to end, a real gateway
 * resolving a custom domain through a real dnsmasq (own port 15354) in front of that server.
 */
const KEY = "tenant-test-subject-key-0123456789abcdef";
const day = utcDay(Date.now());
const ts = new Date(Date.parse(`${day}T00:00:00.000Z`) + 7200_000).toISOString();
const run = randomUUID().slice(0, 8);
// Each tenant owns a prefix; both may use one shared source (to prove idempotency scopes do not meet).
const A = `ta-${run}-`;
const B = `tb-${run}-`;
const SHARED = `shared-${run}`;
const TENANTS = { "tenant-a": [`${A}*`, SHARED], "tenant-b": [`${B}*`, SHARED] };
const DNS_PORT = Number(process.env.TENANT_TEST_DNS_PORT ?? 15354);

const signed = (tenant: string) => ({ "x-platform-tenant": signTenant(tenant, Buffer.from(KEY), Date.now()) });
const events = (...sources: string[]) => ({ events: sources.map((source, i) => ({ level: "info", message: `m${i}`, source, timestamp: ts })) });

describe("tenants scope which sources a request may touch", () => {
  let cmd: Running;
  let client: Client;
  const count = async (source: string) =>
    Number((await client.execute("SELECT count(*) AS n FROM events WHERE source = ? AND day = ?", [source, day], { prepare: true })).first()!["n"]);
  const queryAs = async (source: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${cmd.url}/api/query?source=${encodeURIComponent(source)}&day=${day}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const app = createTelemetryServer({
      config: { ...testConfig(), subjectKey: Buffer.from(KEY), tenants: compileTenantRegistry(TENANTS) },
      log: silentLog,
      defaultMetrics: false,
    });
    cmd = { app, url: `http://127.0.0.1:${await app.listen(0, "127.0.0.1")}` };
    client = await testClient().get();
  });
  afterAll(async () => {
    await cmd?.app.shutdown();
    await client?.shutdown();
  });

  it("a tenant ingests into its own sources (202, rows present) and gets 403 for another tenant's, with nothing written", async () => {
    const mine = `${A}web`;
    expect((await ingest(cmd.url, events(mine), signed("tenant-a"))).status).toBe(202);
    expect(await count(mine)).toBe(1);
    const theirs = `${B}web`;
    const r = await ingest(cmd.url, events(theirs), signed("tenant-a"));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: "source_not_allowed", sources: [theirs] });
    expect(await count(theirs)).toBe(0);
  });

  it("a batch mixing the tenant's and another tenant's sources is refused whole: nothing written", async () => {
    const [mine, theirs] = [`${A}mixed`, `${B}mixed`];
    const r = await ingest(cmd.url, events(mine, theirs, mine), signed("tenant-a"));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: "source_not_allowed", sources: [theirs] });
    expect([await count(mine), await count(theirs)]).toEqual([0, 0]);
  });

  it("refuses a tenant header that does not verify (401, nothing written): forged, plain, a signed subject, stale", async () => {
    const source = `${A}forged`;
    const now = Math.floor(Date.now() / 1000);
    const b64 = Buffer.from("tenant-a").toString("base64url");
    const stalePayload = `t1.${now - 600}.${b64}`;
    for (const forged of [
      `t1.${now}.${b64}.${"A".repeat(43)}`,
      "tenant-a",
      signSubject("tenant-a", Buffer.from(KEY), Date.now()), // a valid subject is not a valid tenant
      `${stalePayload}.${createHmac("sha256", KEY).update(stalePayload).digest("base64url")}`,
      signTenant("tenant-a", Buffer.from("another-key-of-at-least-32-bytes-xxxx"), Date.now()),
    ]) {
      const r = await ingest(cmd.url, events(source), { "x-platform-tenant": forged });
      expect(r.status, forged).toBe(401);
      expect(r.body, forged).toMatchObject({ reason: "tenant_not_verified" });
    }
    expect(await count(source)).toBe(0);
  });

  it("a signed tenant the registry does not know gets 403 unknown_tenant, nothing written", async () => {
    const source = `${A}unknown`;
    const r = await ingest(cmd.url, events(source), signed("tenant-z"));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: "unknown_tenant", tenant: "tenant-z" });
    expect(await count(source)).toBe(0);
  });

  it("queries are scoped the same way", async () => {
    const mine = `${A}q`;
    expect((await ingest(cmd.url, events(mine), signed("tenant-a"))).status).toBe(202);
    const own = await queryAs(mine, signed("tenant-a"));
    expect(own.status).toBe(200);
    expect(own.body["events"]).toHaveLength(1);
    expect(await queryAs(mine, signed("tenant-b"))).toMatchObject({ status: 403, body: { reason: "source_not_allowed", sources: [mine] } });
    expect(await queryAs(mine, signed("tenant-z"))).toMatchObject({ status: 403, body: { reason: "unknown_tenant" } });
    expect((await queryAs(mine, { "x-platform-tenant": "tenant-a" })).status).toBe(401);
  });

  it("without a tenant (the public host) every source stays open, as before", async () => {
    const source = `${B}public`;
    expect((await ingest(cmd.url, events(source))).status).toBe(202);
    expect((await queryAs(source)).status).toBe(200);
  });

  it("two tenants using the same Idempotency-Key do not collide", async () => {
    const key = `same-${randomUUID()}`;
    const one = (tenant: string, message: string) =>
      ingest(cmd.url, { events: [{ level: "info", message, source: SHARED, timestamp: ts }] }, { ...signed(tenant), "idempotency-key": key });
    expect((await one("tenant-a", "a's")).status).toBe(202);
    // Before: one scope for both (no subject), so b's request was a 409 conflict with a's key.
    expect((await one("tenant-b", "b's")).status).toBe(202);
    expect(await count(SHARED)).toBe(2);
    // Each tenant's key still binds to that tenant's first body.
    expect((await one("tenant-b", "b's again")).status).toBe(409);
  });

  describe("end to end: real gateway on a custom domain → telemetry → Cassandra", () => {
    const PUBLIC = "api.platform.example";
    let dns: Dnsmasq;
    let g: TestGateway;
    const post = (host: string, body: unknown, headers: Record<string, string> = {}) =>
      httpRequest(`${g.url}/api/ingest`, { method: "POST", headers: { host, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

    beforeAll(async () => {
      dns = await startDnsmasq([`host:${PUBLIC},192.0.2.10`, `cname:telemetry.tenant-a.example,${PUBLIC}`, `cname:telemetry.tenant-b.example,${PUBLIC}`], DNS_PORT);
      g = await startGateway(
        gatewayConfig([{ prefix: "/api", upstream: `${cmd.url}/api`, kind: "buffered", auth: false }], {
          LOG_LEVEL: "silent",
          SUBJECT_KEY_FILE: tempFile("subject", KEY),
          PUBLIC_HOST: PUBLIC,
          CUSTOM_DOMAINS: JSON.stringify({ "telemetry.tenant-a.example": "tenant-a", "telemetry.tenant-b.example": "tenant-b" }),
          DNS_SERVERS: dns.server,
          DNS_TIMEOUT_MS: "500",
        }),
      );
    });
    afterAll(async () => {
      await g?.stop();
      await dns?.stop();
    });

    it("tenant A's domain writes A's sources and is refused B's, even when the client sends B's tenant header", async () => {
      const mine = `${A}e2e`;
      const theirs = `${B}e2e`;
      expect((await post("telemetry.tenant-a.example", events(mine))).status).toBe(202);
      expect(await count(mine)).toBe(1);
      const refused = await post("telemetry.tenant-a.example", events(theirs), { "x-platform-tenant": "tenant-b" });
      expect(refused.status).toBe(403);
      expect(refused.json()).toMatchObject({ reason: "source_not_allowed", sources: [theirs] });
      const mixed = await post("telemetry.tenant-a.example", events(`${A}e2e-mixed`, theirs));
      expect(mixed.status).toBe(403);
      expect([await count(theirs), await count(`${A}e2e-mixed`)]).toEqual([0, 0]);
      // B's own domain may write there; the public host is unscoped.
      expect((await post("telemetry.tenant-b.example", events(theirs))).status).toBe(202);
      expect((await post(PUBLIC, events(`${B}e2e-public`))).status).toBe(202);
      expect(await count(theirs)).toBe(1);
    });

    it("queries through tenant A's domain see A's sources only", async () => {
      const get = (host: string, source: string) => httpRequest(`${g.url}/api/query?source=${encodeURIComponent(source)}&day=${day}`, { headers: { host } });
      expect((await get("telemetry.tenant-a.example", `${A}e2e`)).status).toBe(200);
      expect((await get("telemetry.tenant-a.example", `${B}e2e`)).status).toBe(403);
      expect((await get("telemetry.tenant-b.example", `${B}e2e`)).json()).toMatchObject({ events: [expect.objectContaining({ source: `${B}e2e` })] });
    });
  });
});
