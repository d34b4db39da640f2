import * as pulumi from "@pulumi/pulumi";
import type { TelemetryRole } from "../../apps/telemetry/src/config/keys";
import { tenantRegistryProblems } from "../../apps/telemetry/src/core/tenants";
import { disruptionBudget, drainOnStop, HTTP_PORT_NAME, MESHED_GRACE_SECONDS, httpProbes, httpService, meshPodAnnotations, serviceFqdn, spreadConstraints, tmpVolume, type ZoneSpread } from "../shared/http-workload";
import { declareKubeObject, type KubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, selectorLabels, standardLabels, versionLabel } from "../shared/labels";
import { containerResources, type ContainerSize } from "../shared/resources";
import { hardenedContainerSecurity, hardenedPodSecurity } from "../shared/security";
import { ArgErrors, isPositiveInt } from "../shared/validate";
import { CONTACT_POINT, TELEMETRY_APP, TELEMETRY_CONTAINER_PORT, telemetryEnv } from "./env";

export { TelemetryMeshHost, type TelemetryMeshHostArgs } from "./mesh-host";
export { telemetryEnv, TELEMETRY_APP, TELEMETRY_CASSANDRA_ROLES, TELEMETRY_CONTAINER_PORT } from "./env";

const ROLES: readonly TelemetryRole[] = ["command", "query"];

export interface TelemetryCassandraArgs {
  /** Contact points, `host[:port]` (seeds of the local data centre). */
  readonly contactPoints: pulumi.Input<string[]>;
  /** CQL native port. @default 9042 */
  readonly port?: number;
  /** Local data centre (= region name, `local` for the local stack). */
  readonly dataCenter: string;
  /** Keyspace of the telemetry tables. @default "telemetry" */
  readonly keyspace?: string;
  /** Connect with TLS. @default - true when `caSecretName` is set, else false */
  readonly tls?: boolean;
  /** Secret whose `ca.pem` is the cluster CA the nodes' certificates are verified with. @default - none (public CAs) */
  readonly caSecretName?: pulumi.Input<string>;
  /** Name the nodes' certificates must be valid for (nodes are dialled by IP). @default - the dialled address */
  readonly tlsServerName?: string;
  /** Secret (`tls.crt`, `tls.key`) with a client certificate, for nodes that require one. @default - none presented */
  readonly clientCertSecretName?: pulumi.Input<string>;
  /** Secret holding the Cassandra credentials. */
  readonly credentialsSecretName: pulumi.Input<string>;
  /** Entry of that Secret holding the user name. @default "username" */
  readonly usernameKey?: string;
  /** Entry of that Secret holding the password. @default "password" */
  readonly passwordKey?: string;
}

export interface TelemetryServiceArgs {
  /** Namespace of every object. @default "platform" */
  readonly namespace?: string;
  /** Telemetry app image (prefer a digest reference so a rebuild rolls the pods). */
  readonly image: pulumi.Input<string>;
  /** `command` (writes, LOCAL_QUORUM) or `query` (reads, LOCAL_ONE). */
  readonly role: TelemetryRole;
  /** Replica count; a PodDisruptionBudget is declared only when it exceeds 1. */
  readonly replicas: number;
  /** `required` guarantees replicas land in different zones (prod); `preferred` is best effort. @default "preferred" */
  readonly zoneSpread?: ZoneSpread;
  /** CPU and memory of the server container. */
  readonly size: ContainerSize;
  /** How the server reaches Cassandra. */
  readonly cassandra: TelemetryCassandraArgs;
  /** Service port (forwards to the app's 8080). @default 80 */
  readonly servicePort?: number;
  /**
   * Secret holding the key that verifies the gateway's signed subject header (Idempotency-Keys
   * scoped per caller): the Gateway's `subjectKeySecretName`. @default - no subject scoping
   */
  readonly subjectKeySecretName?: pulumi.Input<string>;
  /** Entry of that Secret. @default "key" */
  readonly subjectKeySecretKey?: string;
  /**
   * Custom-domain tenants and the event sources each may touch (`{"<tenant>": ["<source>",
   * "<prefix>*"]}`); the gateway signs the tenant with the subject key, so this needs
   * `subjectKeySecretName`. @default - none (a request carrying a tenant is refused)
   */
  readonly tenantSources?: Readonly<Record<string, readonly string[]>>;
}

