/**
 * Building blocks shared by the platform's HTTP workloads (gateway, telemetry command/query):
 * probes, the ClusterIP Service, the PodDisruptionBudget and the mesh pod annotations. Pure
 * functions returning plain objects for {@link declareKubeObject}.
 */
import type { KubeObject } from "./kube";

/** Container port name every HTTP workload uses; Istio infers the protocol from the `http` prefix. */
export const HTTP_PORT_NAME = "http";

/** In-cluster DNS name of a Service. */
export function serviceFqdn(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/**
 * Startup, liveness and readiness probes on the apps' `/healthz` and `/readyz`. The startup
 * probe gives a slow boot (Cassandra/Redis connect) a minute before liveness can kill the pod.
 */
export function httpProbes(portName: string = HTTP_PORT_NAME) {
  const get = (path: string) => ({ httpGet: { path, port: portName } });
  return {
    startupProbe: { ...get("/healthz"), periodSeconds: 2, failureThreshold: 30, timeoutSeconds: 2 },
    livenessProbe: { ...get("/healthz"), periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
    readinessProbe: { ...get("/readyz"), periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
  };
}

/**
 * A short pause before SIGTERM, so the endpoint leaves the Service (and the mesh stops sending)
 * before the app starts draining; the apps then finish in-flight requests themselves.
 */
export function drainOnStop(seconds = PRE_STOP_SECONDS) {
  return { lifecycle: { preStop: { exec: { command: ["sleep", String(seconds)] } } } };
}

/** The preStop pause of {@link drainOnStop}, seconds. */
export const PRE_STOP_SECONDS = 5;
/** Longest in-flight drain of the apps after SIGTERM, seconds (telemetry 25 s, gateway 10 s). */
export const APP_DRAIN_SECONDS = 25;
/**
 * How long the Istio sidecar keeps serving after SIGTERM. It gets SIGTERM with the pod, not
 * after the app, and Envoy's default drain is 5 s: it must cover the preStop pause plus the
 * app's drain, or in-flight requests fail on every rollout.
 */
export const SIDECAR_DRAIN_SECONDS = PRE_STOP_SECONDS + APP_DRAIN_SECONDS;
/** Pod grace period of the meshed apps: the sidecar's drain plus a margin for both to exit. */
export const MESHED_GRACE_SECONDS = SIDECAR_DRAIN_SECONDS + 5;

/** `proxy.istio.io/config` of a meshed pod: its sidecar drains for `drainSeconds` on stop. */
export function meshProxyConfig(drainSeconds: number, extra: Record<string, unknown> = {}): Record<string, string> {
  return { "proxy.istio.io/config": JSON.stringify({ ...extra, terminationDrainDuration: `${drainSeconds}s` }) };
}

/**
 * Pod annotations for a meshed HTTP app: hold the app until the sidecar is up (its first
 * outbound connection would otherwise fail), keep the sidecar up while the app drains, and let
 * Istio merge the app's `/metrics`.
 */
export function meshPodAnnotations(metricsPort: number): Record<string, string> {
  return {
    ...meshProxyConfig(SIDECAR_DRAIN_SECONDS, { holdApplicationUntilProxyStarts: true }),
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(metricsPort),
    "prometheus.io/path": "/metrics",
  };
}

export interface HttpServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  /** Service port (clients use this). */
  readonly port: number;
  /** Named container port the Service forwards to. */
  readonly targetPort?: string;
}

/** A ClusterIP Service with one named `http` port. */
export function httpService(spec: HttpServiceSpec): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      type: "ClusterIP",
      selector: spec.selector,
      ports: [{ name: HTTP_PORT_NAME, port: spec.port, targetPort: spec.targetPort ?? HTTP_PORT_NAME, protocol: "TCP", appProtocol: "http" }],
    },
  };
}

/**
 * A PodDisruptionBudget allowing one voluntary eviction at a time, or `undefined` when the
 * workload may run a single replica: a budget on one pod either blocks node drains
 * (minAvailable 1) or protects nothing (maxUnavailable 1), so none is declared.
 * `maxUnavailable` (not `minAvailable`) keeps the budget right when an HPA scales the workload.
 */
export function disruptionBudget(
  spec: Omit<HttpServiceSpec, "port" | "targetPort"> & { readonly minReplicas: number },
): KubeObject | undefined {
  if (spec.minReplicas <= 1) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: spec.selector }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
  };
}

/** A writable scratch `/tmp` for containers with a read-only root filesystem. */
export function tmpVolume(sizeLimitMiB = 64) {
  return {
    volume: { name: "tmp", emptyDir: { sizeLimit: `${sizeLimitMiB}Mi` } },
    mount: { name: "tmp", mountPath: "/tmp" },
  };
}

/** How strictly replicas spread over zones: `required` never co-locates beyond skew 1. */
export type ZoneSpread = "required" | "preferred";

/**
 * Spread replicas over nodes (best effort) and zones. `required` (DoNotSchedule) is what
 * guarantees surviving a zone outage, but it leaves pods Pending on clusters whose nodes
 * carry no zone label (kind, minikube), so non-prod tiers use `preferred`.
 */
export function spreadConstraints(selector: Record<string, string>, zoneSpread: ZoneSpread) {
  return [
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
      labelSelector: { matchLabels: selector },
    },
  ];
}
