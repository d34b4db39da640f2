/**
 * A hand-made prod stack mirroring what the components emit (labels, Istio objects, Cassandra
 * racks, ElastiCache, Vercel). `goodStack()` passes every policy; each failing case of the
 * tests mutates one field of a fresh copy.
 */
import type { ResourceLike } from "../../policies/core/types";
import { evaluatePolicies } from "../../policies/core/evaluate";
import type { PackConfig, PlatformPolicy } from "../../policies/core/types";

const NS = "platform";
const TYPES: Record<string, string> = {
  Namespace: "kubernetes:core/v1:Namespace",
  Service: "kubernetes:core/v1:Service",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  Secret: "kubernetes:core/v1:Secret",
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  Job: "kubernetes:batch/v1:Job",
  PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  HorizontalPodAutoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  VirtualService: "kubernetes:networking.istio.io/v1:VirtualService",
  DestinationRule: "kubernetes:networking.istio.io/v1:DestinationRule",
  Gateway: "kubernetes:networking.istio.io/v1:Gateway",
  ServiceEntry: "kubernetes:networking.istio.io/v1:ServiceEntry",
  PeerAuthentication: "kubernetes:security.istio.io/v1:PeerAuthentication",
};

export const labels = (name: string, component: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/part-of": "platform",
  "app.kubernetes.io/managed-by": "pulumi",
});
const selector = (name: string, component: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/component": component });

export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::platform::${type}::${name}`;
}

/** A Kubernetes object as the engine sees it (inputs carry apiVersion/kind like the SDK sets them). */
export function kube(stack: string, kind: string, name: string, body: Record<string, any>, namespace = NS): ResourceLike {
  const type = TYPES[kind];
  const apiVersion = type.split(":")[1].replace(/^core\//, ""); // the SDK sets `v1` for the core group
  const props = { apiVersion, kind, ...body, metadata: { name, namespace, ...(body.metadata ?? {}) } };
  return { type, name: `${kind.toLowerCase()}-${name}`, urn: urnOf(stack, type, `${kind.toLowerCase()}-${name}`), props };
}

const secure = { runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } };
const size = (cpu: string, mem: string) => ({ requests: { cpu, memory: mem }, limits: { cpu, memory: mem } });
const probes = { readinessProbe: { httpGet: { path: "/readyz", port: 8080 } }, livenessProbe: { httpGet: { path: "/healthz", port: 8080 } } };

function httpApp(stack: string, name: string, component: string, replicas?: number): ResourceLike {
  return kube(stack, "Deployment", name, {
    metadata: { labels: labels(name, component) },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: selector(name, component) },
      template: {
        metadata: { labels: labels(name, component) },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001 },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selector(name, component) } }],
          containers: [{
            name, image: `registry.example.com/${name}@sha256:${"ab12".repeat(16)}`,
            ports: [{ name: "http", containerPort: 8080 }],
            env: [
              { name: "PORT", value: "8080" },
              { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: `${name}-redis`, key: "password" } } },
              { name: "CASSANDRA_PASSWORD", valueFrom: { secretKeyRef: { name: `cassandra-role-${name}`, key: "password" } } },
            ],
            resources: size("500m", "512Mi"),
            securityContext: secure,
            ...probes,
          }],
        },
      },
    },
  });
}

function service(stack: string, name: string, component: string, ports: { name: string; port: number }[], extra: Record<string, any> = {}): ResourceLike {
  return kube(stack, "Service", name, {
    metadata: { labels: labels(name, component) },
    spec: { selector: selector(name, component), ports: ports.map((p) => ({ ...p, targetPort: p.port, protocol: "TCP" })), ...extra },
  });
}

/** The scale-down guard every Cassandra StatefulSet waits for (components/cassandra/scale-down.ts). */
function scaleDownGuard(stack: string, zones: readonly string[]): ResourceLike {
  return kube(stack, "Job", "cassandra-scale-down-0123456789", {
    metadata: { labels: labels("cassandra", "scale-down") },
    spec: {
      backoffLimit: 2,
      template: {
        metadata: { labels: labels("cassandra", "scale-down") },
        spec: {
          restartPolicy: "Never",
          securityContext: { runAsNonRoot: true, runAsUser: 999 },
          containers: [{
            name: "nodetool", image: "cassandra:5.0.6", command: ["sh", "-c", "nodetool decommission"],
            env: [
              { name: "SCALE_DOWN_TARGETS", value: zones.map((z) => `cassandra-${z.slice(-1)}:1`).join(" ") },
              { name: "POD_DOMAIN", value: "cassandra.platform.svc.cluster.local" },
              { name: "JMX_USERNAME", valueFrom: { secretKeyRef: { name: "cassandra-jmx", key: "username" } } },
              { name: "JMX_PASSWORD", valueFrom: { secretKeyRef: { name: "cassandra-jmx", key: "password" } } },
            ],
            resources: size("200m", "384Mi"),
            securityContext: { ...secure, runAsUser: 999 },
          }],
        },
      },
    },
  });
}

function cassandraRack(stack: string, dc: string, zone: string, guard: ResourceLike): ResourceLike {
  return { ...cassandraRackObject(stack, dc, zone), dependencies: [{ urn: guard.urn }] };
}

function cassandraRackObject(stack: string, dc: string, zone: string): ResourceLike {
  const name = `cassandra-${zone.slice(-1)}`;
  const rackSel = { ...selector("cassandra", "database"), "platform.example.com/rack": zone };
  return kube(stack, "StatefulSet", name, {
    metadata: { labels: labels("cassandra", "database") },
    spec: {
      replicas: 1,
      serviceName: "cassandra",
      selector: { matchLabels: rackSel },
      template: {
        metadata: { labels: { ...labels("cassandra", "database"), "platform.example.com/rack": zone } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 999, fsGroup: 999 },
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: [zone] }] }] } },
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector("cassandra", "database") } }] },
          },
          initContainers: [{ name: "config", image: "cassandra:5.0.6", command: ["sh", "-c", "cp -r /etc/cassandra/. /config/"], resources: size("100m", "128Mi"), securityContext: { ...secure, runAsUser: 999 } }],
          containers: [{
            name: "cassandra", image: "cassandra:5.0.6",
            ports: [{ name: "tcp-intra", containerPort: 7000 }, { name: "tcp-cql", containerPort: 9042 }],
            env: [
              { name: "CASSANDRA_CLUSTER_NAME", value: "telemetry" },
              { name: "CASSANDRA_DC", value: dc },
              { name: "CASSANDRA_RACK", value: zone },
              { name: "MAX_HEAP_SIZE", value: "16384M" },
              { name: "HEAP_NEWSIZE", value: "2048M" },
              { name: "MAX_DIRECT_MEMORY_SIZE", value: "8192M" },
            ],
            resources: size("8000m", "32768Mi"),
            securityContext: { ...secure, runAsUser: 999 },
            readinessProbe: { tcpSocket: { port: 9042 } },
            livenessProbe: { tcpSocket: { port: 7000 } },
          }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1000Gi" } } } }],
      persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete", whenDeleted: "Retain" },
    },
  });
}

const route = (host: string, port = 80, extra: Record<string, any> = {}) => ({ route: [{ destination: { host, port: { number: port } } }], timeout: "10s", ...extra });

/** The CQRS routes in the order the design asks for. */
export function cqrsHttp() {
  return [
    { name: "read-your-writes", match: [{ headers: { "x-read-your-writes": { exact: "true" } } }], ...route("telemetry-command") },
    { name: "reads", match: [{ method: { exact: "GET" } }, { method: { exact: "HEAD" } }], ...route("telemetry-query", 80, { retries: { attempts: 2, perTryTimeout: "3s", retryOn: "5xx,reset,connect-failure" } }) },
    { name: "writes", match: [{ method: { regex: "POST|PUT|PATCH|DELETE" } }], ...route("telemetry-command", 80, { retries: { attempts: 0 } }) },
  ];
}

export const PUBLIC_HOST = "api.telemetry.example.com";

export function goodStack(stack = "prod-us-east-1"): ResourceLike[] {
  return clone(buildStack(stack));
}

function buildStack(stack: string): ResourceLike[] {
  const dc = stack === "local" ? "local" : stack.replace(/^(dev|staging|prod)-/, "");
  const outlier = { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 };
  const dr = (host: string) => kube(stack, "DestinationRule", host, { spec: { host: `${host}.${NS}.svc.cluster.local`, trafficPolicy: { outlierDetection: outlier } } });
  const pdb = (name: string, sel: Record<string, string>) => kube(stack, "PodDisruptionBudget", name, { spec: { maxUnavailable: 1, selector: { matchLabels: sel } } });
  const zones = ["a", "b", "c"].map((z) => `${dc}${z}`);
  const guard = scaleDownGuard(stack, zones);
  return [
    kube(stack, "Namespace", NS, { metadata: { labels: { "istio-injection": "enabled" } } }, undefined as any),
    kube(stack, "PeerAuthentication", "default", { spec: { mtls: { mode: "STRICT" } } }),
    service(stack, "gateway", "gateway", [{ name: "http", port: 80 }]),
    service(stack, "telemetry", "api", [{ name: "http", port: 80 }]),
    service(stack, "telemetry-command", "command", [{ name: "http", port: 80 }]),
    service(stack, "telemetry-query", "query", [{ name: "http", port: 80 }]),
    service(stack, "cassandra", "database", [{ name: "tcp-intra", port: 7000 }, { name: "tcp-cql", port: 9042 }], { clusterIP: "None", publishNotReadyAddresses: true }),
    service(stack, "cassandra-client", "database", [{ name: "tcp-cql", port: 9042 }]),
    httpApp(stack, "gateway", "gateway"),
    kube(stack, "HorizontalPodAutoscaler", "gateway", {
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "gateway" }, minReplicas: 3, maxReplicas: 20, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] },
    }),
    pdb("gateway", selector("gateway", "gateway")),
    httpApp(stack, "telemetry-command", "command", 3),
    pdb("telemetry-command", selector("telemetry-command", "command")),
    httpApp(stack, "telemetry-query", "query", 3),
    pdb("telemetry-query", selector("telemetry-query", "query")),
    guard,
    ...zones.map((z) => cassandraRack(stack, dc, z, guard)),
    // ONE budget over every Cassandra pod of the data centre (a drain never takes two racks).
    pdb("cassandra", selector("cassandra", "database")),
    kube(stack, "ConfigMap", "cassandra-schema", {
      data: {
        "schema.cql": `CREATE KEYSPACE IF NOT EXISTS telemetry WITH replication = {'class': 'NetworkTopologyStrategy', '${dc}': 3, 'eu-west-1': 3};\n\nCREATE TABLE IF NOT EXISTS telemetry.events (device_id text, ts timestamp, PRIMARY KEY (device_id, ts));\n`,
      },
    }),
    kube(stack, "ConfigMap", "gateway-env", {
      data: { "gateway.env": `PORT=8080\nREGION=${dc}\nJWT_ALG=RS256\nJWT_ISSUER=https://auth.example.com/\nJWT_KEY_FILE=/etc/gateway/jwt/key\nREDIS_HOST=master.redis.abc.cache.amazonaws.com\nROUTES=[{"prefix":"/api/telemetry","upstream":"http://telemetry.platform.svc.cluster.local","kind":"stream","auth":true}]\n` },
    }),
    kube(stack, "Secret", "cassandra-credentials", { type: "Opaque", stringData: "[secret]" }),
    kube(stack, "Job", "cassandra-schema-0123456789", {
      metadata: { labels: labels("cassandra", "schema") },
      spec: {
        backoffLimit: 3,
        template: {
          metadata: { labels: labels("cassandra", "schema") },
          spec: {
            restartPolicy: "Never",
            securityContext: { runAsNonRoot: true, runAsUser: 999 },
            containers: [{
              name: "cqlsh", image: "cassandra:5.0.6", command: ["sh", "-c", "cqlsh -f /schema/schema.cql"],
              env: [
                { name: "CASSANDRA_USERNAME", valueFrom: { secretKeyRef: { name: "cassandra-credentials", key: "username" } } },
                { name: "CASSANDRA_PASSWORD", valueFrom: { secretKeyRef: { name: "cassandra-credentials", key: "password" } } },
                { name: "CASSANDRA_ROLE_TELEMETRY_QUERY_PASSWORD", valueFrom: { secretKeyRef: { name: "cassandra-role-telemetry-query", key: "password" } } },
              ],
              resources: size("200m", "256Mi"),
              securityContext: { ...secure, runAsUser: 999 },
            }],
          },
        },
      },
    }),
    kube(stack, "Gateway", "ingress", {
      spec: {
        selector: { istio: "ingressgateway" },
        servers: [
          { port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: [`${NS}/${PUBLIC_HOST}`], tls: { mode: "SIMPLE", credentialName: "gateway-tls" } },
          { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: [`${NS}/${PUBLIC_HOST}`], tls: { httpsRedirect: true } },
        ],
      },
    }),
    kube(stack, "VirtualService", "gateway", { spec: { hosts: [PUBLIC_HOST], gateways: [`${NS}/ingress`], http: [{ name: "public", ...route("gateway", 80, { timeout: "15s" }) }] } }),
    kube(stack, "VirtualService", "telemetry", { spec: { hosts: ["telemetry"], http: cqrsHttp() } }),
    dr("gateway"),
    dr("telemetry-command"),
    dr("telemetry-query"),
    {
      type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "redis", urn: urnOf(stack, "aws:elasticache/replicationGroup:ReplicationGroup", "redis"),
      props: { description: "gateway L2 cache", engine: "redis", nodeType: "cache.r7g.xlarge", numCacheClusters: 3, multiAzEnabled: true, automaticFailoverEnabled: true, transitEncryptionEnabled: true, atRestEncryptionEnabled: true, authToken: "[secret]" },
    },
    { type: "vercel:index/project:Project", name: "project", urn: urnOf(stack, "vercel:index/project:Project", "project"), props: { name: "telemetry", resourceConfig: { functionDefaultTimeout: 30, functionDefaultRegions: ["iad1"] } } },
    ...[["CASSANDRA_PASSWORD", true], ["CASSANDRA_KEYSPACE", false]].map(([key, sensitive]) => {
      const type = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
      const name = `env-${String(key).toLowerCase()}`;
      return { type, name, urn: urnOf(stack, type, name), props: { projectId: "prj_1", key, value: "[secret]", targets: ["production"], sensitive } };
    }),
  ];
}

/** A deep copy, so a test can mutate it freely. */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)); // never shares sub-objects (structuredClone keeps aliases)

/** The Kubernetes object `kind` named `name` in resources (throws if absent: a broken fixture). */
export function obj(resources: ResourceLike[], kind: string, name: string): Record<string, any> {
  const r = resources.find((x) => x.type === TYPES[kind] && x.props.metadata?.name === name);
  if (!r) throw new Error(`fixture has no ${kind} ${name}`);
  return r.props;
}

/** `resource: message Fix: fix` lines of one policy's findings. */
export function messages(policy: PlatformPolicy, resources: ResourceLike[], config: Partial<PackConfig> = {}): string[] {
  return evaluatePolicies(resources, [policy], config).map((v) => `${v.resource}: ${v.message} Fix: ${v.fix}`);
}
