import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubeManifests, SHIPPED_STACKS, synthStack, writeSynthOutput, type SynthResult } from "../../scripts/synth";
import { validateManifest } from "../support/kube-schema";

// Every shipped stack, synthesized once for this file (one child process per stack).
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  for (const stack of SHIPPED_STACKS) results.set(stack, await synthStack(stack));
}, 600_000);

describe.each(SHIPPED_STACKS)("synth of %s", (stack) => {
  it("registers every Kubernetes object as its own resource, each schema-valid", async () => {
    const manifests = kubeManifests(results.get(stack)!.resources);
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) await validateManifest(m);
  });

  it("never shows a generated secret in plaintext", () => {
    // The mocks' fake random passwords start with "mock-": none may survive the masking.
    expect(JSON.stringify(results.get(stack)!.resources)).not.toMatch(/"mock-[0-9a-f]{16}"/);
  });

  it("uses the standard labels on every workload", () => {
    for (const m of kubeManifests(results.get(stack)!.resources)) {
      if (!["Deployment", "StatefulSet", "Service", "ConfigMap"].includes(m.kind)) continue;
      const labels = (m.metadata.labels ?? {}) as Record<string, string>;
      expect(labels["app.kubernetes.io/part-of"], `${m.kind}/${m.metadata.name}`).toBe("platform");
      expect(labels["app.kubernetes.io/managed-by"], `${m.kind}/${m.metadata.name}`).toBe("pulumi");
      expect(labels["app.kubernetes.io/name"], `${m.kind}/${m.metadata.name}`).toBeTruthy();
    }
  });
});

describe("synth output files", () => {
  it("are identical across two runs and parse back", async () => {
    const a = mkdtempSync(join(tmpdir(), "synth-a-"));
    const b = mkdtempSync(join(tmpdir(), "synth-b-"));
    const first = writeSynthOutput(results.get("prod-eu-west-1")!, a);
    const second = writeSynthOutput(await synthStack("prod-eu-west-1"), b);
    expect(readFileSync(second.manifests, "utf8")).toBe(readFileSync(first.manifests, "utf8"));
    expect(readFileSync(second.resources, "utf8")).toBe(readFileSync(first.resources, "utf8"));
    const docs = parseAllDocuments(readFileSync(first.manifests, "utf8"));
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    expect(docs[0].toJS().kind).toBe("Namespace"); // apply order: namespace first
    const entries = JSON.parse(readFileSync(first.resources, "utf8")) as { type: string; name: string; parent: string | null }[];
    expect(entries.find((e) => e.type === "pulumi:pulumi:Stack")?.parent).toBeNull();
    expect(entries.filter((e) => e.type !== "pulumi:pulumi:Stack").every((e) => e.parent)).toBe(true);
  });

  it("local declares no AWS and no Vercel resources", () => {
    const types = results.get("local")!.resources.map((r) => r.type);
    expect(types.filter((t) => t.startsWith("aws:") || t.startsWith("vercel:") || t.includes("providers:aws") || t.includes("providers:vercel"))).toEqual([]);
  });
});

