import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { kubeManifests, type KubeManifest } from "../../../scripts/synth/manifests";
import { validateManifest } from "../../support/kube-schema";

let recorded: SynthResource[];
let C: typeof import("../../../components/dns-cache");
let objects: KubeManifest[];
const args = () => ({
  image: "registry/dns-cache@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  domains: { "telemetry.tenant-a.com": "tenant-a", "metrics.tenant-b.io": "tenant-b" },
  publicHost: "api.telemetry.example.com",
  redis: { host: "redis.platform.svc.cluster.local", passwordSecretName: "redis-auth" },
  certificates: { issuer: { kind: "ClusterIssuer" as const, name: "letsencrypt" } },
});
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as KubeManifest & Record<string, any>;

beforeAll(async () => {
  recorded = await installMocks({ stack: "prod-eu-west-1" });
  C = await import("../../../components/dns-cache/index.js");
  const c = new C.DnsCache("dns-cache", args());
  const urn = await valueOf(c.urn);
  await new Promise((r) => setTimeout(r, 50));
  objects = kubeManifests(recorded.filter((r) => r.parent === urn));
});

describe("DnsCache", () => {
  it("declares the ConfigMap, one Deployment replica and a Certificate per domain", async () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      "Certificate/istio-system/custom-domain-metrics-tenant-b-io",
      "Certificate/istio-system/custom-domain-telemetry-tenant-a-com",
      "ConfigMap/platform/dns-cache-config",
      "Deployment/platform/dns-cache",
    ]);
    for (const o of objects.filter((o) => o.kind !== "Certificate")) await validateManifest(o);
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/managed-by": "pulumi" });
    const d = find("Deployment", "dns-cache");
    expect(d.spec.replicas).toBe(1);
    const pod = d.spec.template;
    expect(pod.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "9464" });
    const container = pod.spec.containers[0];
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.envFrom).toEqual([{ configMapRef: { name: "dns-cache-config" } }]);
    expect(container.env).toEqual([{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } }]);
  });

  it("renders the app's own env keys, the registry sorted", () => {
    expect(find("ConfigMap", "dns-cache-config").data).toEqual({
      CUSTOM_DOMAINS: JSON.stringify({ "metrics.tenant-b.io": "tenant-b", "telemetry.tenant-a.com": "tenant-a" }),
      PUBLIC_HOST: "api.telemetry.example.com",
      INTERVAL_SECONDS: "600",
      DNS_SERVERS: "",
      DNS_TIMEOUT_MS: "2000",
      REDIS_HOST: "redis.platform.svc.cluster.local",
      REDIS_PORT: "6379",
      REDIS_TLS: "false",
      METRICS_PORT: "9464",
    });
  });

  it("lists every bad argument at once", () => {
    expect(
      () =>
        new C.DnsCache("bad", {
          ...args(),
          domains: { "Bad.Domain": "tenant-a", "api.telemetry.example.com": "x", "ok.tenant.io": "Not A Tenant" },
          intervalSeconds: 30,
          dnsTimeoutMs: 0,
        }),
    ).toThrow(
      new RegExp(
        [
          'domains\\["Bad.Domain"\\]: is not a lower-case domain name',
          'domains\\["api.telemetry.example.com"\\]: is the public host itself',
          'domains\\["ok.tenant.io"\\]: tenant "Not A Tenant"',
          "intervalSeconds: 30 must be an integer >= 60",
          "dnsTimeoutMs: 0 must be",
        ].join("[\\s\\S]*"),
      ),
    );
    expect(() => new C.DnsCache("empty", { ...args(), domains: {} })).toThrow(/domains: must bind at least one custom domain/);
  });
});
