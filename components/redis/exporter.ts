/**
 * redis_exporter (oliver006/redis_exporter) as a sidecar of the in-cluster Redis: INFO over
 * localhost, Prometheus metrics on `:9121/metrics`. The pod is in the mesh, so the
 * `prometheus.io/*` annotations point Istio's metrics merging at the exporter and Prometheus
 * scrapes the sidecar's `:15020/stats/prometheus` (components/alerting/monitors.ts).
 */
import type { KubeObject } from "../shared/kube";
import { hardenedContainerSecurity } from "../shared/security";

/** Same version as scripts/redis-exporter.sh builds for the alerting live test. */
export const REDIS_EXPORTER_VERSION = "v1.62.0";
export const REDIS_EXPORTER_IMAGE = `oliver006/redis_exporter:${REDIS_EXPORTER_VERSION}`;
export const REDIS_EXPORTER_PORT = 9121;
/** Uid of the exporter image's non-root user (scratch image; any non-root uid works). */
const EXPORTER_UID = 59000;

/** Adds the exporter container and the merge annotations to the Redis StatefulSet; other kinds pass through. */
export function withRedisExporter(obj: KubeObject, spec: { secretName: string; passwordKey: string; redisPort: number }): KubeObject {
  if (obj.kind !== "StatefulSet") return obj;
  const sts = structuredClone(obj) as any;
  const tpl = sts.spec.template;
  tpl.spec.containers.push({
    name: "redis-exporter",
    image: REDIS_EXPORTER_IMAGE,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http-metrics", containerPort: REDIS_EXPORTER_PORT, protocol: "TCP" }],
    env: [
      { name: "REDIS_ADDR", value: `redis://localhost:${spec.redisPort}` },
      // From the Secret, never a literal: the exporter reads REDIS_PASSWORD itself.
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: spec.secretName, key: spec.passwordKey } } },
    ],
    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    securityContext: hardenedContainerSecurity(EXPORTER_UID),
    readinessProbe: { httpGet: { path: "/health", port: "http-metrics" }, periodSeconds: 10 },
  });
  tpl.metadata.annotations = {
    ...(tpl.metadata.annotations ?? {}),
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(REDIS_EXPORTER_PORT),
    "prometheus.io/path": "/metrics",
  };
  return sts;
}