describe("Cassandra access by role (least privilege)", () => {
  type Container = { name: string; env?: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[] };
  const secretRefs = (c: Container) => new Set((c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean));
  const podSpec = (m: object) => (m as { spec?: any }).spec?.template?.spec as { containers: Container[] } | undefined;

  it.each(SHIPPED_STACKS)("%s: each telemetry role logs in as its own role; only Cassandra and its schema (and rebuild) Job see the superuser", (stack) => {
    const manifests = kubeManifests(results.get(stack)!.resources);
    const deployment = (name: string) => manifests.find((m) => m.kind === "Deployment" && m.metadata.name === name)!;
    // Plus the gateway's subject-signing key, which scopes Idempotency-Keys per caller (issue #15).
    // Where the CQL port requires client certificates (the functions' endpoint: every cloud stack),
    // the apps present the in-cluster one (issue #18).
    const cert = stack === "local" ? [] : ["cassandra-client-tls"];
    expect([...secretRefs(podSpec(deployment("telemetry-command"))!.containers[0]!)]).toEqual(["cassandra-role-telemetry-command", "gateway-subject", ...cert]);
    expect([...secretRefs(podSpec(deployment("telemetry-query"))!.containers[0]!)]).toEqual(["cassandra-role-telemetry-query", ...cert]);
    const superuserReaders = manifests
      .filter((m) => podSpec(m)?.containers.some((c) => secretRefs(c).has("cassandra-credentials")))
      .map((m) => `${m.kind}/${m.metadata.name}`);
    expect(superuserReaders.length).toBeGreaterThan(0);
    // The rebuild Job of a joining region records its progress in platform_ops as the superuser.
    for (const r of superuserReaders) expect(r).toMatch(/^(StatefulSet\/cassandra-|Job\/cassandra-schema-|Job\/cassandra-rebuild-)/);
  });

  it("the founding region generates the role passwords; joining regions reuse its exported ones", () => {
    const rolePasswords = (stack: string) =>
      results.get(stack)!.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.startsWith("cassandra-role-")).map((r) => r.name);
    expect(rolePasswords("prod-us-east-1").sort()).toEqual(["cassandra-role-platform_backup", "cassandra-role-telemetry_command", "cassandra-role-telemetry_functions", "cassandra-role-telemetry_query"]);
    expect(rolePasswords("prod-eu-west-1")).toEqual([]);
    expect(rolePasswords("prod-ap-southeast-1")).toEqual([]);
  });
});

