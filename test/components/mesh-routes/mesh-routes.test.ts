import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { kubeManifests, type KubeManifest } from "../../../scripts/synth/manifests";
import { validateManifest } from "../../support/kube-schema";

let recorded: SynthResource[];
let M: typeof import("../../../components/mesh-routes");
let mesh: InstanceType<typeof M.MeshRoutes>;
let objects: KubeManifest[];

const find = (kind: string, name: string) => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return found[0] as any;
};

beforeAll(async () => {
  recorded = await installMocks({ stack: "prod-eu-west-1" });
  M = await import("../../../components/mesh-routes/index.js");
  mesh = new M.MeshRoutes("mesh", {
    publicHost: "api.telemetry.example.com",
    tlsCredentialName: "gateway-tls",
    routeTimeoutSeconds: 12,
    retryAttempts: 3,
    perTryTimeoutSeconds: 3,
    maxConnections: 512,
    consecutive5xxErrors: 4,
  });
  const urn = await valueOf(mesh.urn);
  await new Promise((r) => setTimeout(r, 50));
  objects = kubeManifests(recorded.filter((r) => r.parent === urn));
});

describe("MeshRoutes", () => {
  it("declares the Istio objects, each as its own typed custom resource", () => {
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "networking.istio.io/v1 DestinationRule/gateway",
      "networking.istio.io/v1 DestinationRule/telemetry-command",
      "networking.istio.io/v1 DestinationRule/telemetry-query",
      "networking.istio.io/v1 Gateway/public",
      "networking.istio.io/v1 VirtualService/gateway-public",
      "networking.istio.io/v1 VirtualService/telemetry",
      "security.istio.io/v1 PeerAuthentication/default",
    ]);
    const urn = recorded.find((r) => r.type === "platform:mesh:MeshRoutes")!.urn;
    const types = recorded.filter((r) => r.parent === urn).map((r) => r.type);
    expect(new Set(types)).toEqual(
      new Set([
        "kubernetes:networking.istio.io/v1:DestinationRule",
        "kubernetes:networking.istio.io/v1:Gateway",
        "kubernetes:networking.istio.io/v1:VirtualService",
        "kubernetes:security.istio.io/v1:PeerAuthentication",
      ]),
    );
    for (const o of objects) {
      expect(o.metadata.namespace).toBe("platform");
      expect(o.metadata.labels).toMatchObject({ "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/managed-by": "pulumi" });
    }
  });

  it("validates every object against its Istio schema", async () => {
    for (const o of objects) await validateManifest(o);
  });

  it("serves the public host over TLS and redirects plain HTTP", () => {
    const gw = find("Gateway", "public");
    expect(gw.spec.selector).toEqual({ istio: "ingressgateway" });
    const [https, http] = gw.spec.servers;
    expect(https).toMatchObject({ port: { number: 443, protocol: "HTTPS" }, hosts: ["api.telemetry.example.com"], tls: { mode: "SIMPLE", credentialName: "gateway-tls" } });
    expect(http).toMatchObject({ port: { number: 80, protocol: "HTTP" }, tls: { httpsRedirect: true } });
  });

  it("routes the public host through the ingress Gateway to the gateway Service", () => {
    const vs = find("VirtualService", "gateway-public");
    expect(vs.spec.hosts).toEqual(["api.telemetry.example.com"]);
    expect(vs.spec.gateways).toEqual(["platform/public"]);
    for (const r of vs.spec.http) {
      expect(r.route).toEqual([{ destination: { host: "gateway.platform.svc.cluster.local", port: { number: 80 } } }]);
      expect(r.timeout).toBe("17s");
    }
    expect(vs.spec.http.map((r: any) => r.retries.attempts)).toEqual([3, 0]);
  });

  it("splits the telemetry mesh host: header route first, then reads, then writes", () => {
    const vs = find("VirtualService", "telemetry");
    expect(vs.spec.hosts).toEqual(["telemetry.platform.svc.cluster.local"]);
    expect(vs.spec.gateways).toEqual(["mesh"]);
    const routes = vs.spec.http as any[];
    expect(routes.map((r) => [r.name, r.route[0].destination.host])).toEqual([
      ["read-your-writes", "telemetry-command.platform.svc.cluster.local"],
      ["reads", "telemetry-query.platform.svc.cluster.local"],
      ["writes", "telemetry-command.platform.svc.cluster.local"],
    ]);
    expect(routes[0].match).toEqual([
      { headers: { "x-read-your-writes": { exact: "true" } }, method: { exact: "GET" } },
      { headers: { "x-read-your-writes": { exact: "true" } }, method: { exact: "HEAD" } },
    ]);
    expect(routes[2].match.map((m: any) => m.method.exact)).toEqual(["POST", "PUT", "PATCH", "DELETE"]);
    for (const r of routes) expect(r.timeout).toBe("12s");
    expect(routes.map((r) => r.retries)).toEqual([
      { attempts: 3, perTryTimeout: "3s", retryOn: M.READ_RETRY_ON },
      { attempts: 3, perTryTimeout: "3s", retryOn: M.READ_RETRY_ON },
      { attempts: 0 },
    ]);
    expect(routes).toEqual(JSON.parse(JSON.stringify(routes)));
  });

  it("limits connections and ejects failing pods on every destination, over mutual TLS", () => {
    for (const name of ["gateway", "telemetry-command", "telemetry-query"]) {
      const dr = find("DestinationRule", name);
      expect(dr.spec.host).toBe(`${name}.platform.svc.cluster.local`);
      expect(dr.spec.trafficPolicy.tls).toEqual({ mode: "ISTIO_MUTUAL" });
      expect(dr.spec.trafficPolicy.connectionPool.tcp.maxConnections).toBe(512);
      expect(dr.spec.trafficPolicy.connectionPool.http.http2MaxRequests).toBe(512);
      expect(dr.spec.trafficPolicy.outlierDetection).toMatchObject({ consecutive5xxErrors: 4, interval: "10s", baseEjectionTime: "30s" });
    }
  });

  it("enforces STRICT mutual TLS in the namespace", () => {
    expect(find("PeerAuthentication", "default").spec).toEqual({ mtls: { mode: "STRICT" } });
  });

  it("exposes the object names and the route list", async () => {
    expect(await valueOf(mesh.ingressGateway)).toBe("platform/public");
    expect(await valueOf(mesh.telemetryVirtualServiceName)).toBe("telemetry");
    expect(await valueOf(mesh.publicVirtualServiceName)).toBe("gateway-public");
    expect(await valueOf(mesh.destinationRuleNames)).toEqual(["gateway", "telemetry-command", "telemetry-query"]);
    expect(await valueOf(mesh.peerAuthenticationName)).toBe("default");
    expect((await valueOf(mesh.telemetryRoutes)).map((r) => r.name)).toEqual(["read-your-writes", "reads", "writes"]);
    expect(await valueOf(mesh.telemetryRoutes)).toEqual(find("VirtualService", "telemetry").spec.http);
  });
});

