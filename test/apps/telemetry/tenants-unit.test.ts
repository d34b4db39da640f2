import { describe, expect, it } from "vitest";
import { signSubject, signTenant } from "../../../apps/gateway/src/auth/subject.js";
import { loadTelemetryConfig } from "../../../apps/telemetry/src/config/index.js";
import { resolveAccess } from "../../../apps/telemetry/src/core/access.js";
import { scopeOf, verifySubject, verifyTenant } from "../../../apps/telemetry/src/core/subject.js";
import { compileTenantRegistry, matchesSource, sourcePatternProblem, tenantRegistryProblems } from "../../../apps/telemetry/src/core/tenants.js";
import { TEST_ENV } from "./env.js";

/** The pure parts of tenant scoping: the pattern grammar, the registry, the signed header, the scope. */
const KEY = Buffer.from("unit-test-subject-key-0123456789abcdef");
const NOW = 1_800_000_000_000;

describe("source patterns", () => {
  it("accepts names and trailing-* prefixes; names what is wrong with the rest", () => {
    for (const ok of ["web", "app-*", "a b", "ü*"]) expect(sourcePatternProblem(ok), ok).toBeUndefined();
    expect(sourcePatternProblem("")).toBe("must not be empty");
    expect(sourcePatternProblem("*")).toMatch(/alone would allow every source/);
    expect(sourcePatternProblem("a*b")).toMatch(/may only end a pattern/);
    expect(sourcePatternProblem("a**")).toMatch(/may only end a pattern/);
    expect(sourcePatternProblem("x".repeat(129))).toMatch(/longer than a source \(128/);
    expect(sourcePatternProblem(`${"x".repeat(128)}*`)).toBeUndefined();
    expect(sourcePatternProblem("a\nb")).toBe("must not contain control characters");
    expect(sourcePatternProblem(7)).toBe("must be a string");
  });

  it("a registry lists every problem with tenant and index", () => {
    expect(tenantRegistryProblems({ a: ["ok", "*"], b: [], c: "web", d: ["x*y", ""] })).toEqual([
      'a[1]: "*" alone would allow every source (a tenant is a restriction; name its sources or a prefix)',
      "b: must list at least one source pattern",
      "c: must be a list of source patterns",
      'd[0]: "x*y": "*" may only end a pattern (a prefix)',
      "d[1]: must not be empty",
    ]);
    expect(tenantRegistryProblems([])).toHaveLength(1);
    expect(tenantRegistryProblems({ a: ["web", "app-*"] })).toEqual([]);
  });

  it("matches exact names and prefixes only", () => {
    const m = compileTenantRegistry({ a: ["web", "app-*"] }).get("a")!;
    expect(["web", "app-", "app-1", "app-x-y"].map((s) => matchesSource(m, s))).toEqual([true, true, true, true]);
    expect(["we", "webx", "app", "xapp-1", "APP-1"].map((s) => matchesSource(m, s))).toEqual([false, false, false, false, false]);
  });
});

describe("signed tenant header", () => {
  it("what the gateway signs, telemetry verifies", () => {
    expect(verifyTenant(signTenant("tenant-a", KEY, NOW), KEY, NOW)).toEqual({ ok: true, value: "tenant-a" });
    expect(verifyTenant(undefined, KEY, NOW)).toEqual({ ok: true, value: undefined });
  });

  it("refuses a wrong key, a stale or future one, a plain name, two copies, and a signed subject", () => {
    const bad = (v: string | string[], key: Buffer | null = KEY) => {
      const r = verifyTenant(v, key ?? undefined, NOW);
      return r.ok ? "ok" : r.reason;
    };
    expect(bad(signTenant("tenant-a", Buffer.from("x".repeat(32)), NOW))).toMatch(/bad signature/);
    expect(bad(signTenant("tenant-a", KEY, NOW - 121_000))).toMatch(/expired/);
    expect(bad(signTenant("tenant-a", KEY, NOW + 121_000))).toMatch(/expired/);
    expect(bad("tenant-a")).toMatch(/malformed/);
    expect(bad([signTenant("a", KEY, NOW), signTenant("b", KEY, NOW)])).toMatch(/sent once/);
    expect(bad(signSubject("tenant-a", KEY, NOW))).toMatch(/malformed/);
    // Without a key a tenant cannot be verified: refused, not ignored (the subject is ignored).
    expect(bad(signTenant("tenant-a", KEY, NOW), null)).toMatch(/cannot be verified/);
    // ...and a signed tenant is no subject.
    expect(verifySubject(signTenant("alice", KEY, NOW), KEY, NOW)).toMatchObject({ ok: false });
  });

  it("the idempotency scope carries the tenant, and is unchanged without one", () => {
    expect(scopeOf(undefined)).toBe("");
    expect(scopeOf("alice")).toBe("sub:alice");
    expect(scopeOf(undefined, "tenant-a")).toBe("t:tenant-a/");
    expect(scopeOf("alice", "tenant-a")).toBe("t:tenant-a/sub:alice");
    expect(scopeOf(undefined, "tenant-a")).not.toBe(scopeOf(undefined, "tenant-b"));
  });

  it("resolveAccess: tenant sources, unknown tenant, the public host, and the functions' caller", () => {
    const tenants = compileTenantRegistry({ "tenant-a": ["web"] });
    const a = resolveAccess({ tenantAssertion: signTenant("tenant-a", KEY, NOW) }, { subjectKey: KEY, tenants }, NOW);
    expect(a.ok && [a.access.tenant, a.access.allows!("web"), a.access.allows!("db")]).toEqual(["tenant-a", true, false]);
    const z = resolveAccess({ tenantAssertion: signTenant("tenant-z", KEY, NOW) }, { subjectKey: KEY, tenants }, NOW);
    expect(!z.ok && z.result).toMatchObject({ status: 403, reason: "unknown_tenant" });
    const pub = resolveAccess({}, { subjectKey: KEY, tenants }, NOW);
    expect(pub.ok && pub.access.allows).toBeUndefined();
    const forged = resolveAccess({ tenantAssertion: "tenant-a" }, { subjectKey: KEY, tenants }, NOW);
    expect(!forged.ok && forged.result).toMatchObject({ status: 401, reason: "tenant_not_verified" });
    // The Vercel functions' verified token decides there; no gateway header is consulted.
    const fn = resolveAccess({ tenantAssertion: "tenant-a" }, { caller: { subject: "svc", sources: new Set(["db"]) } }, NOW);
    expect(fn.ok && [fn.access.subject, fn.access.tenant, fn.access.allows!("db"), fn.access.allows!("web")]).toEqual(["svc", undefined, true, false]);
  });
});

describe("TENANT_SOURCES in the server's config", () => {
  it("is parsed, needs SUBJECT_KEY, and every bad entry is named", () => {
    const env = { ...TEST_ENV, SUBJECT_KEY: "k".repeat(32) };
    expect(loadTelemetryConfig(env).tenants.size).toBe(0);
    expect(loadTelemetryConfig({ ...env, TENANT_SOURCES: '{"tenant-a":["web"]}' }).tenants.get("tenant-a")?.exact).toEqual(new Set(["web"]));
    expect(() => loadTelemetryConfig({ ...TEST_ENV, TENANT_SOURCES: '{"tenant-a":["web"]}' })).toThrow(/TENANT_SOURCES needs SUBJECT_KEY/);
    expect(() => loadTelemetryConfig({ ...env, TENANT_SOURCES: "{" })).toThrow(/TENANT_SOURCES is not valid JSON/);
    expect(() => loadTelemetryConfig({ ...env, TENANT_SOURCES: '{"a":["*"],"b":["x*y"]}' })).toThrow(/TENANT_SOURCES a\[0\]: "\*" alone[\s\S]*TENANT_SOURCES b\[0\]/);
  });
});
