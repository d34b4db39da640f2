/**
 * Scrape config for prometheus-operator: one PodMonitor per platform workload. The operator
 * ignores `prometheus.io/*` annotations, so without these nothing is scraped.
 *
 * Under STRICT mTLS a Prometheus outside the mesh cannot reach the app ports (the sidecar
 * demands a mesh certificate), so meshed pods are scraped on the sidecar's merged-metrics
 * endpoint `:15020/stats/prometheus`: the Istio agent serves the app's own metrics there (it
 * reads them over localhost from the port in the `prometheus.io/port` annotation, which the
 * injector records before pointing the annotations at 15020) merged with Envoy's. That port is
 * plain HTTP and excluded from inbound capture. Pods outside the mesh (Cassandra by default)
 * are scraped on their metrics port directly.
 */
import type { KubeObject } from "../shared/kube";
import { selectorLabels, standardLabels } from "../shared/labels";

/**
 * Labels kube-prometheus-stack's Prometheus selects rules and monitors by: with its defaults
 * (`*SelectorNilUsesHelmValues: true`) the selectors are `release: <helm release name>`, and the
 * chart's documented install names the release `kube-prometheus-stack`. Stack config
 * `alerting.prometheusSelectorLabels` overrides it; `npm run preflight` checks it (./selects.ts).
 */
export const DEFAULT_PROMETHEUS_SELECTOR_LABELS: Readonly<Record<string, string>> = { release: "kube-prometheus-stack" };

/** The Istio agent's merged Prometheus endpoint (app + Envoy metrics) on every sidecar. */
export const ISTIO_MERGED_METRICS = { port: 15020, path: "/stats/prometheus" } as const;
/** The sidecar's declared container port (15090): selects exactly one target per meshed pod. */
export const ISTIO_PROXY_PORT_NAME = "http-envoy-prom";

/** PodMonitor names; the operator's `job` label for their targets is `<namespace>/<name>`. */
export const MONITORS = {
  gateway: "gateway",
  telemetry: "telemetry",
  cassandra: "cassandra",
  redis: "redis",
  dnsCache: "dns-cache",
} as const;

/** The `job` label prometheus-operator gives the targets of a PodMonitor. */
export function monitorJob(namespace: string, monitor: string): string {
  return `${namespace}/${monitor}`;
}

/** What one PodMonitor scrapes. */
export interface ScrapeTarget {
  /** PodMonitor name (one of MONITORS). */
  readonly name: string;
  /** Pod labels it selects (immutable selector labels; `component` may be an In list). */
  readonly select: { readonly name: string; readonly components: readonly string[] };
  /** In the mesh: scrape the sidecar's merged endpoint. Otherwise the named container port. */
  readonly mesh: boolean;
  /** Container port name of the metrics endpoint when outside the mesh. */
  readonly port: string;
  /** Metrics path when outside the mesh. */
  readonly path: string;
}

export interface PlatformScrapeOptions {
  /** Cassandra pods run an Istio sidecar (CassandraCluster `meshSidecar`). @default false */
  readonly cassandraInMesh?: boolean;
  /** The in-cluster Redis runs with its exporter (local stage); ElastiCache has no pods. @default true */
  readonly inClusterRedis?: boolean;
  /** dns-cache runs (custom domains configured; meshed like the apps). @default false */
  readonly dnsCache?: boolean;
}

/** The platform's scrape targets: gateway, both telemetry roles, Cassandra (JMX agent), Redis (exporter). */
export function platformScrapeTargets(opts: PlatformScrapeOptions = {}): ScrapeTarget[] {
  const targets: ScrapeTarget[] = [
    { name: MONITORS.gateway, select: { name: "gateway", components: ["gateway"] }, mesh: true, port: "http", path: "/metrics" },
    { name: MONITORS.telemetry, select: { name: "telemetry", components: ["command", "query"] }, mesh: true, port: "http", path: "/metrics" },
    { name: MONITORS.cassandra, select: { name: "cassandra", components: ["database"] }, mesh: opts.cassandraInMesh ?? false, port: "http-metrics", path: "/metrics" },
  ];
  if (opts.inClusterRedis ?? true) targets.push({ name: MONITORS.redis, select: { name: "redis", components: ["cache"] }, mesh: true, port: "http-metrics", path: "/metrics" });
  if (opts.dnsCache) targets.push({ name: MONITORS.dnsCache, select: { name: "dns-cache", components: ["dns-cache"] }, mesh: true, port: "http-metrics", path: "/metrics" });
  return targets;
}

/** The PodMonitor for one target, labelled so the cluster's Prometheus selects it. */
export function podMonitorObject(
  target: ScrapeTarget,
  namespace: string,
  selectorLabelsForPrometheus: Readonly<Record<string, string>>,
  intervalSeconds = 30,
): KubeObject {
  const [first] = target.select.components;
  const selector =
    target.select.components.length === 1
      ? { matchLabels: selectorLabels(target.select.name, first!) }
      : {
          matchLabels: { "app.kubernetes.io/name": target.select.name },
          matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: [...target.select.components] }],
        };
  const endpoint = target.mesh
    ? {
        port: ISTIO_PROXY_PORT_NAME,
        path: ISTIO_MERGED_METRICS.path,
        interval: `${intervalSeconds}s`,
        // Same pod, the agent's port instead of Envoy's: pod IP (v4 or bracketed v6) + 15020.
        relabelings: [
          { sourceLabels: ["__meta_kubernetes_pod_ip"], regex: "([^:]+)", targetLabel: "__address__", replacement: `$1:${ISTIO_MERGED_METRICS.port}`, action: "replace" },
          { sourceLabels: ["__meta_kubernetes_pod_ip"], regex: "(.+:.+)", targetLabel: "__address__", replacement: `[$1]:${ISTIO_MERGED_METRICS.port}`, action: "replace" },
        ],
      }
    : { port: target.port, path: target.path, interval: `${intervalSeconds}s` };
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: target.name, namespace, labels: { ...standardLabels("alerting", "monitor"), ...selectorLabelsForPrometheus } },
    spec: { selector, namespaceSelector: { matchNames: [namespace] }, podMetricsEndpoints: [endpoint] },
  };
}
