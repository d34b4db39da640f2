import { describe, expect, it } from "vitest";
import { installMocks, valueOf, isSecretOutput, type SynthResource } from "../../../scripts/synth/mocks";

describe("Redis (elasticache, prod-like)", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "prod-us-east-1" });
  const { Redis } = await import("../../../components/redis/index.js");
  const redis = new Redis("redis", {
    mode: "elasticache",
    nodes: 3,
    nodeType: "cache.r7g.large",
    multiAz: true,
    automaticFailover: true,
    snapshotRetentionDays: 7,
    subnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"],
    securityGroupIds: ["sg-0123"],
  });
  const urn = await valueOf(redis.urn);
  await valueOf(redis.host);
  await new Promise((r) => setTimeout(r, 50));
  const one = (type: string) => {
    const found = recorded.filter((r) => r.type === type);
    expect(found, type).toHaveLength(1);
    return found[0].inputs as any;
  };

  it("creates a subnet group, an allkeys-lru parameter group, a replication group, a password and the redis-auth Secret", () => {
    expect(recorded.find((r) => r.type === "platform:data:Redis")?.urn).toBe(urn);
    expect(one("aws:elasticache/subnetGroup:SubnetGroup").subnetIds).toEqual(["subnet-0a", "subnet-0b", "subnet-0c"]);
    const params = one("aws:elasticache/parameterGroup:ParameterGroup");
    expect(params.family).toBe("redis7");
    expect(params.parameters).toEqual([{ name: "maxmemory-policy", value: "allkeys-lru" }]);
    expect(one("kubernetes:core/v1:Secret").metadata.name).toBe("redis-auth");
    expect(one("random:index/randomPassword:RandomPassword")).toMatchObject({ length: 64, special: false });
    expect(recorded.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")).toHaveLength(0);
    for (const r of recorded.filter((x) => x.custom)) expect(r.parent, r.name).toBe(urn);
  });

  it("changes the cache in its maintenance window unless applyImmediately is set", () => {
    expect(one("aws:elasticache/replicationGroup:ReplicationGroup").applyImmediately).toBe(false);
  });

  it("encrypts in transit and at rest, fails over across AZs, and wires subnet/parameter/security groups", () => {
    const rg = one("aws:elasticache/replicationGroup:ReplicationGroup");
    expect(rg).toMatchObject({
      engine: "redis",
      engineVersion: "7.1",
      nodeType: "cache.r7g.large",
      numCacheClusters: 3,
      port: 6379,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      atRestEncryptionEnabled: true,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      snapshotRetentionLimit: 7,
      securityGroupIds: ["sg-0123"],
      authToken: "[secret]",
    });
    // Subnet and parameter group names are provider auto-names, unknown to the mocks (the
    // fakes give them no `name`), so the wiring shows as registration order instead.
    const at = (t: string) => recorded.findIndex((r) => r.type === t);
    expect(at("aws:elasticache/subnetGroup:SubnetGroup")).toBeLessThan(at("aws:elasticache/replicationGroup:ReplicationGroup"));
    expect(at("aws:elasticache/parameterGroup:ParameterGroup")).toBeLessThan(at("aws:elasticache/replicationGroup:ReplicationGroup"));
  });

  it("keeps the auth token out of every recorded input", async () => {
    const pw = recorded.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
    const { fakeState } = await import("../../../scripts/synth/fakes.js");
    const token = fakeState({ type: pw.type, name: pw.name, inputs: {}, provider: "", id: undefined } as any).state.result as string;
    expect(token).toMatch(/^mock-/);
    expect(JSON.stringify(recorded)).not.toContain(token);
    expect(one("kubernetes:core/v1:Secret").stringData).toEqual({ password: "[secret]" });
  });

  it("exposes the primary endpoint with TLS and the Secret reference", async () => {
    expect(await valueOf(redis.host)).toMatch(/^master\.redis\..*\.cache\.amazonaws\.com$/);
    expect(await valueOf(redis.port)).toBe(6379);
    expect(await valueOf(redis.tls)).toBe(true);
    expect(await valueOf(redis.passwordSecretName)).toBe("redis-auth");
    expect(redis.passwordSecretKey).toBe("password");
    const id = await valueOf(redis.replicationGroupId!);
    expect(id).toBeTruthy();
    expect(await valueOf(redis.memberClusterIds)).toEqual([`${id}-001`, `${id}-002`, `${id}-003`]);
    expect(await isSecretOutput(redis.host)).toBe(false);
  });

  it("reports every argument problem at once", () => {
    let message = "";
    try {
      new Redis("bad", { mode: "elasticache", nodes: 1, multiAz: true, automaticFailover: false, engineVersion: "5.0", nodeType: "m5.large", snapshotRetentionDays: 99 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("Redis: invalid arguments:");
    for (const part of [
      "subnetIds: required for elasticache",
      "securityGroupIds: required for elasticache",
      "multiAz: needs automaticFailover",
      `nodeType: must look like cache.<family>.<size>, got "m5.large"`,
      "engineVersion: no ElastiCache parameter group family for redis 5.0",
      "snapshotRetentionDays: must be an integer in 0..35, got 99",
    ]) {
      expect(message).toContain(part);
    }
    expect(() => new Redis("bad2", { mode: "elasticache", nodes: 1, automaticFailover: true, subnetIds: [], securityGroupIds: [] })).toThrow(
      /automaticFailover: needs nodes >= 2/,
    );
  });
});
