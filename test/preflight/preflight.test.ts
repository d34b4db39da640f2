import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { kubeManifests, SHIPPED_STACKS, synthStack } from "../../scripts/synth";
import { readStackConfig, REPO_ROOT, STACKS_DIR } from "../../scripts/synth/stacks";
import { evaluate, requirementsOf, type ClusterFacts, type Requirements } from "../../scripts/preflight/checks";
import { domainCertificate } from "../../components/dns-cache";
import type { KubeManifest } from "../../scripts/synth/manifests";
import { resolveConfig } from "../../stacks/config";
import { exampleLines, isExampleValue } from "../../stacks/config/examples";
import { platformSettings } from "../../stacks/read-config";

const run = promisify(execFile);
const stackFile = (stack: string) => readFileSync(join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8");

describe("example values in stack files", () => {
  it("finds marked lines and documentation-only names, ignores comments", () => {
    const yaml = ["# a comment about example.com", "config:", "  platform:org: acme  # EXAMPLE", "  platform:gateway:", "    publicHost: api.example.com", "    tlsSecretName: tls  # the real one"].join("\n");
    expect(exampleLines(yaml)).toEqual([
      { line: 3, text: "platform:org: acme", reason: "marked # EXAMPLE" },
      { line: 5, text: "publicHost: api.example.com", reason: "documentation-only name or account" },
    ]);
    expect(isExampleValue("arn:aws:eks:us-east-1:123456789012:cluster/x")).toBe(true);
    expect(isExampleValue("https://login.corp.io/")).toBe(false);
  });

  it("every shipped cloud stack still carries examples (they are templates); local carries none", () => {
    for (const stack of SHIPPED_STACKS) {
      const lines = exampleLines(stackFile(stack));
      if (stack === "local") expect(lines).toEqual([]);
      else expect(lines.map((l) => l.text).join("\n"), stack).toMatch(/platform:org: acme[\s\S]*subnetIds[\s\S]*securityGroupIds/);
    }
  });
});

/** A cluster with everything a stack needs. */
function completeFacts(req: Requirements): ClusterFacts {
  return {
    storageClasses: ["gp2", req.storageClass],
    apiServices: { "v1beta1.metrics.k8s.io": true },
    crds: req.customKinds.map((k) => ({ group: k.group, kind: k.kind, served: [k.version] })),
    ingressGatewayNamespaces: ["istio-ingress"],
    secrets: [`istio-ingress/${req.tlsSecretName}`, ...(req.jwtSecretName ? [`${req.namespace}/${req.jwtSecretName}`] : [])],
  };
}

describe("preflight decisions (injected cluster facts)", () => {
  let req: Requirements;
  let cfg: ReturnType<typeof resolveConfig>;
  let manifests: KubeManifest[];
  beforeAll(async () => {
    const stack = "prod-us-east-1";
    cfg = resolveConfig(stack, platformSettings(readStackConfig(stack)));
    manifests = kubeManifests((await synthStack(stack)).resources);
    req = requirementsOf(cfg, manifests, [], false);
  }, 120_000);

  it("derives what the prod stack needs from its config and manifests", () => {
    expect(req).toMatchObject({ storageClass: "gp3-encrypted", hpa: true, jwtSecretName: "gateway-jwt", tlsSecretName: "gateway-tls", namespace: "platform" });
    expect(req.customKinds).toEqual(
      expect.arrayContaining([
        { group: "networking.istio.io", version: "v1", kind: "VirtualService" },
        { group: "networking.istio.io", version: "v1", kind: "Gateway" },
        { group: "security.istio.io", version: "v1", kind: "PeerAuthentication" },
        { group: "monitoring.coreos.com", version: "v1", kind: "PrometheusRule" },
      ]),
    );
  });

  it("passes on a cluster that has everything", () => {
    const rows = evaluate(req, completeFacts(req));
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(rows.map((r) => r.check)).toEqual([
      "stack file has no example values",
      "StorageClass gp3-encrypted (Cassandra volumes)",
      "metrics-server (HPA metrics)",
      "ingress TLS Secret in istio-ingress",
      "prometheus-operator CRDs",
      "Istio >= 1.22 (v1 APIs)",
      "gateway JWT key Secret",
    ]);
  });

  it.each([
    ["StorageClass gp3-encrypted (Cassandra volumes)", (f: ClusterFacts) => ({ ...f, storageClasses: ["gp2"] }), /missing \(have: gp2\)/, /aws-ebs-csi-driver.*encrypted: "true"/],
    ["metrics-server (HPA metrics)", (f: ClusterFacts) => ({ ...f, apiServices: {} }), /no APIService v1beta1\.metrics\.k8s\.io/, /metrics-server/],
    ["metrics-server (HPA metrics)", (f: ClusterFacts) => ({ ...f, apiServices: { "v1beta1.metrics.k8s.io": false } }), /not Available/, /metrics-server/],
    ["ingress TLS Secret in istio-ingress", (f: ClusterFacts) => ({ ...f, secrets: f.secrets.filter((s) => !s.startsWith("istio-ingress/")) }), /no Secret istio-ingress\/gateway-tls/, /create secret tls gateway-tls/],
    ["Istio ingress gateway", (f: ClusterFacts) => ({ ...f, ingressGatewayNamespaces: [] }), /no pods labelled istio=ingressgateway/, /ingress gateway/],
    // Istio 1.21 and older serve only v1beta1/v1alpha3 of these kinds.
    ["Istio >= 1.22 (v1 APIs)", (f: ClusterFacts) => ({ ...f, crds: f.crds.map((c) => (c.group.endsWith("istio.io") ? { ...c, served: ["v1beta1", "v1alpha3"] } : c)) }), /not served: .*VirtualService networking\.istio\.io\/v1/, /1\.22 or later/],
    ["prometheus-operator CRDs", (f: ClusterFacts) => ({ ...f, crds: f.crds.filter((c) => c.group !== "monitoring.coreos.com") }), /not served: PodMonitor monitoring\.coreos\.com\/v1, PrometheusRule monitoring\.coreos\.com\/v1/, /prometheus-operator CRDs/],
    ["gateway JWT key Secret", (f: ClusterFacts) => ({ ...f, secrets: f.secrets.filter((s) => !s.startsWith("platform/")) }), /no Secret platform\/gateway-jwt/, /create secret generic gateway-jwt .*platform:jwtKey/],
  ])("reports %s when missing, with how to fix it", (check, breakIt, found, fix) => {
    const rows = evaluate(req, breakIt(completeFacts(req)));
    expect(rows.filter((r) => !r.ok)).toEqual([{ check, ok: false, found: expect.stringMatching(found), fix: expect.stringMatching(fix) }]);
  });

  it("refuses a stack file with example values, and an unreachable cluster", () => {
    const examples = exampleLines(stackFile("prod-us-east-1"));
    const rows = evaluate({ ...req, examples }, new Error("The connection to the server was refused"));
    expect(rows.map((r) => [r.check, r.ok])).toEqual([["stack file has no example values", false], ["cluster reachable", false]]);
    expect(rows[0]!.found).toMatch(/^\d+ in stacks\/Pulumi\.prod-us-east-1\.yaml, lines \d+(, \d+)+$/);
  });

  it("checks cert-manager's CRD only when the stack has custom domains (a Certificate per domain)", () => {
    expect(req.customKinds.some((k) => k.group === "cert-manager.io")).toBe(false);
    const cert = domainCertificate({ domain: "t.tenant-a.com", namespace: "istio-system", issuer: { kind: "ClusterIssuer", name: "letsencrypt" } }) as KubeManifest;
    const withDomains = requirementsOf(cfg, [...manifests, cert], [], false);
    const label = "cert-manager CRDs (a Certificate per custom domain)";
    expect(evaluate(withDomains, completeFacts(withDomains)).find((r) => r.check === label)).toMatchObject({ ok: true, found: "served: Certificate cert-manager.io/v1" });
    const without = { ...completeFacts(withDomains), crds: completeFacts(withDomains).crds.filter((c) => c.group !== "cert-manager.io") };
    expect(evaluate(withDomains, without).filter((r) => !r.ok)).toEqual([
      { check: label, ok: false, found: "not served: Certificate cert-manager.io/v1", fix: expect.stringMatching(/install cert-manager .*platform:customDomains\.certIssuer/) },
    ]);
  });

  it("needs no JWT Secret when the key is the Pulumi secret platform:jwtKey", () => {
    expect(requirementsOf(cfg, [], [], true).jwtSecretName).toBeUndefined();
  });
});

describe("npm run preflight (CLI, against a stand-in kubectl)", () => {
  const dir = mkdtempSync(join(tmpdir(), "preflight-"));
  symlinkSync(join(__dirname, "fake-kubectl.mjs"), join(dir, "kubectl"));
  const cluster = {
    storageclasses: [{ metadata: { name: "standard" } }],
    customresourcedefinitions: [
      ...["Gateway", "VirtualService", "DestinationRule"].map((kind) => ({ spec: { group: "networking.istio.io", names: { kind }, versions: [{ name: "v1", served: true }, { name: "v1beta1", served: true }] } })),
      { spec: { group: "security.istio.io", names: { kind: "PeerAuthentication" }, versions: [{ name: "v1", served: true }] } },
      // The alert rules and the scrape monitors (issue 19).
      ...["PrometheusRule", "PodMonitor"].map((kind) => ({ spec: { group: "monitoring.coreos.com", names: { kind }, versions: [{ name: "v1", served: true }] } })),
    ],
    apiservice: [],
    pods: [{ metadata: { name: "istio-ingressgateway-0", namespace: "istio-system" } }],
    secret: [{ metadata: { name: "gateway-tls", namespace: "istio-system" } }, { metadata: { name: "gateway-jwt", namespace: "platform" } }],
  };
  const preflight = async (stack: string, facts: object, ...extra: string[]) => {
    const file = join(dir, `cluster-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(facts));
    try {
      const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/preflight/cli.ts", "--stack", stack, ...extra], {
        cwd: REPO_ROOT,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_KUBE_CLUSTER: file },
      });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, stdout: e.stdout };
    }
  };

  it("reads the cluster with kubectl, exits 1 and names the missing prerequisite with its fix", async () => {
    const { code, stdout } = await preflight("local", { ...cluster, secret: cluster.secret.filter((s) => s.metadata.namespace !== "istio-system") });
    // Everything else the local stack needs is there: only the TLS Secret is missing.
    expect(stdout.match(/^ok +│ .*$/gm)?.map((l) => l.split("│")[1]!.trim())).toEqual([
      "stack file has no example values",
      "StorageClass standard (Cassandra volumes)",
      "prometheus-operator CRDs",
      "Istio >= 1.22 (v1 APIs)",
      "gateway JWT key Secret",
    ]);
    expect(stdout).toMatch(/MISSING │ ingress TLS Secret in istio-system\s+│ no Secret istio-system\/gateway-tls/);
    expect(stdout).toContain("preflight local: 1 of 6 checks failed");
    expect(code).toBe(1);
  });

  it("--examples-only refuses a cloud stack that still carries example values, without a cluster", async () => {
    const { code, stdout } = await preflight("dev-us-east-1", { unreachable: true }, "--examples-only");
    expect(stdout).toMatch(/MISSING │ stack file has no example values/);
    expect(code).toBe(1);
  });
});
