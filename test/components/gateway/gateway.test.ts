import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { kubeManifests, type KubeManifest } from "../../../scripts/synth/manifests";
import { validateManifest } from "../../support/kube-schema";
import { contentHash } from "../../../components/shared/hash";

const JWT_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE-test-jwt-key\n-----END PUBLIC KEY-----";
const REDIS_PASSWORD = "redis-auth-token-do-not-leak";

let recorded: SynthResource[];
let G: typeof import("../../../components/gateway");

const base = {
  image: "registry.example.com/gateway@sha256:abc",
  region: "eu-west-1",
  stage: "prod",
  size: { cpuMillis: 1000, memoryMiB: 1024 },
  jwt: { algorithm: "RS256" as const, issuer: "https://auth.example.com/", audience: "telemetry-api" },
};

/** Declares a Gateway and returns the manifests of its own children. */
async function declare(name: string, args: import("../../../components/gateway").GatewayArgs) {
  const gw = new G.Gateway(name, args);
  const urn = await valueOf(gw.urn);
  await valueOf(gw.configHash);
  await new Promise((r) => setTimeout(r, 50));
  const children = recorded.filter((r) => r.parent === urn);
  return { gw, children, manifests: kubeManifests(children) };
}

const byKind = (ms: KubeManifest[], kind: string) => ms.filter((m) => m.kind === kind);
const one = (ms: KubeManifest[], kind: string) => {
  const found = byKind(ms, kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as any;
};

beforeAll(async () => {
  recorded = await installMocks({ stack: "prod-eu-west-1" });
  G = await import("../../../components/gateway/index.js");
});

describe("Gateway (autoscaled, new Secrets)", () => {
  let out: Awaited<ReturnType<typeof declare>>;
  beforeAll(async () => {
    out = await declare("gw-prod", {
      ...base,
      minReplicas: 3,
      maxReplicas: 20,
      targetCpuPercent: 65,
      jwt: { ...base.jwt, key: pulumi.secret(JWT_KEY) },
      redis: { host: pulumi.output("master.cache.amazonaws.com"), port: 6379, tls: true, password: pulumi.secret(REDIS_PASSWORD) },
    });
  });

  it("declares Secrets, ConfigMap, Deployment, Service, HPA and PDB, all labelled", () => {
    expect(out.manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      "ConfigMap/gateway-config",
      "Deployment/gateway",
      "HorizontalPodAutoscaler/gateway",
      "PodDisruptionBudget/gateway",
      "Secret/gateway-jwt",
      "Secret/gateway-redis",
      "Service/gateway",
    ]);
    for (const m of out.manifests) {
      expect(m.metadata.namespace).toBe("platform");
      expect(m.metadata.labels).toEqual({
        "app.kubernetes.io/name": "gateway",
        "app.kubernetes.io/component": "gateway",
        "app.kubernetes.io/part-of": "platform",
        "app.kubernetes.io/managed-by": "pulumi",
      });
    }
  });

  it("validates every object against its Kubernetes schema", async () => {
    for (const m of out.manifests) await validateManifest(m);
  });

  it("never records a secret value in plain text, and keeps REDIS_PASSWORD out of the .env", () => {
    const all = JSON.stringify(out.children);
    expect(all).not.toContain(REDIS_PASSWORD);
    expect(all).not.toContain("test-jwt-key");
    const env = one(out.manifests, "ConfigMap").data["gateway.env"] as string;
    expect(env).not.toMatch(/REDIS_PASSWORD/);
    expect(env).toMatch(/^REDIS_HOST=master\.cache\.amazonaws\.com$/m);
    expect(env).toMatch(/^JWT_KEY_FILE=\/etc\/gateway\/jwt\/key$/m);
    for (const s of byKind(out.manifests, "Secret") as any[]) expect(Object.values(s.stringData)).toEqual(["[secret]"]);
  });

  it("injects the Redis password by secretKeyRef and mounts the JWT key from a Secret volume", () => {
    const pod = one(out.manifests, "Deployment").spec.template.spec;
    const c = pod.containers[0];
    expect(c.env).toContainEqual({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "gateway-redis", key: "password" } } });
    expect(c.env).toContainEqual({ name: "GATEWAY_ENV_FILE", value: "/etc/gateway/gateway.env" });
    expect(c.env.every((e: any) => e.value === undefined || !String(e.value).includes(REDIS_PASSWORD))).toBe(true);
    const jwt = pod.volumes.find((v: any) => v.name === "jwt-key");
    expect(jwt.secret).toMatchObject({ secretName: "gateway-jwt", items: [{ key: "key", path: "key" }] });
    expect(c.volumeMounts).toContainEqual({ name: "jwt-key", mountPath: "/etc/gateway/jwt", readOnly: true });
    expect(c.volumeMounts).toContainEqual({ name: "config", mountPath: "/etc/gateway/gateway.env", subPath: "gateway.env", readOnly: true });
    expect(pod.volumes.find((v: any) => v.name === "config").configMap.name).toBe("gateway-config");
  });

  it("annotates the pod template with the hash of the .env", async () => {
    const env = one(out.manifests, "ConfigMap").data["gateway.env"] as string;
    const annotations = one(out.manifests, "Deployment").spec.template.metadata.annotations;
    expect(annotations[G.CONFIG_HASH_ANNOTATION]).toBe(contentHash(env));
    expect(await valueOf(out.gw.configHash)).toBe(contentHash(env));
  });

  it("sizes the container with memory request = limit, probes and a hardened security context", () => {
    const pod = one(out.manifests, "Deployment").spec.template.spec;
    const c = pod.containers[0];
    expect(c.resources).toEqual({ requests: { cpu: "1000m", memory: "1024Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.startupProbe.httpGet.path).toBe("/healthz");
    expect(c.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    // A read-only root still needs a writable /tmp.
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
  });

  it("leaves the replica count to the HPA, which scales on CPU between min and max", () => {
    const deploy = one(out.manifests, "Deployment");
    expect(deploy.spec.replicas).toBeUndefined();
    const hpa = one(out.manifests, "HorizontalPodAutoscaler");
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "gateway" },
      minReplicas: 3,
      maxReplicas: 20,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 65 } } }],
    });
  });

  it("allows one voluntary disruption at a time and exposes port 80 → http", () => {
    const pdb = one(out.manifests, "PodDisruptionBudget");
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "gateway", "app.kubernetes.io/component": "gateway" } } });
    const svc = one(out.manifests, "Service");
    expect(svc.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" }]);
    expect(svc.spec.selector).toEqual(pdb.spec.selector.matchLabels);
  });

  it("exposes typed outputs", async () => {
    expect(await valueOf(out.gw.serviceName)).toBe("gateway");
    expect(await valueOf(out.gw.servicePort)).toBe(80);
    expect(await valueOf(out.gw.deploymentName)).toBe("gateway");
  });

  it("routes /api/telemetry to the telemetry mesh host by default", async () => {
    const env = await valueOf(out.gw.envFile);
    const routesLine = env.split("\n").find((l) => l.startsWith("ROUTES="))!;
    const routes = JSON.parse(routesLine.slice("ROUTES=".length).replace(/^'|'$/g, ""));
    expect(routes).toEqual([
      { prefix: "/api/telemetry", upstream: "http://telemetry.platform.svc.cluster.local/api", kind: "buffered", auth: true, cacheTtlSeconds: 5, staleSeconds: 30, perUser: true },
    ]);
  });
});

