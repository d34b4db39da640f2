/** Shared by the stack-config tests: a valid cloud stack's minimum, and the problems a config throws. */
import { expect } from "vitest";
import { ConfigError } from "../../stacks/config";

/** A cloud stack's required settings: ElastiCache network, a real JWT key source (issue 16), the functions' CQL ranges (issue 18). */
export const cloudJwt = { issuer: "https://login.corp.io/", audience: "telemetry", keySecretName: "gateway-jwt" };
export const cloudFunctionsEndpoint = { publicEndpoint: { sourceRanges: ["192.0.2.0/24"] } };
export const cloudNetwork = {
  redis: { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] },
  gateway: { jwt: cloudJwt },
  cassandra: cloudFunctionsEndpoint,
  // Backups are on in every cloud stage; their IRSA role trusts the cluster's OIDC provider (issue 20).
  backup: { oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D" },
};

/** The problems of the ConfigError `fn` throws (fails when it throws anything else or nothing). */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}
