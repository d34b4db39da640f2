import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { JwtAlgorithm } from "../../apps/gateway/src/config/index";
import type { GatewayRoute } from "../../apps/gateway/src/config/keys";
import { contentHash } from "../shared/hash";
import { disruptionBudget, httpService, serviceFqdn, type ZoneSpread } from "../shared/http-workload";
import { declareKubeObject, type KubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, selectorLabels, standardLabels } from "../shared/labels";
import type { ContainerSize } from "../shared/resources";
import { defaultGatewayRoutes, GATEWAY_PATHS, gatewayEnvValues, renderEnvFile } from "./env-file";
import { gatewayPodTemplate } from "./pod";
import { LOG_LEVELS, validate } from "./validate";

export { CONFIG_HASH_ANNOTATION, GATEWAY_CONTAINER_PORT } from "./pod";
export { defaultGatewayRoutes, quoteEnvValue, renderEnvFile, gatewayEnvValues } from "./env-file";

const NAME = "gateway";
/** The pod's own sidecar: behind Istio every connection to the app comes from loopback. */
export const DEFAULT_TRUSTED_PROXIES = ["127.0.0.0/8", "::1"] as const;

export interface GatewayJwtArgs {
  /** Signing algorithm the gateway accepts, e.g. `RS256`. */
  readonly algorithm: JwtAlgorithm;
  /** Required `iss` claim. */
  readonly issuer: string;
  /** Required `aud` claim. */
  readonly audience: string;
  /** Key material (HS secret, PEM public key or JWKS JSON); stored in a new Secret `gateway-jwt`. @default - use `keySecretName` */
  readonly key?: pulumi.Input<string>;
  /** Existing Secret holding the key (instead of `key`). @default - the Secret created from `key` */
  readonly keySecretName?: pulumi.Input<string>;
  /** Entry of that Secret holding the key. @default "key" */
  readonly keySecretKey?: string;
}

export interface GatewayRedisArgs {
  /** Redis (level-2 cache) host, e.g. the ElastiCache primary endpoint. */
  readonly host: pulumi.Input<string>;
  /** Redis port. @default 6379 */
  readonly port?: pulumi.Input<number>;
  /** Connect with TLS (ElastiCache in-transit encryption). @default false */
  readonly tls?: pulumi.Input<boolean>;
  /** Password / AUTH token; stored in a new Secret `gateway-redis`. @default - `passwordSecretName`, or no AUTH */
  readonly password?: pulumi.Input<string>;
  /** Existing Secret holding the password (instead of `password`). @default - no password */
  readonly passwordSecretName?: pulumi.Input<string>;
  /** Entry of the password Secret. @default "password" */
  readonly passwordSecretKey?: string;
}

export interface GatewayArgs {
  /** Namespace of every object. @default "platform" */
  readonly namespace?: string;
  /** Gateway app image (prefer a digest reference so a rebuild rolls the pods). */
  readonly image: pulumi.Input<string>;
  /** Region name written to the `.env` (the Cassandra data centre, `local` for the local stack). */
  readonly region: string;
  /** Stage written to the `.env`: local, dev, staging or prod. */
  readonly stage: string;
  /** Fewest replicas; also the Deployment's replica count when `maxReplicas` equals it. */
  readonly minReplicas: number;
  /** Most replicas; an HPA is declared only when this exceeds `minReplicas`. */
  readonly maxReplicas: number;
  /** HPA target average CPU utilisation, percent of the request. @default 70 */
  readonly targetCpuPercent?: number;
  /** CPU and memory of the gateway container. */
  readonly size: ContainerSize;
  /** Route table. @default - `/api/telemetry` → the telemetry mesh host, JWT, GETs cached 5 s per user */
  readonly routes?: readonly GatewayRoute[];
  /** Telemetry mesh Service the default route points at. @default "telemetry" */
  readonly telemetryService?: string;
  /** JWT validation; required when a route has `auth: true`. @default - no JWT (only if no route needs auth) */
  readonly jwt?: GatewayJwtArgs;
  /** Level-2 cache. @default - level-1 (in-process) cache only */
  readonly redis?: GatewayRedisArgs;
  /** App log level. @default "info" */
  readonly logLevel?: (typeof LOG_LEVELS)[number];
  /** Upstream request timeout in milliseconds. @default 10000 */
  readonly upstreamTimeoutMs?: number;
  /** `required` guarantees replicas land in different zones (prod); `preferred` is best effort. @default "preferred" */
  readonly zoneSpread?: ZoneSpread;
  /** Level-1 cache capacity in MiB. @default - a quarter of `size.memoryMiB` */
  readonly cacheL1MaxMiB?: number;
  /**
   * Proxy hops (IPs/CIDRs) whose `X-Forwarded-*` the app believes; anyone else's are replaced.
   * @default ["127.0.0.0/8", "::1"] - the pod's own Istio sidecar, which passes on what the ingress gateway appended
   */
  readonly trustedProxies?: readonly string[];
  /**
   * Sign the verified JWT subject into `x-platform-subject` with a generated key (Secret
   * `gateway-subject`; give `subjectKeySecretName` to the TelemetryServices). @default false
   */
  readonly subjectSigning?: boolean;
  /**
   * Serve tenants' custom domains: any Host other than `publicHost` must be in `domains` and
   * verified (dns-cache's record in Redis, else a lookup bounded by `dnsTimeoutMs`), or gets 421.
   * @default - every Host is served as the public host
   */
  readonly customDomains?: { readonly publicHost: string; readonly domains: Readonly<Record<string, string>>; readonly dnsTimeoutMs?: number };
}

