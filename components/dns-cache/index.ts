import * as pulumi from "@pulumi/pulumi";
import { DOMAIN_NAME, TENANT_ID } from "../../apps/dns-cache/src/shared/record";
import { contentHash } from "../shared/hash";
import { disruptionBudget, type ZoneSpread } from "../shared/http-workload";
import { declareKubeObject, type KubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, selectorLabels, standardLabels } from "../shared/labels";
import type { ContainerSize } from "../shared/resources";
import { ArgErrors, isPositiveInt } from "../shared/validate";
import { dnsCacheEnv, dnsCachePodTemplate, domainCertificate, domainCredentialName } from "./objects";

export { DNS_CACHE_PORT_NAME, dnsCacheEnv, domainCertificate, domainCredentialName } from "./objects";

const NAME = "dns-cache";

export interface DnsCacheRedisArgs {
  /** Redis host (the gateway's level-2 cache: the gateway reads the records there). */
  readonly host: pulumi.Input<string>;
  /** Redis port. @default 6379 */
  readonly port?: pulumi.Input<number>;
  /** Connect with TLS (ElastiCache in-transit encryption). @default false */
  readonly tls?: pulumi.Input<boolean>;
  /** Existing Secret holding the password / AUTH token. @default - no password */
  readonly passwordSecretName?: pulumi.Input<string>;
  /** Entry of that Secret. @default "password" */
  readonly passwordSecretKey?: string;
}

export interface DnsCacheCertificatesArgs {
  /** cert-manager issuer of every domain's Certificate. */
  readonly issuer: { readonly kind: "ClusterIssuer" | "Issuer"; readonly name: string };
  /** Namespace of the Istio ingress gateway, where its credentials (the Certificates' Secrets) must live. @default "istio-system" */
  readonly namespace?: string;
}

export interface DnsCacheArgs {
  /** Namespace of the Deployment and its ConfigMap. @default "platform" */
  readonly namespace?: string;
  /** dns-cache app image (prefer a digest reference). */
  readonly image: pulumi.Input<string>;
  /** The registry: custom domain → tenant (at least one). */
  readonly domains: Readonly<Record<string, string>>;
  /** The public host every domain must point at (the gateway's). */
  readonly publicHost: string;
  /** Seconds between runs. @default 600 */
  readonly intervalSeconds?: number;
  /** Resolvers to ask, `host` or `host:port`. @default [] - the pod's resolv.conf */
  readonly dnsServers?: readonly string[];
  /** Timeout of one DNS query, ms. @default 2000 */
  readonly dnsTimeoutMs?: number;
  /** Where the records go. */
  readonly redis: DnsCacheRedisArgs;
  /** One cert-manager Certificate per domain. @default - none (bring your own TLS Secrets named by `tlsCredentials`) */
  readonly certificates?: DnsCacheCertificatesArgs;
  /** CPU and memory of the container. @default {cpuMillis: 50, memoryMiB: 128} */
  readonly size?: ContainerSize;
  /**
   * Replicas, each running the loop: runs are idempotent (the first to see a change writes and
   * logs it; the others find it written), so more keep refreshing through a node or zone loss.
   * @default 1
   */
  readonly replicas?: number;
  /** Spread of replicas over zones when more than one. @default "preferred" */
  readonly zoneSpread?: ZoneSpread;
}

/**
 * Custom domains: the dns-cache Deployment (a loop re-verifying every domain each
 * interval into Redis), its ConfigMap, and a cert-manager Certificate per domain. Outputs the
 * host → TLS Secret pairs the ingress Gateway serves.
 */
export class DnsCache extends pulumi.ComponentResource {
  public readonly deploymentName: pulumi.Output<string>;
  /** Each custom domain with the Secret holding its certificate (Istio `credentialName`). */
  public readonly tlsCredentials: pulumi.Output<{ host: string; credentialName: string }[]>;
  /** Names of the Certificates declared (empty without `certificates`). */
  public readonly certificateNames: pulumi.Output<string[]>;

