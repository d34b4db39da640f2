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
    expect(problemsOf(() => resolveConfig("prod-us-east-1", { ...cloudNetwork, customDomains: { domains: { "api.telemetry.example.com": "a" } } }))).toEqual([
      'customDomains.domains: "api.telemetry.example.com" is gateway.publicHost itself, not a custom domain',
    ]);
    expect(problemsOf(() => resolveConfig("local", { images: { gateway: "g", telemetry: "t" }, customDomains: { domains: { "t.tenant-a.com": "a" } } }))).toEqual([
      "images.dnsCache: required for the local stack when customDomains.domains is not empty",
    ]);
  });

  it("a stack file's domains are used as given", () => {
    const cfg = resolveConfig("prod-us-east-1", { ...cloudNetwork, customDomains: { domains: { "t.tenant-a.com": "tenant-a" }, intervalSeconds: 900 } });
    expect(cfg.customDomains).toMatchObject({ domains: { "t.tenant-a.com": "tenant-a" }, intervalSeconds: 900, dnsTimeoutMs: 2000, gatewayDnsTimeoutMs: 250 });
  });
});
