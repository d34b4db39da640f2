import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import { JWT_ALGORITHMS } from "../../apps/gateway/src/config/keys";
import { FUNCTION_AUTH_ENV, FUNCTION_AUTH_SECRET_ENV } from "../../apps/telemetry/api/keys";
import { TELEMETRY_ENV, TELEMETRY_SECRET_ENV, type TelemetryEnvKey } from "../../apps/telemetry/src/config/keys";
import { repoPath } from "../shared/repo-paths";
import { ArgErrors } from "../shared/validate";
import { planLimitProblems, type VercelPlan } from "./plan-limits";

/** The functions' own Cassandra login: keyspace read + write (they ingest and query), nothing else. */
export const TELEMETRY_FUNCTIONS_CASSANDRA_ROLE = { name: "telemetry_functions", access: "readWrite" } as const;

/** Mutual TLS to the nodes: the cluster CA, and the functions' client certificate signed by it. */
export interface TelemetryFunctionsTlsArgs {
  /** Cluster CA (PEM): the only CA the nodes' certificates may chain to. */
  readonly caCertPem: pulumi.Input<string>;
  /** Client certificate (PEM) signed by the cluster CA. */
  readonly clientCertPem: pulumi.Input<string>;
  /** Secret: its private key (PEM). */
  readonly clientKeyPem: pulumi.Input<string>;
  /** Name the nodes' certificate is verified against (they are reached through a load balancer). @default - the dialled address */
  readonly serverName?: pulumi.Input<string>;
}

/** The gateway's token settings, which the functions verify the same way. */
export interface TelemetryFunctionsAuthArgs {
  /** Pinned signature algorithm (`gateway.jwt.algorithm`, e.g. `RS256`). */
  readonly algorithm: string;
  /** Required `iss` claim (`gateway.jwt.issuer`). */
  readonly issuer: string;
  /** Required `aud` claim (`gateway.jwt.audience`). */
  readonly audience: string;
  /** Secret: the verification key (HS secret, PEM public key, JWK or JWKS), as the gateway's. */
  readonly key: pulumi.Input<string>;
}

export interface TelemetryFunctionsArgs {
  /** Vercel project name. */
  readonly projectName: string;
  /** Vercel team that owns the project. @default - the token's personal scope */
  readonly teamId?: string;
  /** `preview` deploys a preview; `production` promotes to the production domain. */
  readonly target: "preview" | "production";
  /** Function region, pinned near the stack's Cassandra data centre (e.g. `dub1`). */
  readonly functionRegion: string;
  /** Vercel plan, whose limits bound duration and memory. @default "pro" */
  readonly plan?: VercelPlan;
  /** Function timeout, seconds. @default 30 */
  readonly maxDurationSeconds?: number;
  /** Function memory, MB. @default 1024 */
  readonly memoryMb?: number;
  /** Cassandra the functions talk to (TLS + auth, nearest data centre). */
  readonly cassandra: {
    /** Addresses reachable from Vercel (the data centre's public/TLS endpoints). */
    readonly contactPoints: pulumi.Input<string[]>;
    readonly dataCenter: string;
    readonly keyspace: string;
    /** Secret. */
    readonly username: pulumi.Input<string>;
    /** Secret. */
    readonly password: pulumi.Input<string>;
    /** CQL port of the endpoint. @default 9042 */
    readonly port?: number;
    /** Mutual TLS (client certificate). @default - TLS against public CAs, no client certificate */
    readonly tls?: TelemetryFunctionsTlsArgs;
    /** The one contact point is a load balancer in front of every node (the nodes' own addresses are unreachable). @default false */
    readonly viaLoadBalancer?: boolean;
  };
  /** JWT verification, from the same config as the gateway's; without it every call gets a 500 (fail closed). */
  readonly auth: TelemetryFunctionsAuthArgs;
  /** Folder uploaded to Vercel, relative to the repo root. @default "apps" */
  readonly sourceDirectory?: string;
  /** The project's root inside the upload: the dashboard, whose `api/` re-exports the telemetry handlers. @default "dashboard" */
  readonly rootDirectory?: string;
  /** Deploy the sources (off in previews without a Vercel token). @default true */
  readonly deploy?: boolean;
}

/**
 * The Vercel project for the dashboard and the telemetry API functions (`api/ingest`,
 * `api/query`), with the function region pinned near the data centre, and as sensitive
 * environment variables the Cassandra credentials, the client certificate's key and the JWT key.
 */
export class TelemetryFunctions extends pulumi.ComponentResource {
  public readonly project: vercel.Project;
  public readonly projectId: pulumi.Output<string>;
  public readonly deploymentUrl?: pulumi.Output<string>;
  public readonly environmentKeys: string[];

  constructor(name: string, args: TelemetryFunctionsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:serverless:TelemetryFunctions", name, {}, opts);
    const plan = args.plan ?? "pro";
    const maxDurationSeconds = args.maxDurationSeconds ?? 30;
    const memoryMb = args.memoryMb ?? 1024;
    this.validate(args, plan, maxDurationSeconds, memoryMb);

    this.project = this.createProject(args, maxDurationSeconds);
    this.projectId = this.project.id;
    this.environmentKeys = this.createEnvironment(args);
    if (args.deploy ?? true) this.deploymentUrl = this.createDeployment(args).url;
    this.registerOutputs({ projectId: this.projectId, deploymentUrl: this.deploymentUrl });
  }