describe("Gateway (single replica, existing Secret, no Redis password)", () => {
  let out: Awaited<ReturnType<typeof declare>>;
  beforeAll(async () => {
    out = await declare("gw-local", {
      ...base,
      region: "local",
      stage: "local",
      minReplicas: 1,
      maxReplicas: 1,
      size: { cpuMillis: 100, memoryMiB: 256 },
      jwt: { ...base.jwt, keySecretName: "dev-jwt", keySecretKey: "public.pem" },
      redis: { host: "redis.platform.svc.cluster.local" },
    });
  });

  it("declares no HPA, no PDB and no Secret, and pins the replica count", () => {
    expect(out.manifests.map((m) => m.kind).sort()).toEqual(["ConfigMap", "Deployment", "Service"]);
    expect(one(out.manifests, "Deployment").spec.replicas).toBe(1);
  });

  it("uses the existing JWT Secret and sets no REDIS_PASSWORD", () => {
    const pod = one(out.manifests, "Deployment").spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === "jwt-key").secret).toMatchObject({ secretName: "dev-jwt", items: [{ key: "public.pem", path: "key" }] });
    expect(pod.containers[0].env.map((e: any) => e.name)).toEqual(["GATEWAY_ENV_FILE"]);
    expect(pod.topologySpreadConstraints).toBeUndefined();
  });

  it("defaults Redis to 6379 without TLS and the L1 cache to a quarter of memory", () => {
    const env = one(out.manifests, "ConfigMap").data["gateway.env"] as string;
    expect(env).toMatch(/^REDIS_PORT=6379$/m);
    expect(env).toMatch(/^REDIS_TLS=false$/m);
    expect(env).toMatch(/^CACHE_L1_MAX_BYTES=67108864$/m);
    expect(env).toMatch(/^STAGE=local$/m);
  });

  it("validates every object against its Kubernetes schema", async () => {
    for (const m of out.manifests) await validateManifest(m);
  });
});

