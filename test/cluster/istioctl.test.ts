/**
 * istioctl over every shipped stack's rendered objects (Istio's own analyzers and webhook
 * validation, not our models), through the same functions `npm run policy` runs
 * (policies/core/istioctl.ts): both must report nothing on every stack, and each must catch the
 * broken object it exists for.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { istioAnalyze, istioValidate, istioViolations, meshYaml, validationFindings } from "../../policies/core/istioctl";
import { manifestsYaml, SHIPPED_STACKS, synthStack } from "../../scripts/synth";
import { shippedStackObjects, type StackObjects } from "./support";

let stacks: StackObjects[];
beforeAll(async () => {
  stacks = await shippedStackObjects();
}, 600_000);

describe("istioctl analyze and validate", () => {
  it("analyze reports no message of any level on any stack", () => {
    expect(stacks.map((s) => s.stack)).toEqual([...SHIPPED_STACKS]);
    for (const s of stacks) expect(istioAnalyze(meshYaml(s.yaml)), s.stack).toEqual([]);
  });

  it("validate accepts every object of every stack without a warning", () => {
    for (const s of stacks) {
      const r = istioValidate(s.yaml);
      expect(r.status, `${s.stack}: ${r.output}`).toBe(0);
      // e.g. "may not provide Istio metrics and telemetry labels" (no app.kubernetes.io/version)
      expect(validationFindings(r.output), s.stack).toEqual([]);
      expect(r.output).toMatch(/" is valid$/);
    }
  });

  it("a stack with custom domains (an HTTPS server per domain, all hosts on the public VirtualService) passes both", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "custom-domains-")), "Pulumi.staging-us-east-1.yaml");
    const base = readFileSync(join(__dirname, "../../stacks/Pulumi.staging-us-east-1.yaml"), "utf8");
    writeFileSync(file, `${base}\n  platform:customDomains:\n    domains:\n      telemetry.tenant-a.com: tenant-a\n      metrics.tenant-b.io: tenant-b\n    tenants:\n      tenant-a: ["web"]\n      tenant-b: ["metrics"]\n`);
    const yaml = manifestsYaml((await synthStack("staging-us-east-1", { configFile: file })).resources);
    expect(yaml).toContain("custom-domain-telemetry-tenant-a-com-tls");
    expect(istioAnalyze(meshYaml(yaml))).toEqual([]);
    const r = istioValidate(yaml);
    expect(r.status, r.output).toBe(0);
    expect(validationFindings(r.output)).toEqual([]);
  }, 120_000);

  it("analyze names a VirtualService bound to a gateway that does not exist (IST0101)", () => {
    const local = stacks.find((s) => s.stack === "local")!;
    const vs = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "broken", namespace: "platform" },
      spec: { hosts: ["broken.example.com"], gateways: ["platform/no-such-gateway"], http: [{ route: [{ destination: { host: "gateway" } }] }] },
    };
    const yaml = `${local.yaml}---\n${stringify(vs)}`;
    const messages = istioAnalyze(meshYaml(yaml));
    expect(messages.map((m) => m.code)).toContain("IST0101");
    expect(messages.find((m) => m.code === "IST0101")?.message).toMatch(/no-such-gateway/);
    expect(istioViolations(yaml).map((v) => v.policy)).toContain("istioctl-analyze IST0101");
  });

  it("validate flags a Deployment whose pods lack the version label Istio's telemetry reads", () => {
    const local = stacks.find((s) => s.stack === "local")!;
    const r = istioValidate(local.yaml.replaceAll("app.kubernetes.io/version:", "app.kubernetes.io/not-version:"));
    expect(validationFindings(r.output).join("\n")).toMatch(/may not provide Istio metrics and telemetry labels/);
  });

  it("validate refuses negative retry attempts, which the API server's schema accepts", () => {
    const vs = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "broken-retries", namespace: "platform" },
      spec: { hosts: ["telemetry"], http: [{ retries: { attempts: -1 }, route: [{ destination: { host: "telemetry-query" } }] }] },
    };
    const r = istioValidate(stringify(vs));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/attempts/);
  });
});
