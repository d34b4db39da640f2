import { describe, expect, it } from "vitest";
import { installMocks } from "../../scripts/synth/mocks";

describe("a bad stack config", () => {
  it("fails in loadStackConfig, before the program declares any resource", async () => {
    const recorded = await installMocks({
      stack: "prod-eu-west-1",
      config: { "platform:cassandra": JSON.stringify({ nodesPerDc: 1 }), "platform:gatway": "{}" },
    });
    const { loadStackConfig } = await import("../../stacks/read-config");
    let message = "";
    try {
      loadStackConfig("prod-eu-west-1");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid config for stack "prod-eu-west-1" \(9 problems\)/);
    expect(message).toContain("- cassandra.replicationFactor: 3 exceeds cassandra.nodesPerDc (1)");
    expect(message).toContain("- gatway: unknown key");
    expect(message).toContain("- cassandra.publicEndpoint.sourceRanges: list the functions' egress CIDRs");
    expect(message).toContain("- redis.subnetIds: required for ElastiCache");
    expect(message).toContain("- redis.securityGroupIds: required for ElastiCache");
    // A cloud gateway without a key source or real claims fails here too (issue 16).
    expect(message).toContain("- gateway.jwt: needs a key source");
    expect(message).toContain("- gateway.jwt.issuer: required for every stage but local");
    expect(message).toContain("- gateway.jwt.audience: required for every stage but local");
    // Backups are on in prod: their IRSA role needs the cluster's OIDC provider (issue 20).
    expect(message).toContain("- backup.oidcProviderArn: required when backups are enabled");
    await new Promise((r) => setTimeout(r, 20));
    expect(recorded).toHaveLength(0);
  });
});
