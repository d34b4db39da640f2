/**
 * Deterministic provider outputs for the mocks: ids and computed attributes derive only from
 * the resource's type and name, so two synth runs write identical files.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";

const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

/** Outputs a prod region exposes to the others (see stacks/outputs.ts). */
export function defaultStackOutputs(stackName: string): Record<string, unknown> {
  const region = stackName.split("/").pop()!.replace(/^prod-/, "");
  return {
    region,
    cassandraDataCenter: region,
    cassandraSeeds: [0, 1].map((i) => `cassandra-${i}.cassandra.${region}.platform.internal`),
    // Shaped like the fake random passwords, so the synth's leak check covers it too.
    cassandraSuperuserPassword: `mock-${short(`peer-password-${region}`)}${short(region)}`,
    // The role names of components/telemetry-service TELEMETRY_CASSANDRA_ROLES and the backup
    // role of components/cassandra-backup (BACKUP_NAMES.cqlRole) (not imported:
    // the synth scripts run in trees without the components, see test/diff); the program
    // fails on a missing one, so a rename cannot slip through the prod synth.
    cassandraAppRolePasswords: Object.fromEntries(
      ["telemetry_command", "telemetry_query", "telemetry_functions", "platform_backup"].map((name) => [name, `mock-${short(`peer-${name}-${region}`)}${short(region)}`]),
    ),
    // The founder's cluster CA (joining regions sign their node certificate with it).
    cassandraCaCertPem: fakePem("CERTIFICATE", `peer-ca-${region}`),
    cassandraCaPrivateKeyPem: fakePem("PRIVATE KEY", `peer-ca-key-${region}`),
  };
}

/**
 * Env var through which the offline diff feeds a joining region the outputs its founder's synth
 * exported (JSON: stack name → outputs), so a founder change shows in the regions that read it.
 */
export const PEER_OUTPUTS_ENV = "PLATFORM_SYNTH_PEER_OUTPUTS";

/**
 * StackReference outputs: the fed ones of that stack (secrets stay fakes: the synth masks them)
 * over {@link defaultStackOutputs}.
 */
export function fedStackOutputs(fed: Record<string, Record<string, unknown>>): (stackName: string) => Record<string, unknown> {
  return (stackName) => {
    const own = Object.entries(fed[stackName.split("/").pop()!] ?? {}).filter(([, v]) => v !== "[secret]" && v !== null && v !== undefined);
    return { ...defaultStackOutputs(stackName), ...Object.fromEntries(own) };
  };
}

/** A PEM-shaped fake whose body is shaped like the fake passwords (the leak check covers keys). */
const fakePem = (label: string, seed: string) => `-----BEGIN ${label}-----\nmock-${short(seed)}${short(label)}\n-----END ${label}-----\n`;

export function fakeState(
  args: pulumi.runtime.MockResourceArgs,
  stackOutputs: (name: string) => Record<string, unknown> = defaultStackOutputs,
): { id: string; state: Record<string, unknown> } {
  const id = `${args.name}-${short(args.type + args.name)}`;
  const state: Record<string, unknown> = { ...args.inputs };
  switch (args.type) {
    case "pulumi:pulumi:StackReference":
      state.outputs = stackOutputs(args.inputs.name ?? args.name);
      break;
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      state.primaryEndpointAddress = `master.${args.name}.${short(args.name)}.cache.amazonaws.com`;
      state.readerEndpointAddress = `replica.${args.name}.${short(args.name)}.cache.amazonaws.com`;
      state.arn = `arn:aws:elasticache:region:123456789012:replicationgroup:${args.name}`;
      break;
    case "aws:ecr/repository:Repository":
      state.repositoryUrl = `123456789012.dkr.ecr.region.amazonaws.com/${args.inputs.name ?? args.name}`;
      state.arn = `arn:aws:ecr:region:123456789012:repository/${args.name}`;
      break;
    case "docker-build:index:Image":
      // Like the provider: paths resolve from its working directory, which the engine sets to
      // the program's (stacks/ with `main: stacks/`).
      requireLocalPath("docker-build:index:Image context", (args.inputs.context as { location?: string } | undefined)?.location, "dir");
      requireLocalPath("docker-build:index:Image dockerfile", (args.inputs.dockerfile as { location?: string } | undefined)?.location, "file");
      state.digest = `sha256:${createHash("sha256").update(args.name).digest("hex")}`;
      state.ref = `${(args.inputs.tags ?? [args.name])[0]}@${state.digest}`;
      break;
    case "aws:elasticache/subnetGroup:SubnetGroup":
    case "aws:elasticache/parameterGroup:ParameterGroup":
      state.name = args.inputs.name ?? `${args.name}-${short(args.name)}`; // the provider auto-names these
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:region:123456789012:${args.inputs.name ?? args.name}`;
      break;
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      state.result = `mock-${short(args.name)}${short(args.type)}`;
      break;
    case "tls:index/privateKey:PrivateKey":
      state.privateKeyPem = fakePem("RSA PRIVATE KEY", args.name);
      state.privateKeyPemPkcs8 = fakePem("PRIVATE KEY", args.name);
      state.publicKeyPem = fakePem("PUBLIC KEY", args.name);
      break;
    case "tls:index/certRequest:CertRequest":
      state.certRequestPem = fakePem("CERTIFICATE REQUEST", args.name);
      break;
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      state.certPem = fakePem("CERTIFICATE", args.name);
      break;
    case "vercel:index/project:Project":
      state.id = `prj_${short(args.name)}`;
      break;
  }
  if (args.type.startsWith("aws:") && state.arn === undefined) state.arn = `arn:aws:mock:region:123456789012:${args.name}`;
  return { id, state };
}

export function fakeCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/mock", userId: "mock" };
    case "aws:index/getRegion:getRegion":
      return { name: args.inputs.name ?? "us-east-1", region: args.inputs.region ?? "us-east-1" };
    case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
      return { userName: "AWS", password: "mock-token", proxyEndpoint: "https://123456789012.dkr.ecr.region.amazonaws.com" };
    case "vercel:index/getProjectDirectory:getProjectDirectory":
      requireLocalPath("vercel getProjectDirectory path", args.inputs.path, "dir");
      return { path: args.inputs.path, files: { [`${args.inputs.path}/package.json`]: "{}" } };
    default:
      return args.inputs;
  }
}

/** Fails like the provider would when a path does not exist from the current working directory. */
function requireLocalPath(what: string, path: string | undefined, kind: "dir" | "file"): void {
  const abs = path === undefined ? undefined : resolve(process.cwd(), path);
  const ok = abs !== undefined && existsSync(abs) && (kind === "dir" ? statSync(abs).isDirectory() : statSync(abs).isFile());
  if (!ok) throw new Error(`${what}: ${JSON.stringify(path)} is not a ${kind === "dir" ? "directory" : "file"} from the working directory ${process.cwd()}`);
}
