import { describe, expect, it } from "vitest";
import { cqrsRouting } from "../../policies/rules/routing/platform-istio-cqrs-routing";
import { destinationRuleOutlierDetection } from "../../policies/rules/routing/platform-istio-destination-rule-outlier-detection";
import { gatewayTls } from "../../policies/rules/routing/platform-istio-gateway-tls";
import { httpRouteTimeout } from "../../policies/rules/routing/platform-istio-http-route-timeout";
import { retryPolicy } from "../../policies/rules/routing/platform-istio-retry-policy";
import { routeDestinationResolves } from "../../policies/rules/routing/platform-istio-route-destination-resolves";
import { routeWeights } from "../../policies/rules/routing/platform-istio-route-weights";
import { strictMtls } from "../../policies/rules/routing/platform-istio-strict-mtls";
import { noUnreachableRoute } from "../../policies/rules/routing/platform-istio-virtualservice-no-unreachable-route";
import { clone, goodStack, kube, messages, obj, PUBLIC_HOST } from "./fixtures";

const base = goodStack();
const fresh = () => clone(base);
const http = (s: ReturnType<typeof fresh>) => obj(s, "VirtualService", "telemetry").spec.http as any[];
const VS = "VirtualService platform/telemetry";

describe("platform-istio-route-destination-resolves", () => {
  it("passes when every destination is a Service port of the stack", () => {
    expect(messages(routeDestinationResolves, fresh())).toEqual([]);
  });
  it("flags a host that is no Service of the stack", () => {
    const s = fresh();
    http(s)[1].route[0].destination.host = "telemetry-reads";
    expect(messages(routeDestinationResolves, s)).toEqual([
      `${VS}: http[1].route[0] destination host "telemetry-reads" (telemetry-reads.platform.svc.cluster.local) is not a Service or ServiceEntry of this stack. Fix: declare the Service, fix the host name, or add "telemetry-reads" to the policy's externalHosts.`,
    ]);
  });
  it("takes dotted hosts literally, as Istio does (only dotless short names are expanded)", () => {
    const s = fresh();
    http(s)[1].route[0].destination.host = "telemetry-query.platform";
    http(s)[2].route[0].destination.host = "telemetry-command.platform.svc.cluster.local";
    expect(messages(routeDestinationResolves, s)).toEqual([
      `${VS}: http[1].route[0] destination host "telemetry-query.platform" (telemetry-query.platform) is not a Service or ServiceEntry of this stack. Fix: declare the Service, fix the host name, or add "telemetry-query.platform" to the policy's externalHosts.`,
    ]);
  });
  it("flags a port the Service does not expose", () => {
    const s = fresh();
    http(s)[2].route[0].destination.port.number = 8080;
    expect(messages(routeDestinationResolves, s)).toEqual([
      `${VS}: http[2].route[0] destination "telemetry-command" port 8080 is not a port of Service telemetry-command.platform.svc.cluster.local (ports: 80). Fix: use one of the Service's ports.`,
    ]);
  });
  it("flags a missing port on a multi-port Service", () => {
    const s = fresh();
    http(s)[0].route[0].destination = { host: "cassandra" };
    expect(messages(routeDestinationResolves, s)).toEqual([
      `${VS}: http[0].route[0] destination "cassandra" has no port but Service cassandra.platform.svc.cluster.local exposes 2 ports (7000, 9042). Fix: set destination.port.number to one of them.`,
    ]);
  });
  it("accepts allow-listed external hosts and ServiceEntries", () => {
    const s = fresh();
    http(s)[0].route[0].destination = { host: "auth.example.com" };
    expect(messages(routeDestinationResolves, s, { externalHosts: ["auth.example.com"] })).toEqual([]);
    s.push(kube("prod-us-east-1", "ServiceEntry", "auth", { spec: { hosts: ["auth.example.com"], ports: [{ number: 443, name: "https", protocol: "TLS" }], resolution: "DNS" } }));
    expect(messages(routeDestinationResolves, s)).toEqual([]);
  });
});