describe("what a real first `up` needs (issue 16)", () => {
  const kubeResource = (stack: string, kind: string, name: string) =>
    results.get(stack)!.resources.find((r) => r.custom && r.inputs.kind === kind && (r.inputs.metadata as { name?: string } | undefined)?.name === name);

  it.each(SHIPPED_STACKS)("%s: the telemetry Deployments wait for the Cassandra schema Job (their readiness needs the keyspace)", (stack) => {
    const job = results.get(stack)!.resources.find((r) => r.custom && r.inputs.kind === "Job" && String((r.inputs.metadata as { name: string }).name).startsWith("cassandra-schema-"));
    expect(job).toBeDefined();
    for (const name of ["telemetry-command", "telemetry-query"]) {
      expect(kubeResource(stack, "Deployment", name)!.dependsOn, `${stack} Deployment/${name}`).toContain(job!.urn);
    }
  });

  it("ECR repository names are unique across stacks (dev, staging and prod-us-east-1 share an account and region)", () => {
    const names = SHIPPED_STACKS.flatMap((s) => results.get(s)!.resources.filter((r) => r.type === "aws:ecr/repository:Repository").map((r) => r.inputs.name as string));
    expect(names.length).toBe(3 * (SHIPPED_STACKS.length - 1)); // gateway, telemetry and the medusa sidecar per cloud stack
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("Istio sidecar drain on rollout (issue 16)", () => {
  // What the apps do on stop: a preStop pause, then up to 25 s of in-flight drain (telemetry
  // shutdown(25_000); the gateway's drainMs is 10 s). Envoy's default drain is 5 s.
  const APP_DRAIN_SECONDS = 25;
  type Pod = { metadata?: { annotations?: Record<string, string> }; spec: { terminationGracePeriodSeconds?: number; containers: { lifecycle?: { preStop?: { exec?: { command: string[] } } } }[] } };
  const seconds = (d: string) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d);
    if (!m) throw new Error(`not a duration: ${d}`);
    return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as "ms" | "s" | "m"];
  };

  it.each(SHIPPED_STACKS)("%s: every meshed workload keeps its sidecar up while the app drains, within the grace period", (stack) => {
    const manifests = kubeManifests(results.get(stack)!.resources);
    const injected = new Set(manifests.filter((m) => m.kind === "Namespace" && (m.metadata.labels as Record<string, string> | undefined)?.["istio-injection"] === "enabled").map((m) => m.metadata.name));
    const meshed = manifests.flatMap((m) => {
      const pod = (m as { spec?: { template?: Pod } }).spec?.template;
      if (!pod || !injected.has(m.metadata.namespace)) return [];
      return pod.metadata?.annotations?.["sidecar.istio.io/inject"] === "false" ? [] : [{ id: `${m.kind}/${m.metadata.name}`, pod }];
    });
    expect(meshed.map((w) => w.id)).toEqual(expect.arrayContaining(["Deployment/gateway", "Deployment/telemetry-command", "Deployment/telemetry-query"]));
    for (const { id, pod } of meshed) {
      const proxyConfig = JSON.parse(pod.metadata?.annotations?.["proxy.istio.io/config"] ?? "{}") as { terminationDrainDuration?: string };
      expect(proxyConfig.terminationDrainDuration, `${id}: proxy.istio.io/config terminationDrainDuration`).toBeDefined();
      const drain = seconds(proxyConfig.terminationDrainDuration!);
      const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
      const preStop = Math.max(0, ...pod.spec.containers.map((c) => { const cmd = c.lifecycle?.preStop?.exec?.command; return cmd?.[0] === "sleep" ? Number(cmd[1]) : 0; }));
      if (preStop > 0) expect(drain, `${id}: sidecar drain covers preStop ${preStop}s + app drain ${APP_DRAIN_SECONDS}s`).toBeGreaterThanOrEqual(preStop + APP_DRAIN_SECONDS);
      expect(drain, `${id}: sidecar drain ends before the kubelet's SIGKILL (grace ${grace}s)`).toBeLessThan(grace);
    }
  });
});

describe("the Vercel functions' path to Cassandra (issue #18)", () => {
  const manifests = (stack: string) => kubeManifests(results.get(stack)!.resources) as any[];
  const publicCql = (stack: string) => manifests(stack).find((m) => m.kind === "Service" && m.metadata.name === "cassandra-public");

  it("cloud stacks publish CQL on an NLB limited to the configured ranges, in front of nodes requiring client certificates", () => {
    const svc = publicCql("dev-us-east-1")!;
    expect(svc.spec).toMatchObject({ type: "LoadBalancer", loadBalancerSourceRanges: ["192.0.2.0/24"], ports: [{ port: 9042, targetPort: 9042 }] });
    expect(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internet-facing");
    const sts = manifests("dev-us-east-1").find((m) => m.kind === "StatefulSet" && m.metadata.name.startsWith("cassandra-"))!;
    const yaml = sts.spec.template.spec.initContainers[0].command[2] as string;
    expect(yaml).toMatch(/client_encryption_options:\n  enabled: true\n  optional: false\n[\s\S]*?  truststore: \/etc\/cassandra-tls\/ca.pem\n  require_client_auth: true/);
    expect(publicCql("local")).toBeUndefined();
  });

  it("the functions get the LB address, TLS material and the JWT settings as Vercel variables; secrets sensitive", () => {
    const vars = results.get("dev-us-east-1")!.resources.filter((r) => r.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    const byKey = Object.fromEntries(vars.map((v) => [v.inputs.key as string, v.inputs as { sensitive: boolean }]));
    for (const k of ["CASSANDRA_TLS_KEY", "CASSANDRA_PASSWORD", "JWT_KEY"]) expect(byKey[k]?.sensitive, k).toBe(true);
    for (const k of ["CASSANDRA_TLS_CA", "CASSANDRA_TLS_CERT", "CASSANDRA_VIA_LOAD_BALANCER", "JWT_ALG", "JWT_ISSUER", "JWT_AUDIENCE"]) expect(byKey[k], k).toBeDefined();
  });
});
