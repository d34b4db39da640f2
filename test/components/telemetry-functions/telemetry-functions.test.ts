import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { join, resolve } from "node:path";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { REPO_ROOT } from "../../../scripts/synth/stacks";
import { FUNCTION_AUTH_ENV } from "../../../apps/telemetry/api/keys";
import { TELEMETRY_ENV } from "../../../apps/telemetry/src/config/keys";
import { planLimitProblems } from "../../../components/telemetry-functions/plan-limits";

let recorded: SynthResource[];
let mod: typeof import("../../../components/telemetry-functions");

const baseArgs = () => ({
  projectName: "telemetry-prod-eu-west-1",
  target: "production" as const,
  functionRegion: "dub1",
  cassandra: {
    contactPoints: ["cql.eu-west-1.example.com"],
    dataCenter: "eu-west-1",
    keyspace: "telemetry",
    username: pulumi.secret("admin-user"),
    password: pulumi.secret("s3cr3t-value-xyz"),
    tls: { caCertPem: "-----BEGIN CERTIFICATE-----\nCA\n", clientCertPem: "-----BEGIN CERTIFICATE-----\nCLIENT\n", clientKeyPem: pulumi.secret("client-key-s3cr3t"), serverName: "cassandra-client.platform.svc.cluster.local" },
  },
  auth: { algorithm: "RS256", issuer: "https://login.acme.test/", audience: "telemetry", key: pulumi.secret("jwt-key-s3cr3t") },
});

beforeAll(async () => {
  recorded = await installMocks({ stack: "prod-eu-west-1" });
  mod = await import("../../../components/telemetry-functions");
  const fns = new mod.TelemetryFunctions("fns", baseArgs());
  await valueOf(fns.urn);
  await new Promise((r) => setTimeout(r, 50));
});

describe("TelemetryFunctions", () => {
  it("pins the function region near the data centre", () => {
    const project = recorded.find((r) => r.type === "vercel:index/project:Project")!;
    expect(project.inputs).toMatchObject({ name: "telemetry-prod-eu-west-1", serverlessFunctionRegion: "dub1", resourceConfig: { functionDefaultRegions: ["dub1"], functionDefaultTimeout: 30 } });
  });

  it("sets one variable per app config key; credentials, the client key and the JWT key sensitive and masked", () => {
    const vars = recorded.filter((r) => r.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
    const byKey = Object.fromEntries(vars.map((v) => [v.inputs.key as string, v.inputs]));
    const E = TELEMETRY_ENV;
    const A = FUNCTION_AUTH_ENV;
    expect(Object.keys(byKey).sort()).toEqual(
      [E.contactPoints, E.keyspace, E.localDataCenter, E.password, E.tls, E.username, E.tlsCa, E.tlsCert, E.tlsKey, E.tlsServerName, A.algorithm, A.issuer, A.audience, A.key, "NODEJS_HELPERS"].sort(),
    );
    for (const k of [E.tlsKey, A.key]) expect(byKey[k]).toMatchObject({ sensitive: true, value: "[secret]" });
    expect(byKey[A.issuer]).toMatchObject({ sensitive: false });
    expect(JSON.stringify(recorded)).not.toMatch(/client-key-s3cr3t|jwt-key-s3cr3t/);
    expect(byKey.NODEJS_HELPERS).toMatchObject({ sensitive: false });
    expect(byKey[TELEMETRY_ENV.password]).toMatchObject({ sensitive: true, value: "[secret]" });
    expect(byKey[TELEMETRY_ENV.username]).toMatchObject({ sensitive: true, value: "[secret]" });
    // The provider SDK keeps every variable value secret in state; only `sensitive` differs.
    expect(byKey[TELEMETRY_ENV.localDataCenter]).toMatchObject({ sensitive: false, targets: ["production", "preview"] });
    expect(byKey[TELEMETRY_ENV.contactPoints]).toMatchObject({ sensitive: false });
    expect(JSON.stringify(recorded)).not.toContain("s3cr3t-value-xyz");
  });

  it("deploys to production from the apps folder, found from the engine's working directory (stacks/)", () => {
    const dep = recorded.find((r) => r.type === "vercel:index/deployment:Deployment")!;
    expect(process.cwd()).toBe(join(REPO_ROOT, "stacks"));
    expect(resolve(dep.inputs.pathPrefix as string)).toBe(join(REPO_ROOT, "apps"));
    expect(dep.inputs).toMatchObject({ production: true, projectSettings: { rootDirectory: "dashboard" } });
  });

  it("rejects every bad argument at once", () => {
    const auth = { ...baseArgs().auth, algorithm: "none", issuer: "" };
    expect(() => new mod.TelemetryFunctions("bad", { ...baseArgs(), projectName: "Bad_Name", functionRegion: "eu-west-1", plan: "hobby", maxDurationSeconds: 900, auth })).toThrowError(
      /projectName: "Bad_Name"[\s\S]*functionRegion: "eu-west-1"[\s\S]*maxDurationSeconds 900 exceeds the hobby plan's 300 s[\s\S]*auth.algorithm: "none" is not one of[\s\S]*auth: issuer and audience must not be empty/,
    );
  });
});

describe("Vercel plan limits", () => {
  it("bound duration and memory per plan", () => {
    expect(planLimitProblems("pro", 800, 4096)).toEqual([]);
    expect(planLimitProblems("hobby", 301, 2049)).toHaveLength(2);
  });
});