describe("Gateway config hash", () => {
  const args = { ...base, minReplicas: 1, maxReplicas: 1, jwt: { ...base.jwt, keySecretName: "jwt" } };

  it("is stable for the same config and changes when the config changes", async () => {
    const a = await declare("hash-a", args);
    const b = await declare("hash-b", args);
    const c = await declare("hash-c", { ...args, logLevel: "debug" });
    const d = await declare("hash-d", { ...args, redis: { host: pulumi.output("other-host") } });
    const [ha, hb, hc, hd] = await Promise.all([a, b, c, d].map((x) => valueOf(x.gw.configHash)));
    expect(ha).toBe(hb);
    expect(hc).not.toBe(ha);
    expect(hd).not.toBe(ha);
    expect(one(c.manifests, "Deployment").spec.template.metadata.annotations[G.CONFIG_HASH_ANNOTATION]).toBe(hc);
  });
});

describe("Gateway argument validation", () => {
  it("reports every bad argument at once, naming each", () => {
    let message = "";
    try {
      new G.Gateway("bad", {
        ...base,
        jwt: undefined,
        region: "EU West",
        minReplicas: 0,
        maxReplicas: -1,
        targetCpuPercent: 150,
        size: { cpuMillis: 0, memoryMiB: 256 },
        routes: [
          { prefix: "/a", upstream: "http://x", kind: "stream", auth: true },
          { prefix: "/a", upstream: "http://y", kind: "stream", auth: false },
        ],
        redis: { host: "h", password: "p", passwordSecretName: "s" },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const arg of ["region", "minReplicas", "maxReplicas", "targetCpuPercent", "size.cpuMillis", "routes", "jwt", "redis"]) {
      expect(message).toContain(`${arg}:`);
    }
    expect(message).toContain("EU West");
  });

  it("needs exactly one JWT key source", () => {
    expect(() => new G.Gateway("nokey", { ...base, minReplicas: 1, maxReplicas: 1 })).toThrow(/jwt: needs exactly one of key or keySecretName/);
  });
});

describe("Gateway subject signing and forwarding trust (issue #15)", () => {
  it("generates the subject key Secret, mounts it where the .env points, and trusts only the sidecar by default", async () => {
    const { loadGatewayConfig } = await import("../../../apps/gateway/src/config/index.js");
    const out = await declare("gw-subject", { ...base, minReplicas: 1, maxReplicas: 1, jwt: { ...base.jwt, keySecretName: "jwt" }, subjectSigning: true });
    const secret = one(out.manifests, "Secret");
    expect(secret.metadata.name).toBe("gateway-subject");
    expect(Object.values(secret.stringData)).toEqual(["[secret]"]);
    expect(await valueOf(out.gw.subjectKeySecretName)).toBe("gateway-subject");
    const pod = one(out.manifests, "Deployment").spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === "subject-key").secret).toMatchObject({ secretName: "gateway-subject", items: [{ key: "key", path: "key" }] });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "subject-key", mountPath: "/etc/gateway/subject", readOnly: true });
    const config = loadGatewayConfig({}, one(out.manifests, "ConfigMap").data["gateway.env"] as string);
    expect(config.subjectKeyFile).toBe("/etc/gateway/subject/key");
    expect(config.trustedProxies).toEqual(["127.0.0.0/8", "::1"]);
  });

  it("signs nothing by default and rejects a trusted proxy that is not an address", async () => {
    const out = await declare("gw-plain", { ...base, minReplicas: 1, maxReplicas: 1, jwt: { ...base.jwt, keySecretName: "jwt" }, trustedProxies: ["10.0.0.0/8"] });
    expect(byKind(out.manifests, "Secret")).toHaveLength(0);
    expect(await valueOf(out.gw.subjectKeySecretName)).toBeUndefined();
    expect(one(out.manifests, "ConfigMap").data["gateway.env"]).toMatch(/^TRUSTED_PROXIES=10.0.0.0\/8$/m);
    expect(() => new G.Gateway("gw-bad", { ...base, minReplicas: 1, maxReplicas: 1, jwt: { ...base.jwt, keySecretName: "jwt" }, trustedProxies: ["ingress", "10.0.0.0/33"] })).toThrow(
      /trustedProxies.*"ingress".*\n?.*trustedProxies.*"10.0.0.0\/33"|"ingress"[\s\S]*"10.0.0.0\/33"/,
    );
  });

  it("custom domains need subject signing (the tenant header is signed with that key)", () => {
    const customDomains = { publicHost: "api.example.com", domains: { "t.tenant-a.com": "tenant-a" } };
    expect(() => new G.Gateway("gw-cd", { ...base, minReplicas: 1, maxReplicas: 1, jwt: { ...base.jwt, keySecretName: "jwt" }, customDomains })).toThrow(/customDomains: needs subjectSigning: true/);
    expect(() => new G.Gateway("gw-cd-ok", { ...base, minReplicas: 1, maxReplicas: 1, jwt: { ...base.jwt, keySecretName: "jwt" }, customDomains, subjectSigning: true })).not.toThrow();
  });
});
