import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../stacks/config";
import { cloudNetwork, problemsOf } from "./support";

describe("customDomains config", () => {
  it("defaults: no domains, a 600 s interval on every stage", () => {
    for (const stack of ["dev-us-east-1", "staging-us-east-1", "prod-us-east-1"]) {
      expect(resolveConfig(stack, cloudNetwork).customDomains).toMatchObject({ domains: {}, intervalSeconds: 600 });
    }
  });

  it("lists every bad value at once, with its key path", () => {
    const problems = problemsOf(() =>
      resolveConfig("prod-us-east-1", {
        ...cloudNetwork,
        customDomains: {
          domains: { "Telemetry.Tenant.com": "tenant-a", "*.tenant-b.io": "b", "ok.tenant-c.io": "Tenant C", "api.telemetry.example.com": "x" },
          intervalSeconds: 5,
          dnsServers: ["8.8.8.8; rm"],
          certIssuer: { kind: "Vault", name: "" },
        },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^customDomains\.domains\.Telemetry\.Tenant\.com: .*lower-case domain name/),
        expect.stringMatching(/^customDomains\.domains\.\*\.tenant-b\.io: .*no wildcard/),
        expect.stringMatching(/^customDomains\.domains\.ok\.tenant-c\.io: expected a tenant id/),
        expect.stringMatching(/^customDomains\.intervalSeconds: /),
        expect.stringMatching(/^customDomains\.dnsServers\.0: expected host or host:port/),
        expect.stringMatching(/^customDomains\.certIssuer\.kind: /),
        expect.stringMatching(/^customDomains\.certIssuer\.name: /),
      ]),
    );
  });

  it("refuses the public host as a custom domain, and a local stack without the dns-cache image", () => {
    expect(problemsOf(() => resolveConfig("prod-us-east-1", { ...cloudNetwork, customDomains: { domains: { "api.telemetry.example.com": "a" }, tenants: { a: ["a-*"] } } }))).toEqual([
      'customDomains.domains: "api.telemetry.example.com" is gateway.publicHost itself, not a custom domain',
    ]);
    expect(problemsOf(() => resolveConfig("local", { images: { gateway: "g", telemetry: "t" }, customDomains: { domains: { "t.tenant-a.com": "a" }, tenants: { a: ["a-*"] } } }))).toEqual([
      "images.dnsCache: required for the local stack when customDomains.domains is not empty",
    ]);
  });

  it("a stack file's domains are used as given", () => {
    const cfg = resolveConfig("prod-us-east-1", { ...cloudNetwork, customDomains: { domains: { "t.tenant-a.com": "tenant-a" }, tenants: { "tenant-a": ["web", "app-*"] }, intervalSeconds: 900 } });
    expect(cfg.customDomains).toMatchObject({ domains: { "t.tenant-a.com": "tenant-a" }, tenants: { "tenant-a": ["web", "app-*"] }, intervalSeconds: 900, dnsTimeoutMs: 2000, gatewayDnsTimeoutMs: 250 });
  });

  it("names each bad tenant id and source pattern", () => {
    const problems = problemsOf(() =>
      resolveConfig("prod-us-east-1", {
        ...cloudNetwork,
        customDomains: { domains: { "t.tenant-a.com": "tenant-a" }, tenants: { "tenant-a": ["web", "*"], "tenant-c": ["a*b", ""], "Bad Tenant": ["x"], "tenant-d": [] } },
      }),
    );
    expect(problems).toEqual([
      "customDomains.tenants.Bad Tenant: expected a tenant id: a-z, 0-9, - (at most 63)",
      'customDomains.tenants: tenant-a[1]: "*" alone would allow every source (a tenant is a restriction; name its sources or a prefix)',
      'customDomains.tenants: tenant-c[0]: "a*b": "*" may only end a pattern (a prefix)',
      "customDomains.tenants: tenant-c[1]: must not be empty",
      "customDomains.tenants: tenant-d: must list at least one source pattern",
    ]);
  });

  it("every tenant a domain names must be in the registry (each domain named)", () => {
    const problems = problemsOf(() =>
      resolveConfig("prod-us-east-1", {
        ...cloudNetwork,
        customDomains: { domains: { "t.tenant-a.com": "tenant-a", "x.tenant-b.com": "tenant-b", "y.tenant-c.com": "tenant-c" }, tenants: { "tenant-a": ["web"] } },
      }),
    );
    expect(problems).toEqual([
      'customDomains.domains["x.tenant-b.com"]: tenant "tenant-b" is not in customDomains.tenants (which sources may it touch?)',
      'customDomains.domains["y.tenant-c.com"]: tenant "tenant-c" is not in customDomains.tenants (which sources may it touch?)',
    ]);
  });

  it("defaults to no tenants", () => {
    expect(resolveConfig("dev-us-east-1", cloudNetwork).customDomains.tenants).toEqual({});
  });
});
