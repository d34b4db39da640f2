import { describe, expect, it } from "vitest";
import { StatefulSet } from "kubernetes-models/apps/v1";
import { Secret, Service } from "kubernetes-models/v1";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { evaluatePolicies, fromSynth } from "../../../policies/core/evaluate";
import { SECURITY_POLICIES, SIZING_POLICIES } from "../../../policies/policy-list";

describe("Redis (in-cluster, local stage)", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "local" });
  const { Redis } = await import("../../../components/redis/index.js");
  const redis = new Redis("redis", { mode: "in-cluster", memoryMiB: 512, cpuMillis: 200 });
  const urn = await valueOf(redis.urn);
  await valueOf(redis.host);
  await new Promise((r) => setTimeout(r, 50));
  const kube = (kind: string) => recorded.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => r.inputs as any);

  it("creates a StatefulSet, a Service and the redis-auth Secret, and nothing in AWS", () => {
    expect(kube("StatefulSet").map((s) => s.metadata.name)).toEqual(["redis"]);
    expect(kube("Service").map((s) => s.metadata.name)).toEqual(["redis"]);
    expect(kube("Secret").map((s) => s.metadata.name)).toEqual(["redis-auth"]);
    expect(recorded.filter((r) => r.type.startsWith("aws:"))).toHaveLength(0);
    for (const r of recorded.filter((x) => x.custom)) expect(r.parent, r.name).toBe(urn);
  });

  it("passes the password by env reference, bounds memory with allkeys-lru, hardens the pod", () => {
    const sts = kube("StatefulSet")[0];
    const pod = sts.spec.template.spec;
    const c = pod.containers[0];
    expect(c.args).toEqual(["--requirepass", "$(REDIS_PASSWORD)", "--maxmemory", "384mb", "--maxmemory-policy", "allkeys-lru", "--save", "", "--appendonly", "no"]);
    expect(c.env).toEqual([{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } }]);
    expect(c.resources).toEqual({ requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "200m", memory: "512Mi" } });
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    expect(c.readinessProbe.exec.command.join(" ")).toContain("REDISCLI_AUTH");
    expect(c.livenessProbe.tcpSocket.port).toBe(6379);
    expect(c.volumeMounts).toEqual([{ name: "data", mountPath: "/data" }]);
    expect(sts.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "redis", "app.kubernetes.io/component": "cache" });
    expect(kube("Service")[0].spec.selector).toEqual(sts.spec.selector.matchLabels);
    for (const o of [sts, kube("Service")[0], kube("Secret")[0]]) {
      expect(o.metadata.labels).toMatchObject({ "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/managed-by": "pulumi" });
    }
  });

  it("keeps the generated password out of every recorded input", async () => {
    const pw = recorded.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
    const { fakeState } = await import("../../../scripts/synth/fakes.js");
    const value = fakeState({ type: pw.type, name: pw.name, inputs: {} } as any).state.result as string;
    expect(JSON.stringify(recorded)).not.toContain(value);
    expect(kube("Secret")[0].stringData).toEqual({ password: "[secret]" });
  });

  it("gives the same outputs as ElastiCache, without TLS", async () => {
    expect(await valueOf(redis.host)).toBe("redis.platform.svc.cluster.local");
    expect(await valueOf(redis.port)).toBe(6379);
    expect(await valueOf(redis.tls)).toBe(false);
    expect(await valueOf(redis.passwordSecretName)).toBe("redis-auth");
    expect(redis.passwordSecretKey).toBe("password");
    expect(redis.replicationGroupId).toBeUndefined();
    expect(await valueOf(redis.memberClusterIds)).toEqual([]);
  });

  it("emits only schema-valid Kubernetes objects", () => {
    new StatefulSet(kube("StatefulSet")[0]).validate();
    new Service(kube("Service")[0]).validate();
    new Secret({ ...kube("Secret")[0], stringData: { password: "x" } }).validate();
    expect(() => new StatefulSet({ ...kube("StatefulSet")[0], spec: { ...kube("StatefulSet")[0].spec, replicas: "one" } }).validate()).toThrow();
  });

  it("passes the platform's sizing and security policies", () => {
    const violations = evaluatePolicies(fromSynth(recorded), [...SIZING_POLICIES, ...SECURITY_POLICIES]);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });

  it("rejects ElastiCache-only settings and several nodes in-cluster", () => {
    expect(() => new Redis("bad", { mode: "in-cluster", nodes: 3, multiAz: true, memoryMiB: 10 })).toThrow(
      /nodes: in-cluster runs exactly 1 node, got 3[\s\S]*multiAz: multiAz\/automaticFailover are ElastiCache-only[\s\S]*memoryMiB: must be an integer >= 64, got 10/,
    );
  });
});