describe("platform-istio-virtualservice-no-unreachable-route", () => {
  it("passes when specific routes precede general ones", () => {
    const s = fresh();
    http(s).splice(1, 0, { name: "export", match: [{ method: { exact: "GET" }, uri: { prefix: "/v1/export" } }], route: [{ destination: { host: "telemetry-query", port: { number: 80 } } }], timeout: "60s" });
    expect(messages(noUnreachableRoute, s)).toEqual([]);
  });
  it("flags routes after a catch-all", () => {
    const s = fresh();
    http(s).unshift({ name: "all", route: [{ destination: { host: "telemetry-query", port: { number: 80 } } }], timeout: "10s" });
    expect(messages(noUnreachableRoute, s)).toEqual([
      `${VS}: http[1] "read-your-writes" is unreachable: it follows the catch-all route http[0] "all". Fix: move http[1] "read-your-writes" before http[0] "all" or delete it.`,
      `${VS}: http[2] "reads" is unreachable: it follows the catch-all route http[0] "all". Fix: move http[2] "reads" before http[0] "all" or delete it.`,
      `${VS}: http[3] "writes" is unreachable: it follows the catch-all route http[0] "all". Fix: move http[3] "writes" before http[0] "all" or delete it.`,
    ]);
  });
  it("flags a route whose matches are all covered by earlier routes", () => {
    const s = fresh();
    http(s).push({ name: "export", match: [{ method: { exact: "GET" }, uri: { prefix: "/v1/export" } }, { method: { exact: "PUT" }, uri: { exact: "/v1/x" } }], route: [{ destination: { host: "telemetry-query", port: { number: 80 } } }], timeout: "60s" });
    expect(messages(noUnreachableRoute, s)).toEqual([
      `${VS}: http[3] "export" is unreachable: every match of it is already covered by http[1] "reads", http[2] "writes". Fix: move http[3] "export" before http[1] "reads", http[2] "writes", narrow the earlier match, or delete it.`,
    ]);
  });
  it("does not flag a route with one match block that earlier routes leave open", () => {
    const s = fresh();
    http(s).push({ name: "options", match: [{ method: { exact: "GET" } }, { method: { exact: "OPTIONS" } }], route: [{ destination: { host: "telemetry-query", port: { number: 80 } } }], timeout: "5s" });
    expect(messages(noUnreachableRoute, s)).toEqual([]);
  });
});

describe("platform-istio-cqrs-routing", () => {
  it("passes with the header route first, then reads, then writes", () => {
    expect(messages(cqrsRouting, fresh())).toEqual([]);
  });
  it("flags reads-before-header ordering: read-your-writes GETs reach the query service", () => {
    const s = fresh();
    const [ryw, reads, writes] = http(s);
    obj(s, "VirtualService", "telemetry").spec.http = [reads, ryw, writes];
    const m = messages(cqrsRouting, s);
    expect(m).toContain(`${VS}: GET / with x-read-your-writes: true on telemetry reaches telemetry-query (http[0]), expected telemetry-command. Fix: add or reorder a route so GET / with x-read-your-writes: true goes to telemetry-command.`);
    expect(m).toContain(`${VS}: HEAD /v1/events with x-read-your-writes: true on telemetry reaches telemetry-query (http[0]), expected telemetry-command. Fix: add or reorder a route so HEAD /v1/events with x-read-your-writes: true goes to telemetry-command.`);
  });
  it("flags the header route placed after a method route even when destinations are right", () => {
    const s = fresh();
    const [ryw, reads, writes] = http(s);
    obj(s, "VirtualService", "telemetry").spec.http = [writes, ryw, reads];
    expect(messages(cqrsRouting, s)).toEqual([
      `${VS}: The x-read-your-writes route (http[1]) comes after method route http[0]. Fix: move the x-read-your-writes header route before the method routes.`,
    ]);
  });
  it("flags a write method that reaches the query service", () => {
    const s = fresh();
    http(s)[2].match = [{ method: { regex: "POST|PUT|DELETE" } }];
    http(s).push({ name: "rest", route: [{ destination: { host: "telemetry-query", port: { number: 80 } } }], timeout: "10s" });
    expect(messages(cqrsRouting, s)).toEqual(
      ["/", "/v1/events", "/v1/devices/d-1/events"].map((p) => `${VS}: PATCH ${p} on telemetry reaches telemetry-query (http[3]), expected telemetry-command. Fix: add or reorder a route so PATCH ${p} goes to telemetry-command.`),
    );
  });
  it("flags a stack with the telemetry services but no VirtualService for the host", () => {
    const s = fresh().filter((r) => !(r.props.kind === "VirtualService" && r.props.metadata.name === "telemetry"));
    expect(messages(cqrsRouting, s)).toEqual([
      `Service platform/telemetry: No VirtualService bound to the mesh routes host "telemetry.platform.svc.cluster.local". Fix: declare the CQRS VirtualService for host "telemetry" (gateways: mesh).`,
    ]);
  });
});

