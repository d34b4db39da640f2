/**
 * The gateway's pod template: one hardened container reading its `.env` from the ConfigMap,
 * its JWT and subject-signing keys from Secret volumes and the Redis password from a Secret env
 * reference.
 */
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_ENV } from "../../apps/gateway/src/config/keys";
import { drainOnStop, HTTP_PORT_NAME, MESHED_GRACE_SECONDS, httpProbes, meshPodAnnotations, spreadConstraints, tmpVolume, type ZoneSpread } from "../shared/http-workload";
import { versionLabel } from "../shared/labels";
import { containerResources, type ContainerSize } from "../shared/resources";
import { hardenedContainerSecurity, hardenedPodSecurity } from "../shared/security";
import { GATEWAY_PATHS } from "./env-file";

/** Pod-template annotation holding the `.env` hash: a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = "platform/config-hash";
/** Port the gateway app listens on. */
export const GATEWAY_CONTAINER_PORT = 8080;

export interface GatewayPodSpec {
  readonly image: pulumi.Input<string>;
  readonly labels: Record<string, string>;
  readonly size: ContainerSize;
  readonly configMapName: string;
  readonly configHash: pulumi.Input<string>;
  /** Secret holding the JWT key, and its key; absent when no route needs auth. */
  readonly jwtKey?: { readonly secretName: pulumi.Input<string>; readonly secretKey: string };
  /** Secret holding the subject-signing key, and its key; absent when the subject is not signed. */
  readonly subjectKey?: { readonly secretName: pulumi.Input<string>; readonly secretKey: string };
  /** Secret holding the Redis password (AUTH token), and its key. */
  readonly redisPassword?: { readonly secretName: pulumi.Input<string>; readonly secretKey: string };
  /** Spread replicas over nodes and zones (when more than one may run). */
  readonly spread: boolean;
  /** Zone spread strictness when `spread`. */
  readonly zoneSpread: ZoneSpread;
}

export function gatewayPodTemplate(spec: GatewayPodSpec) {
  const tmp = tmpVolume();
  const volumes: unknown[] = [
    // Only the one file, so the JWT key directory can sit beside it under /etc/gateway.
    { name: "config", configMap: { name: spec.configMapName, items: [{ key: GATEWAY_PATHS.envFileName, path: GATEWAY_PATHS.envFileName }] } },
    tmp.volume,
  ];
  // subPath mounts never refresh in place; that is fine because the hash annotation rolls the pods.
  const mounts: unknown[] = [
    { name: "config", mountPath: GATEWAY_PATHS.envFile, subPath: GATEWAY_PATHS.envFileName, readOnly: true },
    tmp.mount,
  ];
  if (spec.jwtKey) {
    volumes.push({
      name: "jwt-key",
      secret: { secretName: spec.jwtKey.secretName, defaultMode: 0o440, items: [{ key: spec.jwtKey.secretKey, path: GATEWAY_PATHS.jwtKeyFileName }] },
    });
    mounts.push({ name: "jwt-key", mountPath: GATEWAY_PATHS.jwtKeyDir, readOnly: true });
  }
  if (spec.subjectKey) {
    volumes.push({
      name: "subject-key",
      secret: { secretName: spec.subjectKey.secretName, defaultMode: 0o440, items: [{ key: spec.subjectKey.secretKey, path: GATEWAY_PATHS.subjectKeyFileName }] },
    });
    mounts.push({ name: "subject-key", mountPath: GATEWAY_PATHS.subjectKeyDir, readOnly: true });
  }
  const env: unknown[] = [{ name: GATEWAY_ENV.envFile, value: GATEWAY_PATHS.envFile }];
  if (spec.redisPassword) {
    env.push({
      name: GATEWAY_ENV.redisPassword,
      valueFrom: { secretKeyRef: { name: spec.redisPassword.secretName, key: spec.redisPassword.secretKey } },
    });
  }
  const selector = {
    "app.kubernetes.io/name": spec.labels["app.kubernetes.io/name"],
    "app.kubernetes.io/component": spec.labels["app.kubernetes.io/component"],
  };
  return {
    metadata: {
      labels: { ...spec.labels, "app.kubernetes.io/version": pulumi.output(spec.image).apply(versionLabel) },
      annotations: { ...meshPodAnnotations(GATEWAY_CONTAINER_PORT), [CONFIG_HASH_ANNOTATION]: spec.configHash },
    },
    spec: {
      automountServiceAccountToken: false,
      securityContext: hardenedPodSecurity(),
      terminationGracePeriodSeconds: MESHED_GRACE_SECONDS,
      ...(spec.spread
        ? {
            topologySpreadConstraints: spreadConstraints(selector, spec.zoneSpread),
          }
        : {}),
      containers: [
        {
          name: "gateway",
          image: spec.image,
          ports: [{ name: HTTP_PORT_NAME, containerPort: GATEWAY_CONTAINER_PORT, protocol: "TCP" }],
          env,
          volumeMounts: mounts,
          resources: containerResources(spec.size),
          securityContext: hardenedContainerSecurity(),
          ...httpProbes(),
          ...drainOnStop(),
        },
      ],
      volumes,
    },
  };
}