/**
 * One role of the telemetry server (CQRS): Deployment and Service `telemetry-<role>`, plus a
 * PodDisruptionBudget when several replicas run. Credentials come only by `secretKeyRef`.
 */
export class TelemetryService extends pulumi.ComponentResource {
  /** Service name, `telemetry-<role>`. */
  public readonly serviceName: pulumi.Output<string>;
  /** Service port. */
  public readonly port: pulumi.Output<number>;
  /** In-cluster FQDN of the Service (a mesh route destination). */
  public readonly host: pulumi.Output<string>;
  /** Deployment name, `telemetry-<role>`. */
  public readonly deploymentName: pulumi.Output<string>;

  constructor(name: string, args: TelemetryServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:apps:TelemetryService", name, {}, opts);
    validate(args);
    // The SDK does not pass a component's dependsOn to its children: hand it down, so the
    // Deployment itself waits (e.g. for the Cassandra schema Job).
    this.after = opts.dependsOn;
    const namespace = args.namespace ?? PLATFORM_NAMESPACE;
    const objectName = `${TELEMETRY_APP}-${args.role}`;
    const labels = standardLabels(TELEMETRY_APP, args.role);
    const selector = selectorLabels(TELEMETRY_APP, args.role);
    const port = args.servicePort ?? 80;

    this.declare(this.deployment(args, namespace, objectName, labels, selector));
    this.declare(httpService({ namespace, name: objectName, labels, selector, port }));
    const pdb = disruptionBudget({ namespace, name: objectName, labels, selector, minReplicas: args.replicas });
    if (pdb) this.declare(pdb);

    this.serviceName = pulumi.output(objectName);
    this.deploymentName = pulumi.output(objectName);
    this.port = pulumi.output(port);
    this.host = pulumi.output(serviceFqdn(objectName, namespace));
    this.registerOutputs({ serviceName: this.serviceName, port: this.port, host: this.host, deploymentName: this.deploymentName });
  }

  private readonly after: pulumi.ComponentResourceOptions["dependsOn"];

  private declare(obj: KubeObject): pulumi.CustomResource {
    return declareKubeObject(obj, { parent: this, dependsOn: this.after });
  }