describe("platform-istio-http-route-timeout", () => {
  it("passes when every forwarding route has a timeout", () => {
    expect(messages(httpRouteTimeout, fresh())).toEqual([]);
  });
  it("flags a route without timeout and one with an invalid timeout", () => {
    const s = fresh();
    delete http(s)[2].timeout;
    http(s)[1].timeout = "ten seconds";
    expect(messages(httpRouteTimeout, s)).toEqual([
      `${VS}: http[1] "reads" has an invalid timeout "ten seconds". Fix: set http[1] "reads".timeout to the route's budget, e.g. "10s".`,
      `${VS}: http[2] "writes" has no timeout. Fix: set http[2] "writes".timeout to the route's budget, e.g. "10s".`,
    ]);
  });
});

describe("platform-istio-retry-policy", () => {
  it("passes retries on reads and pre-request-only retries on writes", () => {
    const s = fresh();
    http(s)[2].retries = { attempts: 2, perTryTimeout: "3s", retryOn: "connect-failure,refused-stream" };
    expect(messages(retryPolicy, s)).toEqual([]);
  });
  it("flags retries of non-idempotent methods", () => {
    const s = fresh();
    http(s)[2].retries = { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,connect-failure" };
    expect(messages(retryPolicy, s)).toEqual([
      `${VS}: http[2] "writes" retries 3 time(s) on "5xx,connect-failure" but also receives non-idempotent POST, PATCH. Fix: match only idempotent methods on this route, or set retries.attempts to 0 (or retryOn to connect-failure,refused-stream).`,
    ]);
  });
  it("flags a perTryTimeout that is not below the route timeout", () => {
    const s = fresh();
    http(s)[1].retries.perTryTimeout = "10s";
    expect(messages(retryPolicy, s)).toEqual([
      `${VS}: http[1] "reads" perTryTimeout 10s is not below the route timeout 10s. Fix: set retries.perTryTimeout below timeout so a retry can still finish (e.g. timeout 10s, perTryTimeout 3s).`,
    ]);
  });
});

describe("platform-istio-route-weights", () => {
  it("passes split routes summing to 100", () => {
    const s = fresh();
    http(s)[1].route = [{ destination: { host: "telemetry-query", port: { number: 80 } }, weight: 90 }, { destination: { host: "telemetry-command", port: { number: 80 } }, weight: 10 }];
    expect(messages(routeWeights, s)).toEqual([]);
  });
  it("flags weights that do not sum to 100", () => {
    const s = fresh();
    http(s)[1].route = [{ destination: { host: "telemetry-query", port: { number: 80 } }, weight: 50 }, { destination: { host: "telemetry-command", port: { number: 80 } }, weight: 40 }];
    expect(messages(routeWeights, s)).toEqual([`${VS}: http[1] destination weights sum to 90 (50 + 40), not 100. Fix: adjust http[1].route[*].weight so they total 100.`]);
  });
});

describe("platform-istio-destination-rule-outlier-detection", () => {
  it("passes when every destination host has outlier detection", () => {
    expect(messages(destinationRuleOutlierDetection, fresh())).toEqual([]);
  });
  it("flags a DestinationRule without outlier detection and a host without DestinationRule", () => {
    const s = fresh().filter((r) => !(r.props.kind === "DestinationRule" && r.props.metadata.name === "gateway"));
    delete obj(s, "DestinationRule", "telemetry-query").spec.trafficPolicy.outlierDetection;
    expect(messages(destinationRuleOutlierDetection, s)).toEqual([
      `VirtualService platform/gateway: Destination gateway.platform.svc.cluster.local of platform/gateway has no DestinationRule. Fix: declare a DestinationRule with host "gateway.platform.svc.cluster.local" and trafficPolicy.outlierDetection.`,
      `DestinationRule platform/telemetry-query: DestinationRule for telemetry-query.platform.svc.cluster.local has no trafficPolicy.outlierDetection. Fix: add trafficPolicy.outlierDetection so failing endpoints are ejected.`,
    ]);
  });
});

describe("platform-istio-strict-mtls", () => {
  it("passes with a namespace-wide STRICT PeerAuthentication, or a mesh-wide one", () => {
    expect(messages(strictMtls, fresh())).toEqual([]);
    const s = fresh().filter((r) => r.props.kind !== "PeerAuthentication");
    s.push(kube("prod-us-east-1", "PeerAuthentication", "default", { spec: { mtls: { mode: "STRICT" } } }, "istio-system"));
    expect(messages(strictMtls, s)).toEqual([]);
  });
  it("flags a platform namespace without STRICT mTLS", () => {
    const s = fresh().filter((r) => r.props.kind !== "PeerAuthentication");
    expect(messages(strictMtls, s)).toEqual([
      `Namespace platform: Namespace "platform" has no namespace-wide PeerAuthentication with mtls.mode STRICT. Fix: declare PeerAuthentication "default" in "platform" with spec.mtls.mode: STRICT.`,
    ]);
  });
  it("flags PERMISSIVE overrides and DestinationRules disabling TLS", () => {
    const s = fresh();
    s.push(kube("prod-us-east-1", "PeerAuthentication", "cassandra", { spec: { selector: { matchLabels: { "app.kubernetes.io/name": "cassandra" } }, mtls: { mode: "STRICT" }, portLevelMtls: { 9042: { mode: "PERMISSIVE" } } } }));
    obj(s, "DestinationRule", "gateway").spec.trafficPolicy.tls = { mode: "DISABLE" };
    expect(messages(strictMtls, s)).toEqual([
      `PeerAuthentication platform/cassandra: PeerAuthentication platform/cassandra sets mtls mode PERMISSIVE in a platform namespace. Fix: use STRICT (or remove the override).`,
      `DestinationRule platform/gateway: DestinationRule for gateway.platform.svc.cluster.local sets trafficPolicy.tls.mode DISABLE, bypassing mesh mTLS. Fix: remove trafficPolicy.tls or set it to ISTIO_MUTUAL.`,
    ]);
  });
});

describe("platform-istio-gateway-tls", () => {
  it("passes when the ingress Gateway terminates TLS for the public host and redirects HTTP", () => {
    expect(messages(gatewayTls, fresh())).toEqual([]);
  });
  it("flags an HTTPS server without certificate and a plain HTTP server", () => {
    const s = fresh();
    const servers = obj(s, "Gateway", "ingress").spec.servers;
    delete servers[0].tls.credentialName;
    delete servers[1].tls;
    expect(messages(gatewayTls, s)).toEqual([
      `Gateway platform/ingress: Gateway platform/ingress does not terminate TLS for host "${PUBLIC_HOST}" of platform/gateway (server tls.mode SIMPLE, credentialName unset). Fix: add an HTTPS server for "${PUBLIC_HOST}" with tls.mode SIMPLE and credentialName of the certificate Secret.`,
      `Gateway platform/ingress: Gateway platform/ingress serves host "${PUBLIC_HOST}" over plain HTTP on port 80. Fix: set tls.httpsRedirect: true on that server or remove it.`,
    ]);
  });
  it("flags a VirtualService host the Gateway has no TLS server for, and a missing Gateway", () => {
    const s = fresh();
    obj(s, "VirtualService", "gateway").spec.hosts.push("admin.telemetry.example.com");
    obj(s, "VirtualService", "telemetry").spec.gateways = ["mesh", "edge"];
    expect(messages(gatewayTls, s)).toEqual([
      `Gateway platform/ingress: Gateway platform/ingress does not terminate TLS for host "admin.telemetry.example.com" of platform/gateway. Fix: add an HTTPS server for "admin.telemetry.example.com" with tls.mode SIMPLE and credentialName of the certificate Secret.`,
      `${VS}: Bound to Gateway platform/edge, which is not in this stack. Fix: declare the Gateway or fix spec.gateways.`,
    ]);
  });
});
