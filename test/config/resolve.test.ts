import { describe, expect, it } from "vitest";
import { SHIPPED_STACKS, readStackConfig } from "../../scripts/synth/stacks";
import { deriveHeapMiB, parseStackName, resolveConfig, STAGE_DEFAULTS } from "../../stacks/config";
import { platformSettings } from "../../stacks/read-config";
import { cloudJwt, cloudNetwork, problemsOf } from "./support";

const localImages = { images: { gateway: "gw:dev", telemetry: "tm:dev" } };


describe("stack names", () => {
  it("parses local and <stage>-<region>", () => {
    expect(parseStackName("local")).toEqual({ stage: "local", region: "local" });
    expect(parseStackName("prod-eu-west-1")).toEqual({ stage: "prod", region: "eu-west-1" });
    expect(parseStackName("qa-eu-west-1")).toBeUndefined();
    expect(parseStackName("prod-euwest1")).toBeUndefined();
  });

  it("rejects an unknown stage before anything else", () => {
    expect(problemsOf(() => resolveConfig("qa-eu-west-1", {}))[0]).toMatch(/^stack: name must be/);
  });
});

describe("stage defaults", () => {
  it("apply the sizing tiers of the design", () => {
    const prod = resolveConfig("prod-us-east-1", cloudNetwork);
    expect(prod.cassandra).toMatchObject({ nodesPerDc: 3, replicationFactor: 3, memoryMiB: 32768, heapMiB: 16384 });
    expect(prod.gateway).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    expect(prod.redis).toMatchObject({ mode: "elasticache", multiAz: true, automaticFailover: true });
    expect(prod.vercel).toMatchObject({ target: "production", functionRegion: "iad1" });
    const local = resolveConfig("local", localImages);
    expect(local.cassandra).toMatchObject({ nodesPerDc: 1, replicationFactor: 1, memoryMiB: 2048, heapMiB: 1024, zones: [] });
    expect(local.redis.mode).toBe("in-cluster");
    expect(local.vercel.target).toBe("none");
  });

  it("derive zones, replication and the Vercel region from the stack", () => {
    const eu = resolveConfig("prod-eu-west-1", { ...cloudNetwork, cassandra: { ...cloudNetwork.cassandra, peerRegions: ["us-east-1"], seedDomain: "eu-west-1.cassandra.platform.internal" } });
    expect(eu.cassandra.zones).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(eu.cassandra.replication).toEqual({ "eu-west-1": 3, "us-east-1": 3 });
    expect(eu.vercel.functionRegion).toBe("dub1");
  });

  it("a joining prod region must publish its seeds, and cannot remove a DC it still peers with", () => {
    expect(() => resolveConfig("prod-eu-west-1", { ...cloudNetwork, cassandra: { ...cloudNetwork.cassandra, peerRegions: ["us-east-1"], removeDataCenters: ["us-east-1"] } })).toThrow(
      /cassandra\.removeDataCenters: "us-east-1" is this region or a peer[\s\S]*cassandra\.seedDomain: a region that joins others must publish its seeds/,
    );
    const eu = resolveConfig("prod-eu-west-1", { ...cloudNetwork, cassandra: { ...cloudNetwork.cassandra, peerRegions: ["us-east-1"], seedDomain: "eu.internal", removeDataCenters: ["ap-southeast-1"] } });
    expect(eu.cassandra.removeDataCenters).toEqual(["ap-southeast-1"]);
    expect(eu.cassandra.encryption).toBe(true);
    expect(STAGE_DEFAULTS.local.cassandra?.encryption).toBe(false);
  });

  it("are overridden, not replaced, by a stack file", () => {
    const dev = resolveConfig("dev-us-east-1", { ...cloudNetwork, gateway: { maxReplicas: 5, jwt: cloudJwt } });
    expect(dev.gateway.maxReplicas).toBe(5);
    expect(dev.gateway.minReplicas).toBe(1); // still the dev tier
  });

  it("every tier is itself valid", () => {
    for (const stage of Object.keys(STAGE_DEFAULTS)) {
      const stack = stage === "local" ? "local" : `${stage}-us-east-1`;
      expect(() => resolveConfig(stack, stage === "local" ? localImages : cloudNetwork)).not.toThrow();
    }
  });
});

describe("heap derivation", () => {
  it("is half the memory limit, capped at 31 GiB", () => {
    expect(deriveHeapMiB(2048)).toBe(1024);
    expect(deriveHeapMiB(32 * 1024)).toBe(16 * 1024);
    expect(deriveHeapMiB(100 * 1024)).toBe(31 * 1024);
  });
});

