import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { kubeManifests, type KubeManifest } from "../../../scripts/synth/manifests";
import { validateManifest } from "../../support/kube-schema";

let recorded: SynthResource[];
let T: typeof import("../../../components/telemetry-service");

const cassandra = {
  contactPoints: pulumi.output(["cassandra-0.cassandra.platform.svc.cluster.local", "cassandra-1.cassandra.platform.svc.cluster.local"]),
  dataCenter: "us-east-1",
  credentialsSecretName: pulumi.output("cassandra-credentials"),
};
const base = { image: "registry.example.com/telemetry@sha256:def", size: { cpuMillis: 500, memoryMiB: 512 }, cassandra };

async function childrenOf(resource: pulumi.ComponentResource) {
  const urn = await valueOf(resource.urn);
  await new Promise((r) => setTimeout(r, 50));
  return kubeManifests(recorded.filter((r) => r.parent === urn));
}
const one = (ms: KubeManifest[], kind: string) => {
  const found = ms.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as any;
};

beforeAll(async () => {
  recorded = await installMocks({ stack: "staging-us-east-1" });
  T = await import("../../../components/telemetry-service/index.js");
});

describe("TelemetryService", () => {
  let command: KubeManifest[];
  let query: KubeManifest[];
  let q: InstanceType<typeof T.TelemetryService>;
  beforeAll(async () => {
    command = await childrenOf(new T.TelemetryService("telemetry-command", { ...base, role: "command", replicas: 3 }));
    q = new T.TelemetryService("telemetry-query", { ...base, role: "query", replicas: 1 });
    query = await childrenOf(q);
  });

  it("declares Deployment + Service per role, and a PDB only with several replicas", () => {
    expect(command.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      "Deployment/telemetry-command",
      "PodDisruptionBudget/telemetry-command",
      "Service/telemetry-command",
    ]);
    expect(query.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(["Deployment/telemetry-query", "Service/telemetry-query"]);
    expect(one(command, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
  });

  it("labels name=telemetry, component=<role>, and selects on those two only", () => {
    for (const [ms, role] of [[command, "command"], [query, "query"]] as const) {
      for (const m of ms) {
        expect(m.metadata.labels).toEqual({
          "app.kubernetes.io/name": "telemetry",
          "app.kubernetes.io/component": role,
          "app.kubernetes.io/part-of": "platform",
          "app.kubernetes.io/managed-by": "pulumi",
        });
      }
      const selector = { "app.kubernetes.io/name": "telemetry", "app.kubernetes.io/component": role };
      expect(one(ms, "Deployment").spec.selector.matchLabels).toEqual(selector);
      expect(one(ms, "Service").spec.selector).toEqual(selector);
    }
  });

  it("exposes port 80 named http to the container's 8080", () => {
    const svc = one(query, "Service");
    expect(svc.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http", protocol: "TCP", appProtocol: "http" }]);
    expect(one(query, "Deployment").spec.template.spec.containers[0].ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
  });

  it("configures the role and Cassandra by env, credentials by secretKeyRef only", () => {
    const env = one(command, "Deployment").spec.template.spec.containers[0].env as any[];
    const value = (n: string) => env.find((e) => e.name === n)?.value;
    expect(value("TELEMETRY_ROLE")).toBe("command");
    expect(value("CASSANDRA_CONTACT_POINTS")).toBe("cassandra-0.cassandra.platform.svc.cluster.local,cassandra-1.cassandra.platform.svc.cluster.local");
    expect(value("CASSANDRA_LOCAL_DC")).toBe("us-east-1");
    expect(value("CASSANDRA_KEYSPACE")).toBe("telemetry");
    expect(value("CASSANDRA_PORT")).toBe("9042");
    for (const key of ["CASSANDRA_USERNAME", "CASSANDRA_PASSWORD"]) {
      const e = env.find((x) => x.name === key);
      expect(e.value).toBeUndefined();
      expect(e.valueFrom.secretKeyRef.name).toBe("cassandra-credentials");
    }
    expect(one(query, "Deployment").spec.template.spec.containers[0].env.find((e: any) => e.name === "TELEMETRY_ROLE").value).toBe("query");
  });

  it("sizes, probes and hardens the container; sets the replica count", () => {
    const d = one(command, "Deployment");
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.topologySpreadConstraints).toHaveLength(2);
    expect(one(query, "Deployment").spec.template.spec.topologySpreadConstraints).toBeUndefined();
    const c = d.spec.template.spec.containers[0];
    expect(c.resources.requests.memory).toBe("512Mi");
    expect(c.resources.limits.memory).toBe(c.resources.requests.memory);
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.lifecycle.preStop.exec.command).toEqual(["sleep", "5"]); // leave the Service before draining
    expect(d.spec.template.spec.topologySpreadConstraints.find((t: any) => t.topologyKey === "topology.kubernetes.io/zone").whenUnsatisfiable).toBe("ScheduleAnyway");
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it("exposes typed outputs", async () => {
    expect(await valueOf(q.serviceName)).toBe("telemetry-query");
    expect(await valueOf(q.port)).toBe(80);
    expect(await valueOf(q.host)).toBe("telemetry-query.platform.svc.cluster.local");
  });

  it("validates every object against its Kubernetes schema", async () => {
    for (const m of [...command, ...query]) await validateManifest(m);
  });
});

describe("TelemetryMeshHost", () => {
  it("declares one Service selecting both roles by app name", async () => {
    const host = new T.TelemetryMeshHost("telemetry");
    const ms = await childrenOf(host);
    expect(ms).toHaveLength(1);
    const svc = ms[0] as any;
    expect(svc.kind).toBe("Service");
    expect(svc.metadata.name).toBe("telemetry");
    expect(svc.spec.selector).toEqual({ "app.kubernetes.io/name": "telemetry" });
    expect(svc.metadata.labels["app.kubernetes.io/part-of"]).toBe("platform");
    expect(await valueOf(host.host)).toBe("telemetry.platform.svc.cluster.local");
    await validateManifest(svc);
  });
});

describe("TelemetryService argument validation", () => {
  it("reports every bad argument at once, naming each", () => {
    expect(() =>
      new T.TelemetryService("bad", {
        ...base,
        role: "writer" as never,
        replicas: 0,
        cassandra: { ...cassandra, contactPoints: [], dataCenter: "eu west", keyspace: "Bad-Keyspace", port: 70000 },
      }),
    ).toThrow(/role: "writer"[\s\S]*replicas: 0[\s\S]*cassandra\.contactPoints[\s\S]*cassandra\.port[\s\S]*cassandra\.dataCenter[\s\S]*cassandra\.keyspace/);
  });

  it("tenant sources need the subject key Secret, and each bad pattern is named", () => {
    expect(() => new T.TelemetryService("tenants-bad", { ...base, role: "query", replicas: 1, tenantSources: { "tenant-a": ["*", "a*b"] } })).toThrow(
      /tenantSources: needs subjectKeySecretName[\s\S]*tenant-a\[0\]: "\*" alone[\s\S]*tenant-a\[1\]: "a\*b": "\*" may only end a pattern/,
    );
  });

  it("with tenant sources, the role gets them and the key by reference", async () => {
    const ms = await childrenOf(new T.TelemetryService("telemetry-tenants", { ...base, role: "query", replicas: 1, subjectKeySecretName: "gateway-subject", tenantSources: { "tenant-a": ["web"] } }));
    const env = one(ms, "Deployment").spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
    expect(env.find((e) => e.name === "TENANT_SOURCES")?.value).toBe('{"tenant-a":["web"]}');
    expect(env.find((e) => e.name === "SUBJECT_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "gateway-subject", key: "key" });
  });
});
