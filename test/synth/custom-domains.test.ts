/**
 * A stack with custom domains, synthesized end to end under the mocks: the staging stack file
 * plus a `customDomains` block. Proves the wiring the component tests cannot: the gateway's .env
 * and dns-cache's ConfigMap carry the same registry, the ingress Gateway serves each domain with
 * its Certificate's Secret, the public VirtualService routes them to the gateway, the rule and
 * PodMonitor exist, every object validates, and the policy pack finds no mandatory violation.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseDotenv } from "dotenv";
import { evaluatePolicies, fromSynth } from "../../policies/core/evaluate";
import { packConfigFor } from "../../policies/core/stack-config";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import { evaluateRoute } from "../../policies/routing/evaluate";
import { shortName } from "../../policies/routing/hosts";
import { kubeManifests, synthStack, type SynthResult } from "../../scripts/synth";
import type { KubeManifest } from "../../scripts/synth/manifests";
import { validateManifest } from "../support/kube-schema";

const DOMAINS = { "telemetry.tenant-a.com": "tenant-a", "metrics.tenant-b.io": "tenant-b" };
const TENANTS = { "tenant-a": ["web", "tenant-a-*"], "tenant-b": ["metrics"] };
const tenantsYaml = `    tenants:\n${Object.entries(TENANTS).map(([t, p]) => `      ${t}: ${JSON.stringify(p)}`).join("\n")}\n`;
let result: SynthResult;
let manifests: KubeManifest[];
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name) as KubeManifest & Record<string, any>;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), "custom-domains-")), "Pulumi.staging-us-east-1.yaml");
  const base = readFileSync(join(__dirname, "../../stacks/Pulumi.staging-us-east-1.yaml"), "utf8");
  writeFileSync(file, `${base}\n  platform:customDomains:\n    domains:\n${Object.entries(DOMAINS).map(([d, t]) => `      ${d}: ${t}`).join("\n")}\n${tenantsYaml}    intervalSeconds: 300\n`);
  result = await synthStack("staging-us-east-1", { configFile: file });
  manifests = kubeManifests(result.resources);
}, 300_000);

describe("a stack with custom domains", () => {
  it("validates every object (cert-manager's Certificate by shape: no schema model here)", async () => {
    for (const m of manifests.filter((m) => m.kind !== "Certificate")) await validateManifest(m);
    const certs = manifests.filter((m) => m.kind === "Certificate") as (KubeManifest & Record<string, any>)[];
    expect(certs.map((c) => [c.metadata.namespace, c.spec.dnsNames, c.spec.secretName, c.spec.issuerRef])).toEqual([
      ["istio-system", ["metrics.tenant-b.io"], "custom-domain-metrics-tenant-b-io-tls", { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt" }],
      ["istio-system", ["telemetry.tenant-a.com"], "custom-domain-telemetry-tenant-a-com-tls", { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt" }],
    ]);
  });

  it("the ingress Gateway serves each domain with its own certificate, and routes it to the gateway", () => {
    const gw = find("Gateway", "public");
    const https = gw.spec.servers.filter((s: any) => s.port.protocol === "HTTPS").map((s: any) => [s.hosts, s.tls.credentialName]);
    expect(https).toEqual([
      [["api.staging.telemetry.example.com"], "gateway-tls"],
      [["metrics.tenant-b.io"], "custom-domain-metrics-tenant-b-io-tls"],
      [["telemetry.tenant-a.com"], "custom-domain-telemetry-tenant-a-com-tls"],
    ]);
    const resources = fromSynth(result.resources);
    for (const host of Object.keys(DOMAINS)) {
      const d = evaluateRoute(resources, { authority: host, method: "GET", path: "/api/telemetry/query", headers: {} }, {});
      expect(d?.destination ? shortName(d.destination.host) : undefined, host).toBe("gateway");
    }
  });

  it("gateway and dns-cache read the same registry and public host", () => {
    const gatewayEnv = parseDotenv(find("ConfigMap", "gateway-config").data["gateway.env"]);
    const dnsEnv = find("ConfigMap", "dns-cache-config").data;
    expect(JSON.parse(gatewayEnv.CUSTOM_DOMAINS!)).toEqual(DOMAINS);
    expect(JSON.parse(dnsEnv.CUSTOM_DOMAINS)).toEqual(DOMAINS);
    expect(gatewayEnv.PUBLIC_HOST).toBe("api.staging.telemetry.example.com");
    expect(dnsEnv.PUBLIC_HOST).toBe("api.staging.telemetry.example.com");
    expect(dnsEnv.INTERVAL_SECONDS).toBe("300");
    expect(gatewayEnv.DNS_TIMEOUT_MS).toBe("250");
    expect(dnsEnv.REDIS_HOST).toBe(gatewayEnv.REDIS_HOST);
    // The password reaches dns-cache only as a Secret reference, never in its ConfigMap.
    expect(Object.keys(dnsEnv)).not.toContain("REDIS_PASSWORD");
    const container = find("Deployment", "dns-cache").spec.template.spec.containers[0];
    expect(container.env.find((e: any) => e.name === "REDIS_PASSWORD")?.valueFrom?.secretKeyRef).toBeTruthy();
  });

  it("both telemetry roles get the tenants' sources and the key that verifies the signed tenant", () => {
    for (const role of ["command", "query"]) {
      const env = find("Deployment", `telemetry-${role}`).spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
      expect(JSON.parse(env.find((e) => e.name === "TENANT_SOURCES")!.value!), role).toEqual(TENANTS);
      // The same Secret the gateway signs with, by reference only.
      expect(env.find((e) => e.name === "SUBJECT_KEY")?.valueFrom?.secretKeyRef?.name, role).toBe("gateway-subject");
    }
  });

  it("scrapes dns-cache and carries the run-not-completed rule", () => {
    expect(find("PodMonitor", "dns-cache").spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "dns-cache", "app.kubernetes.io/component": "dns-cache" });
    const rules = find("PrometheusRule", "platform-alerts").spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(rules).toContain("DnsCacheRunNotCompleted");
  });

  it("prod: dns-cache runs one replica per zone with a PDB, and the pack passes there too", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "custom-domains-")), "Pulumi.prod-us-east-1.yaml");
    const base = readFileSync(join(__dirname, "../../stacks/Pulumi.prod-us-east-1.yaml"), "utf8");
    writeFileSync(file, `${base}\n  platform:customDomains:\n    domains:\n      telemetry.tenant-a.com: tenant-a\n    tenants:\n      tenant-a: ["web"]\n`);
    const prod = await synthStack("prod-us-east-1", { configFile: file });
    const objs = kubeManifests(prod.resources) as (KubeManifest & Record<string, any>)[];
    const d = objs.find((m) => m.kind === "Deployment" && m.metadata.name === "dns-cache")!;
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.topologySpreadConstraints.find((c: any) => c.topologyKey === "topology.kubernetes.io/zone").whenUnsatisfiable).toBe("DoNotSchedule");
    expect(objs.find((m) => m.kind === "PodDisruptionBudget" && m.metadata.name === "dns-cache")).toBeTruthy();
    const violations = evaluatePolicies(fromSynth(prod.resources), PLATFORM_POLICIES, packConfigFor("prod-us-east-1"))
      .filter((v) => v.enforcementLevel === "mandatory")
      .map((v) => `${v.policy}: ${v.resource}: ${v.message}`);
    expect(violations).toEqual([]);
  }, 120_000);

  it("has zero mandatory policy violations", () => {
    const violations = evaluatePolicies(fromSynth(result.resources), PLATFORM_POLICIES, packConfigFor("staging-us-east-1"))
      .filter((v) => v.enforcementLevel === "mandatory")
      .map((v) => `${v.policy}: ${v.resource}: ${v.message}`);
    expect(violations).toEqual([]);
  });
});