/**
 * The API gateway: ConfigMap (`.env`), optional Secrets, Deployment, Service, HPA and
 * PodDisruptionBudget. The pod template carries a hash of the `.env`, so editing the config
 * rolls the pods; secrets reach the pod only through Secret volumes and `secretKeyRef`.
 */
export class Gateway extends pulumi.ComponentResource {
  /** Service name (`gateway`). */
  public readonly serviceName: pulumi.Output<string>;
  /** Service port (80, forwarding to the app's 8080). */
  public readonly servicePort: pulumi.Output<number>;
  /** Deployment name. */
  public readonly deploymentName: pulumi.Output<string>;
  /** Rendered `.env` (no secrets in it). */
  public readonly envFile: pulumi.Output<string>;
  /** Hash of the `.env`, set as a pod-template annotation. */
  public readonly configHash: pulumi.Output<string>;
  /** Secret with the subject-signing key (entry `key`), for the upstreams; undefined without `subjectSigning`. */
  public readonly subjectKeySecretName: pulumi.Output<string | undefined>;

  private readonly namespace: string;
  private readonly labels: Record<string, string>;

  constructor(name: string, args: GatewayArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:apps:Gateway", name, {}, opts);
    const routes = args.routes ?? defaultGatewayRoutes(`http://${serviceFqdn(args.telemetryService ?? "telemetry", args.namespace ?? PLATFORM_NAMESPACE)}`);
    validate(args, routes);
    this.namespace = args.namespace ?? PLATFORM_NAMESPACE;
    this.labels = standardLabels(NAME, NAME);

    const jwtKey = args.jwt ? this.createJwtSecret(args.jwt) : undefined;
    const redisPassword = args.redis ? this.createRedisSecret(args.redis) : undefined;
    const subjectKey = args.subjectSigning ? this.createSubjectSecret() : undefined;
    this.envFile = this.renderEnv(args, routes);
    this.configHash = this.envFile.apply((text) => contentHash(text));
    const configMap = this.declare({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${NAME}-config`, namespace: this.namespace, labels: this.labels },
      data: { [GATEWAY_PATHS.envFileName]: this.envFile },
    });
    const autoscaled = args.maxReplicas > args.minReplicas;
    const deployment = this.declare(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: NAME, namespace: this.namespace, labels: this.labels },
        spec: {
          // Under an HPA the replica count is the HPA's: setting it here would reset a scaled-out
          // Deployment on every `pulumi up`.
          ...(autoscaled ? {} : { replicas: args.minReplicas }),
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels(NAME, NAME) },
          // Surge before removing a pod, so a rollout never drops below the current capacity.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: gatewayPodTemplate({
            image: args.image,
            labels: this.labels,
            size: args.size,
            configMapName: `${NAME}-config`,
            configHash: this.configHash,
            jwtKey,
            subjectKey,
            redisPassword,
            spread: args.maxReplicas > 1,
            zoneSpread: args.zoneSpread ?? "preferred",
          }),
        },
      },
      { dependsOn: [configMap] },
    );
    const service = this.declare(httpService({ namespace: this.namespace, name: NAME, labels: this.labels, selector: selectorLabels(NAME, NAME), port: 80 }));
    if (autoscaled) this.createAutoscaler(args);
    const pdb = disruptionBudget({ namespace: this.namespace, name: NAME, labels: this.labels, selector: selectorLabels(NAME, NAME), minReplicas: args.minReplicas });
    if (pdb) this.declare(pdb);

    this.serviceName = pulumi.output(NAME);
    this.servicePort = pulumi.output(80);
    this.deploymentName = pulumi.output(NAME);
    this.subjectKeySecretName = subjectKey ? pulumi.output(subjectKey.secretName) : pulumi.output(undefined);
    this.registerOutputs({
      serviceName: this.serviceName,
      servicePort: this.servicePort,
      deploymentName: this.deploymentName,
      configHash: this.configHash,
      subjectKeySecretName: this.subjectKeySecretName,
      serviceUrn: service.urn,
      deploymentUrn: deployment.urn,
    });
  }

  private declare(obj: KubeObject, opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResource {
    return declareKubeObject(obj, { ...opts, parent: this });
  }

  /** The `.env` text; an Output because the Redis endpoint may be one. */
  private renderEnv(args: GatewayArgs, routes: readonly GatewayRoute[]): pulumi.Output<string> {
    const redis: pulumi.Output<{ host: string; port: number; tls: boolean } | undefined> = args.redis
      ? pulumi.all([args.redis.host, args.redis.port ?? 6379, args.redis.tls ?? false]).apply(([host, port, tls]) => ({ host, port, tls }))
      : pulumi.output(undefined);
    return redis.apply((r) =>
      renderEnvFile(
        gatewayEnvValues({
          region: args.region,
          stage: args.stage,
          port: 8080,
          logLevel: args.logLevel ?? "info",
          routes,
          jwt: args.jwt,
          redis: r,
          upstreamTimeoutMs: args.upstreamTimeoutMs ?? 10_000,
          cacheL1MaxBytes: (args.cacheL1MaxMiB ?? Math.floor(args.size.memoryMiB / 4)) * 1024 * 1024,
          trustedProxies: args.trustedProxies ?? DEFAULT_TRUSTED_PROXIES,
          subjectSigning: args.subjectSigning ?? false,
          customDomains: args.customDomains,
        }) as Record<string, string>,
      ),
    );
  }

  private createJwtSecret(jwt: GatewayJwtArgs) {
    const secretKey = jwt.keySecretKey ?? "key";
    if (jwt.keySecretName !== undefined) return { secretName: jwt.keySecretName, secretKey };
    const secret = this.secret(`${NAME}-jwt`, secretKey, jwt.key!);
    return { secretName: secret, secretKey };
  }

  /** A generated HMAC key shared with the upstreams through the Secret's name. */
  private createSubjectSecret() {
    const key = new random.RandomPassword(`${NAME}-subject-key`, { length: 48, special: false }, { parent: this });
    return { secretName: this.secret(`${NAME}-subject`, "key", key.result), secretKey: "key" };
  }

  private createRedisSecret(redis: GatewayRedisArgs) {
    const secretKey = redis.passwordSecretKey ?? "password";
    if (redis.passwordSecretName !== undefined) return { secretName: redis.passwordSecretName, secretKey };
    if (redis.password === undefined) return undefined;
    return { secretName: this.secret(`${NAME}-redis`, secretKey, redis.password), secretKey };
  }

  /** A Secret with one entry; returns its name (an Output, so the pod waits for it). */
  private secret(secretName: string, key: string, value: pulumi.Input<string>): pulumi.Output<string> {
    const secret = this.declare({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName, namespace: this.namespace, labels: this.labels },
      type: "Opaque",
      stringData: { [key]: pulumi.secret(value) },
    });
    return (secret as unknown as { metadata: pulumi.Output<{ name: string }> }).metadata.apply((m) => m.name);
  }

  private createAutoscaler(args: GatewayArgs): void {
    this.declare({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: NAME, namespace: this.namespace, labels: this.labels },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: NAME },
        minReplicas: args.minReplicas,
        maxReplicas: args.maxReplicas,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.targetCpuPercent ?? 70 } } }],
        // Scale in slowly: the L1 cache of a removed pod is lost, and traffic is bursty.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
      },
    });
  }
}