  private deployment(args: TelemetryServiceArgs, namespace: string, name: string, labels: Record<string, string>, selector: Record<string, string>): KubeObject {
    const c = args.cassandra;
    const caDir = "/etc/cassandra-ca";
    const env = pulumi.all([c.contactPoints, c.credentialsSecretName, args.subjectKeySecretName, c.clientCertSecretName]).apply(([contactPoints, secretName, subjectSecret, clientCertSecretName]) =>
      telemetryEnv({
        role: args.role,
        contactPoints,
        cassandraPort: c.port ?? 9042,
        dataCenter: c.dataCenter,
        keyspace: c.keyspace ?? "telemetry",
        tls: c.tls ?? c.caSecretName !== undefined,
        tlsServerName: c.tlsServerName,
        caFile: c.caSecretName !== undefined ? `${caDir}/ca.pem` : undefined,
        credentials: { secretName, usernameKey: c.usernameKey ?? "username", passwordKey: c.passwordKey ?? "password" },
        subjectKey: subjectSecret ? { secretName: subjectSecret, key: args.subjectKeySecretKey ?? "key" } : undefined,
        tenantSources: args.tenantSources,
        clientCertSecretName,
      }),
    );
    const tmp = tmpVolume();
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: args.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        // Surge first: a rollout never lowers the capacity of the role.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { ...labels, "app.kubernetes.io/version": pulumi.output(args.image).apply(versionLabel) }, annotations: meshPodAnnotations(TELEMETRY_CONTAINER_PORT) },
          spec: {
            automountServiceAccountToken: false,
            securityContext: hardenedPodSecurity(),
            terminationGracePeriodSeconds: MESHED_GRACE_SECONDS,
            ...(args.replicas > 1
              ? {
                  topologySpreadConstraints: spreadConstraints(selector, args.zoneSpread ?? "preferred"),
                }
              : {}),
            containers: [
              {
                name: TELEMETRY_APP,
                image: args.image,
                ports: [{ name: HTTP_PORT_NAME, containerPort: TELEMETRY_CONTAINER_PORT, protocol: "TCP" }],
                env,
                volumeMounts: [tmp.mount, ...(c.caSecretName !== undefined ? [{ name: "cassandra-ca", mountPath: caDir, readOnly: true }] : [])],
                resources: containerResources(args.size),
                securityContext: hardenedContainerSecurity(),
                ...httpProbes(),
                ...drainOnStop(),
              },
            ],
            volumes: [tmp.volume, ...(c.caSecretName !== undefined ? [{ name: "cassandra-ca", secret: { secretName: c.caSecretName, items: [{ key: "ca.pem", path: "ca.pem" }] } }] : [])],
          },
        },
      },
    };
  }
}

function validate(args: TelemetryServiceArgs): void {
  const e = new ArgErrors("TelemetryService");
  const c = args.cassandra;
  e.check(args.namespace === undefined || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.namespace), "namespace", `"${args.namespace}" is not a DNS label`);
  e.check(typeof args.image !== "string" || args.image.length > 0, "image", "must not be empty");
  e.check(ROLES.includes(args.role), "role", `"${args.role}" must be command or query`);
  e.check(isPositiveInt(args.replicas), "replicas", `${args.replicas} must be a positive integer`);
  e.check(isPositiveInt(args.size.cpuMillis), "size.cpuMillis", `${args.size.cpuMillis} must be a positive integer`);
  e.check(isPositiveInt(args.size.memoryMiB), "size.memoryMiB", `${args.size.memoryMiB} must be a positive integer`);
  e.check((args.size.cpuLimitMillis ?? args.size.cpuMillis) >= args.size.cpuMillis, "size.cpuLimitMillis", `${args.size.cpuLimitMillis} must be >= cpuMillis`);
  if (Array.isArray(c.contactPoints)) {
    e.check(c.contactPoints.length > 0, "cassandra.contactPoints", "needs at least one host");
    for (const p of c.contactPoints) e.check(typeof p !== "string" || CONTACT_POINT.test(p), "cassandra.contactPoints", `"${p}" must be host[:port]`);
  }
  e.check(c.port === undefined || (Number.isInteger(c.port) && c.port >= 1 && c.port <= 65535), "cassandra.port", `${c.port} must be a port number`);
  e.check(/^[A-Za-z0-9_-]+$/.test(c.dataCenter), "cassandra.dataCenter", `"${c.dataCenter}" must be a data centre name such as eu-west-1`);
  e.check(c.keyspace === undefined || /^[a-z][a-z0-9_]{0,47}$/.test(c.keyspace), "cassandra.keyspace", `"${c.keyspace}" must be a lower-case CQL identifier`);
  if (args.tenantSources) {
    e.check(args.subjectKeySecretName !== undefined, "tenantSources", "needs subjectKeySecretName (the tenant header is verified with the subject key)");
    for (const problem of tenantRegistryProblems(args.tenantSources)) e.check(false, "tenantSources", problem);
  }
  e.check(args.servicePort === undefined || (Number.isInteger(args.servicePort) && args.servicePort >= 1 && args.servicePort <= 65535), "servicePort", `${args.servicePort} must be a port number`);
  e.throwIfAny();
}