  constructor(name: string, args: DnsCacheArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:apps:DnsCache", name, {}, opts);
    DnsCache.validate(args);
    const namespace = args.namespace ?? PLATFORM_NAMESPACE;
    const labels = standardLabels(NAME, NAME);
    const replicas = args.replicas ?? 1;

    const env = pulumi
      .all([args.redis.host, args.redis.port ?? 6379, args.redis.tls ?? false])
      .apply(([host, port, tls]) =>
        dnsCacheEnv({
          domains: args.domains,
          publicHost: args.publicHost,
          intervalSeconds: args.intervalSeconds ?? 600,
          dnsServers: args.dnsServers ?? [],
          dnsTimeoutMs: args.dnsTimeoutMs ?? 2000,
          redis: { host, port, tls },
        }),
      );
    const configMap = this.declare({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${NAME}-config`, namespace, labels }, data: env });
    const redisPassword = args.redis.passwordSecretName !== undefined ? { secretName: args.redis.passwordSecretName, secretKey: args.redis.passwordSecretKey ?? "password" } : undefined;
    this.declare(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: NAME, namespace, labels },
        spec: {
          replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels(NAME, NAME) },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: dnsCachePodTemplate({
            image: args.image,
            labels,
            size: args.size ?? { cpuMillis: 50, memoryMiB: 128 },
            configMapName: `${NAME}-config`,
            configHash: env.apply((e) => contentHash(JSON.stringify(e))),
            redisPassword,
            spread: replicas > 1 ? (args.zoneSpread ?? "preferred") : undefined,
          }),
        },
      },
      { dependsOn: [configMap] },
    );

    const pdb = disruptionBudget({ namespace, name: NAME, labels, selector: selectorLabels(NAME, NAME), minReplicas: replicas });
    if (pdb) this.declare(pdb);

    const certs = args.certificates
      ? Object.keys(args.domains)
          .sort()
          .map((domain) => domainCertificate({ domain, namespace: args.certificates!.namespace ?? "istio-system", issuer: args.certificates!.issuer }))
      : [];
    for (const c of certs) this.declare(c);

    this.deploymentName = pulumi.output(NAME);
    this.tlsCredentials = pulumi.output(Object.keys(args.domains).sort().map((host) => ({ host, credentialName: domainCredentialName(host) })));
    this.certificateNames = pulumi.output(certs.map((c) => c.metadata.name));
    this.registerOutputs({ deploymentName: this.deploymentName, tlsCredentials: this.tlsCredentials, certificateNames: this.certificateNames });
  }

  private declare(obj: KubeObject, opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResource {
    return declareKubeObject(obj, { ...opts, parent: this });
  }

  private static validate(args: DnsCacheArgs): void {
    const e = new ArgErrors("DnsCache");
    const domains = Object.entries(args.domains ?? {});
    e.check(domains.length > 0, "domains", "must bind at least one custom domain (declare no DnsCache otherwise)");
    for (const [domain, tenant] of domains) {
      e.check(DOMAIN_NAME.test(domain), `domains["${domain}"]`, "is not a lower-case domain name");
      e.check(TENANT_ID.test(tenant), `domains["${domain}"]`, `tenant "${tenant}" must be a-z, 0-9, - (at most 63)`);
      e.check(domain !== args.publicHost, `domains["${domain}"]`, "is the public host itself");
    }
    e.check(DOMAIN_NAME.test(args.publicHost ?? ""), "publicHost", `"${args.publicHost}" is not a lower-case domain name`);
    const interval = args.intervalSeconds ?? 600;
    e.check(isPositiveInt(interval) && interval >= 60, "intervalSeconds", `${interval} must be an integer >= 60`);
    const timeout = args.dnsTimeoutMs ?? 2000;
    e.check(isPositiveInt(timeout) && timeout * 4 < interval * 1000, "dnsTimeoutMs", `${timeout} must be a positive integer well below the interval`);
    const replicas = args.replicas ?? 1;
    e.check(isPositiveInt(replicas) && replicas <= 5, "replicas", `${replicas} must be an integer from 1 to 5`);
    if (args.certificates) e.check(args.certificates.issuer.name.length > 0, "certificates.issuer.name", "must name a cert-manager issuer");
    e.throwIfAny();
  }
}