  private validate(args: TelemetryFunctionsArgs, plan: VercelPlan, maxDurationSeconds: number, memoryMb: number): void {
    const errors = new ArgErrors("TelemetryFunctions");
    errors.check(/^[a-z0-9][a-z0-9-]{0,99}$/.test(args.projectName), "projectName", `"${args.projectName}" must be lower-case letters, digits and dashes`);
    errors.check(/^[a-z]{3}\d$/.test(args.functionRegion), "functionRegion", `"${args.functionRegion}" is not a Vercel region id like "iad1"`);
    for (const p of planLimitProblems(plan, maxDurationSeconds, memoryMb)) errors.check(false, "plan", p);
    errors.check(args.cassandra.dataCenter.length > 0, "cassandra.dataCenter", "must not be empty");
    errors.check((JWT_ALGORITHMS as readonly string[]).includes(args.auth.algorithm), "auth.algorithm", `"${args.auth.algorithm}" is not one of ${JWT_ALGORITHMS.join(", ")}`);
    errors.check(args.auth.issuer.length > 0 && args.auth.audience.length > 0, "auth", "issuer and audience must not be empty (every token would be refused)");
    errors.throwIfAny();
  }

  private createProject(args: TelemetryFunctionsArgs, maxDurationSeconds: number): vercel.Project {
    return new vercel.Project(
      "project",
      {
        name: args.projectName,
        teamId: args.teamId,
        framework: "vite",
        rootDirectory: args.rootDirectory ?? "dashboard",
        serverlessFunctionRegion: args.functionRegion,
        resourceConfig: { functionDefaultTimeout: maxDurationSeconds, functionDefaultRegions: [args.functionRegion] },
      },
      { parent: this },
    );
  }

  /** One variable per key of the app's own config contract; secrets are `sensitive`. */
  private createEnvironment(args: TelemetryFunctionsArgs): string[] {
    const c = args.cassandra;
    const values: Partial<Record<TelemetryEnvKey, pulumi.Input<string>>> = {
      [TELEMETRY_ENV.contactPoints]: pulumi.output(c.contactPoints).apply((p) => p.join(",")),
      [TELEMETRY_ENV.localDataCenter]: c.dataCenter,
      [TELEMETRY_ENV.keyspace]: c.keyspace,
      [TELEMETRY_ENV.tls]: "true",
      [TELEMETRY_ENV.username]: pulumi.secret(c.username),
      [TELEMETRY_ENV.password]: pulumi.secret(c.password),
      ...(c.port !== undefined ? { [TELEMETRY_ENV.cassandraPort]: String(c.port) } : {}),
      ...(c.viaLoadBalancer ? { [TELEMETRY_ENV.viaLoadBalancer]: "true" } : {}),
      ...(c.tls
        ? {
            [TELEMETRY_ENV.tlsCa]: c.tls.caCertPem,
            [TELEMETRY_ENV.tlsCert]: c.tls.clientCertPem,
            [TELEMETRY_ENV.tlsKey]: pulumi.secret(c.tls.clientKeyPem),
            ...(c.tls.serverName !== undefined ? { [TELEMETRY_ENV.tlsServerName]: c.tls.serverName } : {}),
          }
        : {}),
    };
    const a = args.auth;
    const auth: Record<string, pulumi.Input<string>> = {
      [FUNCTION_AUTH_ENV.algorithm]: a.algorithm,
      [FUNCTION_AUTH_ENV.issuer]: a.issuer,
      [FUNCTION_AUTH_ENV.audience]: a.audience,
      [FUNCTION_AUTH_ENV.key]: pulumi.secret(a.key),
    };
    const targets = args.target === "production" ? ["production", "preview"] : ["preview"];
    // Vercel's helpers would read the body before the handler's 1 MiB capped reader does.
    const platform = { NODEJS_HELPERS: "0" };
    const secretKeys: readonly string[] = [...TELEMETRY_SECRET_ENV, ...FUNCTION_AUTH_SECRET_ENV];
    for (const [key, value] of Object.entries({ ...values, ...auth, ...platform })) {
      const sensitive = secretKeys.includes(key);
      new vercel.ProjectEnvironmentVariable(
        `env-${key.toLowerCase().replaceAll("_", "-")}`,
        { projectId: this.project.id, teamId: args.teamId, key, value, targets, sensitive },
        { parent: this },
      );
    }
    return [...Object.keys(values), ...Object.keys(auth), ...Object.keys(platform)];
  }

  private createDeployment(args: TelemetryFunctionsArgs): vercel.Deployment {
    // The provider reads the folder from its working directory (stacks/ under the engine).
    const source = repoPath(args.sourceDirectory ?? "apps");
    const dir = vercel.getProjectDirectoryOutput({ path: source }, { parent: this });
    return new vercel.Deployment(
      "deployment",
      {
        projectId: this.project.id,
        teamId: args.teamId,
        files: dir.files,
        pathPrefix: source,
        production: args.target === "production",
        projectSettings: { rootDirectory: args.rootDirectory ?? "dashboard", framework: "vite" },
      },
      { parent: this },
    );
  }
}