describe("bad config", () => {
  it("lists every problem with its key path in one error", () => {
    const problems = problemsOf(() =>
      resolveConfig("prod-us-east-1", {
        cassandra: { nodesPerDc: 2, replicationFactor: "three", heapMiB: 99999, tyop: 1 },
        gateway: { minReplicas: 0 },
        redis: { nodes: 9 },
        unknownKey: true,
      }),
    );
    const text = problems.join("\n");
    expect(text).toMatch(/^unknownKey: unknown key/m);
    expect(text).toMatch(/^cassandra\.replicationFactor: /m);
    expect(text).toMatch(/^cassandra: Unrecognized key: "tyop"/m);
    expect(text).toMatch(/^gateway\.minReplicas: /m);
    expect(text).toMatch(/^redis\.nodes: /m);
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it("checks rules that span fields and stages", () => {
    const problems = problemsOf(() =>
      resolveConfig("prod-eu-west-1", {
        cassandra: { nodesPerDc: 2, heapMiB: 20000, peerRegions: ["eu-west-1", "us-west-2"] },
        gateway: { minReplicas: 10, maxReplicas: 5 },
        mesh: { perTryTimeoutSeconds: 20, routeTimeoutSeconds: 10 },
        redis: { nodes: 1, automaticFailover: true },
      }),
    ).join("\n");
    expect(problems).toContain("cassandra.replicationFactor: 3 exceeds cassandra.nodesPerDc (2)");
    expect(problems).toContain("cassandra.heapMiB: 20000 exceeds half of cassandra.memoryMiB (32768)");
    expect(problems).toContain("cassandra.peerRegions: must not include this stack's own region (eu-west-1)");
    expect(problems).toContain('cassandra.peerRegions: "us-west-2" is not a prod region');
    expect(problems).toContain("gateway.minReplicas: 10 exceeds gateway.maxReplicas (5)");
    expect(problems).toContain("mesh.perTryTimeoutSeconds: 20 must be below mesh.routeTimeoutSeconds (10)");
    expect(problems).toContain("redis.automaticFailover: needs redis.nodes >= 2, got 1");
    expect(problems).toContain("redis.subnetIds: required for ElastiCache");
  });

  it("requires image names on the local stack", () => {
    const problems = problemsOf(() => resolveConfig("local", {}));
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^images\.gateway: required/), expect.stringMatching(/^images\.telemetry: required/)]));
  });

  it("every shipped stack file resolves", () => {
    for (const stack of SHIPPED_STACKS) {
      expect(resolveConfig(stack, platformSettings(readStackConfig(stack))).stack).toBe(stack);
    }
  });
});

describe("one source for the Pulumi organisation (issue 22, finding 13)", () => {
  it("fails when the engine's organisation differs from platform:org; the file backend and local say nothing", async () => {
    const { checkOrganization } = await import("../../stacks/read-config");
    const { resolveConfig } = await import("../../stacks/config");
    const cfg = resolveConfig("dev-us-east-1", { org: "acme", ...cloudNetwork });
    expect(() => checkOrganization(cfg, "acme")).not.toThrow();
    expect(() => checkOrganization(cfg, "organization")).not.toThrow();
    expect(() => checkOrganization(cfg, undefined)).not.toThrow();
    expect(() => checkOrganization(cfg, "other-org")).toThrow(/platform:org is "acme" but the stack runs in Pulumi organisation "other-org"/);
  });
});

describe("ElastiCache applyImmediately per stage (issue 22, finding 14)", () => {
  it("dev and staging apply cache changes at once; prod waits for its maintenance window", async () => {
    const { resolveConfig } = await import("../../stacks/config");
    expect(resolveConfig("dev-us-east-1", { org: "acme", ...cloudNetwork }).redis.applyImmediately).toBe(true);
    expect(resolveConfig("staging-us-east-1", { org: "acme", ...cloudNetwork }).redis.applyImmediately).toBe(true);
    expect(resolveConfig("prod-eu-west-1", { org: "acme", ...cloudNetwork, cassandra: { ...cloudNetwork.cassandra, peerRegions: ["us-east-1"], seedDomain: "eu-west-1.cassandra.platform.internal" } }).redis.applyImmediately).toBe(false);
  });
});

describe("gateway JWT on cloud stages (issue 16)", () => {
  const network = { redis: cloudNetwork.redis, backup: cloudNetwork.backup, cassandra: cloudNetwork.cassandra };

  it("requires the issuer and audience: no example defaults outside local", () => {
    const problems = problemsOf(() => resolveConfig("dev-us-east-1", { ...network, gateway: { jwt: { keySecretName: "gateway-jwt" } } }));
    expect(problems).toEqual(["gateway.jwt.issuer: required for every stage but local (your identity provider's iss claim)", "gateway.jwt.audience: required for every stage but local (your identity provider's aud claim)"]);
  });

  it("requires exactly one key source, listed with how to set it", () => {
    const none = problemsOf(() => resolveConfig("staging-us-east-1", { ...network, gateway: { jwt: { issuer: "https://login.corp.io/", audience: "telemetry" } } }));
    expect(none).toEqual([expect.stringMatching(/^gateway\.jwt: needs a key source: the Pulumi secret platform:jwtKey .* or gateway\.jwt\.keySecretName/)]);
    const both = problemsOf(() => resolveConfig("prod-us-east-1", { ...network, gateway: { jwt: cloudJwt }, jwtKey: "secret" }));
    expect(both).toEqual(["gateway.jwt.keySecretName: set either it or the secret platform:jwtKey, not both"]);
    // The Pulumi secret alone is a key source (the engine passes it as platform:jwtKey).
    const { keySecretName: _, ...claims } = cloudJwt;
    expect(resolveConfig("prod-us-east-1", { ...network, gateway: { jwt: claims }, jwtKey: "secret" }).gateway.jwt.keySecretName).toBeUndefined();
  });

  it("refuses example issuers and audiences (RFC 2606 names)", () => {
    const problems = problemsOf(() =>
      resolveConfig("prod-eu-west-1", { ...network, gateway: { jwt: { issuer: "https://auth.example.com/", audience: "https://api.telemetry.test", keySecretName: "gateway-jwt" } } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^gateway\.jwt\.issuer: "https:\/\/auth\.example\.com\/" is an example name/),
      expect.stringMatching(/^gateway\.jwt\.audience: "https:\/\/api\.telemetry\.test" is an example name/),
    ]);
  });

  it("local keeps its defaults and needs no key source", () => {
    expect(resolveConfig("local", localImages).gateway.jwt).toMatchObject({ issuer: "https://auth.telemetry.localhost/", audience: "telemetry-api" });
  });
});
