import { Duration, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { synthChart, type KubeObject } from "../shared/kube";
import { selectorLabels, standardLabels } from "../shared/labels";
import { kplusHardenedContainerSecurity, stripCdk8sPlusLabels } from "../shared/cdk8s-plus";
import { maxMemoryMiB } from "./engine";
import { withRedisExporter } from "./exporter";
import { meshProxyConfig } from "../shared/http-workload";

/** Sidecar drain of the Redis pod: Redis stops in well under a second; its clients reconnect. */
const REDIS_SIDECAR_DRAIN_SECONDS = 10;

/** Uid of the `redis` user in the official image (the entrypoint skips su-exec when not root). */
export const REDIS_UID = 999;
export const REDIS_PORT = 6379;
export const NAME = "redis";
export const COMPONENT = "cache";

export interface InClusterRedisSpec {
  readonly namespace: string;
  readonly image: string;
  readonly memoryMiB: number;
  readonly cpuMillis: number;
  /** Secret with the password under `passwordKey`. */
  readonly secretName: string;
  readonly passwordKey: string;
}

/**
 * Service + single-pod StatefulSet for the local stage. A pure cache: no persistence (no RDB,
 * no AOF) and an emptyDir /data. The password reaches redis-server only through `$(VAR)`
 * expansion of an env var fed by the Secret, never as a literal in the spec.
 */
export function buildInClusterRedis(spec: InClusterRedisSpec): KubeObject[] {
  const labels = standardLabels(NAME, COMPONENT);
  const objs = synthChart(spec.namespace, (chart) => {
    const service = new kplus.Service(chart, "service", {
      metadata: { name: NAME, labels },
      ports: [{ name: "tcp-redis", port: REDIS_PORT, targetPort: REDIS_PORT }],
    });
    for (const [k, v] of Object.entries(selectorLabels(NAME, COMPONENT))) service.selectLabel(k, v);
    const secret = kplus.Secret.fromSecretName(chart, "auth", spec.secretName);
    const sts = new kplus.StatefulSet(chart, "statefulset", {
      metadata: { name: NAME, labels },
      service,
      select: false,
      replicas: 1,
      // Meshed where the namespace injects: the sidecar outlives Redis's own quick shutdown.
      podMetadata: { labels, annotations: meshProxyConfig(REDIS_SIDECAR_DRAIN_SECONDS) },
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(REDIS_SIDECAR_DRAIN_SECONDS + 5),
      securityContext: { user: REDIS_UID, group: REDIS_UID, fsGroup: REDIS_UID, ensureNonRoot: true },
      containers: [
        {
          name: NAME,
          image: spec.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ["redis-server"],
          args: [
            "--requirepass", "$(REDIS_PASSWORD)",
            "--maxmemory", `${maxMemoryMiB(spec.memoryMiB)}mb`,
            "--maxmemory-policy", "allkeys-lru",
            "--save", "",
            "--appendonly", "no",
          ],
          ports: [{ name: "tcp-redis", number: REDIS_PORT }],
          envVariables: { REDIS_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: spec.passwordKey }) },
          resources: {
            cpu: { request: kplus.Cpu.millis(spec.cpuMillis), limit: kplus.Cpu.millis(spec.cpuMillis) },
            memory: { request: Size.mebibytes(spec.memoryMiB), limit: Size.mebibytes(spec.memoryMiB) },
          },
          securityContext: kplusHardenedContainerSecurity(REDIS_UID),
          // redis-cli reads the password from REDISCLI_AUTH, so it never shows in the probe.
          readiness: kplus.Probe.fromCommand(["sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli ping | grep -q PONG'], {
            periodSeconds: Duration.seconds(5),
            timeoutSeconds: Duration.seconds(2),
          }),
          liveness: kplus.Probe.fromTcpSocket({ port: REDIS_PORT, periodSeconds: Duration.seconds(10) }),
          startup: kplus.Probe.fromTcpSocket({ port: REDIS_PORT, periodSeconds: Duration.seconds(2), failureThreshold: 30 }),
        },
      ],
    });
    sts.select(kplus.LabelSelector.of({ labels: selectorLabels(NAME, COMPONENT) }));
    sts.containers[0].mount("/data", kplus.Volume.fromEmptyDir(chart, "data", "data"));
  });
  return objs
    .map(stripCdk8sPlusLabels)
    .map(withPodSeccomp)
    .map((o) => withRedisExporter(o, { secretName: spec.secretName, passwordKey: spec.passwordKey, redisPort: REDIS_PORT }));
}

/** cdk8s-plus' pod securityContext has no seccomp field; add the shared default. */
function withPodSeccomp(o: KubeObject): KubeObject {
  if (o.kind !== "StatefulSet") return o;
  const spec = o.spec as any;
  spec.template.spec.securityContext = { ...spec.template.spec.securityContext, seccompProfile: { type: "RuntimeDefault" } };
  return o;
}
