/**
 * The dns-cache objects as plain data: its environment (keyed by the app's own env names), the
 * pod template, and one cert-manager Certificate per custom domain. Pure; the component declares them.
 */
import * as pulumi from "@pulumi/pulumi";
import { DNS_CACHE_ENV, DNS_CACHE_METRICS_PORT } from "../../apps/dns-cache/src/config";
import { httpProbes, meshPodAnnotations, spreadConstraints, tmpVolume, type ZoneSpread } from "../shared/http-workload";
import type { KubeObject } from "../shared/kube";
import { standardLabels, versionLabel } from "../shared/labels";
import { containerResources, type ContainerSize } from "../shared/resources";
import { hardenedContainerSecurity, hardenedPodSecurity } from "../shared/security";
import { sortedRecordJson } from "../shared/json-env";

/** Container port name of /metrics and /healthz. */
export const DNS_CACHE_PORT_NAME = "http-metrics";

export interface DnsCacheEnvSettings {
  readonly domains: Readonly<Record<string, string>>;
  readonly publicHost: string;
  readonly intervalSeconds: number;
  readonly dnsServers: readonly string[];
  readonly dnsTimeoutMs: number;
  readonly redis: { readonly host: string; readonly port: number; readonly tls: boolean };
}

/** The non-secret environment (a ConfigMap); the Redis password comes from a Secret reference. */
export function dnsCacheEnv(s: DnsCacheEnvSettings): Record<string, string> {
  const E = DNS_CACHE_ENV;
  return {
    [E.domains]: sortedRecordJson(s.domains),
    [E.publicHost]: s.publicHost,
    [E.intervalSeconds]: String(s.intervalSeconds),
    [E.dnsServers]: s.dnsServers.join(","),
    [E.dnsTimeoutMs]: String(s.dnsTimeoutMs),
    [E.redisHost]: s.redis.host,
    [E.redisPort]: String(s.redis.port),
    [E.redisTls]: String(s.redis.tls),
    [E.metricsPort]: String(DNS_CACHE_METRICS_PORT),
  };
}

export interface DnsCachePodSpec {
  readonly image: pulumi.Input<string>;
  readonly labels: Record<string, string>;
  readonly size: ContainerSize;
  readonly configMapName: string;
  readonly configHash: pulumi.Input<string>;
  readonly redisPassword?: { readonly secretName: pulumi.Input<string>; readonly secretKey: string };
  /** Zone spread of several replicas; absent for one. */
  readonly spread?: ZoneSpread;
}

export function dnsCachePodTemplate(spec: DnsCachePodSpec) {
  const tmp = tmpVolume(16);
  const env: unknown[] = [];
  if (spec.redisPassword) {
    env.push({ name: DNS_CACHE_ENV.redisPassword, valueFrom: { secretKeyRef: { name: spec.redisPassword.secretName, key: spec.redisPassword.secretKey } } });
  }
  return {
    metadata: {
      labels: { ...spec.labels, "app.kubernetes.io/version": pulumi.output(spec.image).apply(versionLabel) },
      annotations: { ...meshPodAnnotations(DNS_CACHE_METRICS_PORT), "platform/config-hash": spec.configHash },
    },
    spec: {
      automountServiceAccountToken: false,
      securityContext: hardenedPodSecurity(),
      ...(spec.spread
        ? { topologySpreadConstraints: spreadConstraints({ "app.kubernetes.io/name": spec.labels["app.kubernetes.io/name"]!, "app.kubernetes.io/component": spec.labels["app.kubernetes.io/component"]! }, spec.spread) }
        : {}),
      containers: [
        {
          name: "dns-cache",
          image: spec.image,
          ports: [{ name: DNS_CACHE_PORT_NAME, containerPort: DNS_CACHE_METRICS_PORT, protocol: "TCP" }],
          envFrom: [{ configMapRef: { name: spec.configMapName } }],
          env,
          volumeMounts: [tmp.mount],
          resources: containerResources(spec.size),
          securityContext: hardenedContainerSecurity(),
          // /healthz for all three: readiness carries no traffic (nothing calls dns-cache).
          ...Object.fromEntries(Object.entries(httpProbes(DNS_CACHE_PORT_NAME)).map(([k, v]) => [k, { ...v, httpGet: { path: "/healthz", port: DNS_CACHE_PORT_NAME } }])),
        },
      ],
      volumes: [tmp.volume],
    },
  };
}

/** Secret name of a custom domain's certificate (the Gateway server's credentialName). */
export function domainCredentialName(domain: string): string {
  return `custom-domain-${domain.replaceAll(".", "-")}-tls`.slice(0, 253);
}

/** A cert-manager Certificate for one domain, in the ingress gateway's namespace (where Istio reads credentials). */
export function domainCertificate(o: { domain: string; namespace: string; issuer: { kind: string; name: string } }): KubeObject {
  const secretName = domainCredentialName(o.domain);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: secretName.replace(/-tls$/, ""), namespace: o.namespace, labels: standardLabels("custom-domains", "certificate") },
    spec: {
      secretName,
      dnsNames: [o.domain],
      issuerRef: { group: "cert-manager.io", kind: o.issuer.kind, name: o.issuer.name },
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    },
  };
}