describe("MeshRoutes argument validation", () => {
  it("reports every bad argument at once, naming each", () => {
    expect(
      () =>
        new M.MeshRoutes("bad", {
          publicHost: "Not A Host",
          tlsCredentialName: "",
          routeTimeoutSeconds: 5,
          retryAttempts: 2,
          perTryTimeoutSeconds: 3,
          maxConnections: 0,
          telemetry: { port: 0 },
        }),
    ).toThrow(/publicHost: "Not A Host"[\s\S]*tlsCredentialName[\s\S]*telemetry\.port[\s\S]*perTryTimeoutSeconds: 3 × \(retryAttempts 2 \+ 1\) exceeds routeTimeoutSeconds 5[\s\S]*maxConnections/);
  });

  it("accepts the stage defaults: 10 s routes, 2 retries of 3 s, 15 s at the edge", async () => {
    const m = new M.MeshRoutes("defaults", { publicHost: "api.telemetry.localhost", tlsCredentialName: "gateway-tls" });
    const routes = await valueOf(m.telemetryRoutes);
    expect(routes.map((r) => r.timeout)).toEqual(["10s", "10s", "10s"]);
    expect(routes[1].retries).toEqual({ attempts: 2, perTryTimeout: "3s", retryOn: M.READ_RETRY_ON });
    expect((await valueOf(m.publicRoutes)).map((r) => r.timeout)).toEqual(["15s", "15s"]);
  });
});

describe("MeshRoutes with custom domains", () => {
  it("serves each custom host over TLS with its own credential, redirects it, and routes it like the public host", async () => {
    const before = recorded.length;
    const m = new M.MeshRoutes("custom", {
      namespace: "custom",
      publicHost: "api.telemetry.example.com",
      tlsCredentialName: "gateway-tls",
      customHosts: [
        { host: "telemetry.tenant-a.com", credentialName: "custom-domain-telemetry-tenant-a-com-tls" },
        { host: "metrics.tenant-b.io", credentialName: "custom-domain-metrics-tenant-b-io-tls" },
      ],
    });
    await valueOf(m.urn);
    await new Promise((r) => setTimeout(r, 50));
    const own = kubeManifests(recorded.slice(before)).filter((o) => o.metadata.namespace === "custom") as any[];
    const gateway = own.find((o) => o.kind === "Gateway");
    const vs = own.find((o) => o.kind === "VirtualService" && o.metadata.name === "gateway-public");
    await validateManifest(gateway);
    await validateManifest(vs);
    expect(gateway.spec.servers.map((s: any) => [s.port.name, s.hosts, s.tls])).toEqual([
      ["https", ["api.telemetry.example.com"], { mode: "SIMPLE", credentialName: "gateway-tls", minProtocolVersion: "TLSV1_2" }],
      ["https-custom-1", ["telemetry.tenant-a.com"], { mode: "SIMPLE", credentialName: "custom-domain-telemetry-tenant-a-com-tls", minProtocolVersion: "TLSV1_2" }],
      ["https-custom-2", ["metrics.tenant-b.io"], { mode: "SIMPLE", credentialName: "custom-domain-metrics-tenant-b-io-tls", minProtocolVersion: "TLSV1_2" }],
      ["http", ["api.telemetry.example.com", "telemetry.tenant-a.com", "metrics.tenant-b.io"], { httpsRedirect: true }],
    ]);
    expect(vs.spec.hosts).toEqual(["api.telemetry.example.com", "telemetry.tenant-a.com", "metrics.tenant-b.io"]);
  });

  it("refuses a bad, duplicate or public custom host", () => {
    expect(
      () =>
        new M.MeshRoutes("bad-custom", {
          publicHost: "api.telemetry.example.com",
          tlsCredentialName: "gateway-tls",
          customHosts: [
            { host: "api.telemetry.example.com", credentialName: "x" },
            { host: "Tenant.Example", credentialName: "Bad Name" },
          ],
        }),
    ).toThrow(/customHosts\[0\]\.host: "api.telemetry.example.com" is listed twice \(or is publicHost\)[\s\S]*customHosts\[1\]\.host[\s\S]*customHosts\[1\]\.credentialName/);
  });
});
