import * as pulumi from "@pulumi/pulumi";
import { serviceFqdn } from "../shared/http-workload";
import { declareKubeObject, type KubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE } from "../shared/labels";
import { ArgErrors, isPositiveInt } from "../shared/validate";
import { destinationRule, ingressGateway, strictPeerAuthentication, virtualService, type TlsHost } from "./objects";
import { EDGE_RETRY_ON, publicRoutes, READ_RETRY_ON, telemetryRoutes, type HttpRoute } from "./routes";

export * from "./routes";
export { trafficPolicy, type TlsHost } from "./objects";

export interface MeshGatewayTarget {
  /** Gateway Service name. @default "gateway" */
  readonly service?: string;
  /** Gateway Service port. @default 80 */
  readonly port?: number;
}

export interface MeshTelemetryTarget {
  /** Mesh host the CQRS VirtualService binds to (a Service name or an FQDN). @default "telemetry" */
  readonly host?: string;
  /** Command-side Service. @default "telemetry-command" */
  readonly commandService?: string;
  /** Query-side Service. @default "telemetry-query" */
  readonly queryService?: string;
  /** Port of the command and query Services. @default 80 */
  readonly port?: number;
}

export interface MeshRoutesArgs {
  /** Namespace of every object (the workloads' namespace). @default "platform" */
  readonly namespace?: string;
  /** Public DNS name served by the ingress gateway, e.g. `api.telemetry.example.com`. */
  readonly publicHost: string;
  /** TLS Secret for `publicHost`, in the ingress gateway's namespace. */
  readonly tlsCredentialName: string;
  /**
   * Tenants' custom domains served beside `publicHost` (same routes to the gateway, which maps
   * each to its tenant), each with its own TLS Secret in the ingress gateway's namespace. @default []
   */
  readonly customHosts?: readonly TlsHost[];
  /** Labels selecting the Istio ingress gateway pods. @default {istio: "ingressgateway"} */
  readonly ingressSelector?: Record<string, string>;
  /** Name of the Istio `Gateway` object. @default "public" */
  readonly ingressGatewayName?: string;
  /** Where public traffic goes. @default - the `gateway` Service, port 80 */
  readonly gateway?: MeshGatewayTarget;
  /** The telemetry host and its two sides. @default - `telemetry` → `telemetry-command` / `telemetry-query`, port 80 */
  readonly telemetry?: MeshTelemetryTarget;
  /** Timeout of every telemetry route, retries included. @default 10 */
  readonly routeTimeoutSeconds?: number;
  /** Timeout of the public routes. @default - `routeTimeoutSeconds` + 5, so the gateway's own timeout answer reaches the client */
  readonly publicRouteTimeoutSeconds?: number;
  /** Retries of an idempotent (GET/HEAD) route; writes are never retried. @default 2 */
  readonly retryAttempts?: number;
  /** Timeout of each try of a retried telemetry route. @default 3 */
  readonly perTryTimeoutSeconds?: number;
  /** Connection-pool size per destination and client proxy. @default 1024 */
  readonly maxConnections?: number;
  /** Consecutive 5xx answers before a pod is ejected from the load-balancing pool. @default 5 */
  readonly consecutive5xxErrors?: number;
}

/**
 * Istio routing for the platform: the TLS ingress `Gateway` and public `VirtualService` to the
 * gateway app, the mesh `VirtualService` splitting the telemetry host into command and query
 * (reads/writes, read-your-writes header first), `DestinationRule`s with connection limits and
 * outlier detection, and STRICT mutual TLS for the namespace.
 */
export class MeshRoutes extends pulumi.ComponentResource {
  /** Istio `Gateway` as `namespace/name` (what VirtualServices reference). */
  public readonly ingressGateway: pulumi.Output<string>;
  public readonly publicVirtualServiceName: pulumi.Output<string>;
  public readonly telemetryVirtualServiceName: pulumi.Output<string>;
  public readonly destinationRuleNames: pulumi.Output<string[]>;
  public readonly peerAuthenticationName: pulumi.Output<string>;
  /** The telemetry host's routes, in evaluation order. */
  public readonly telemetryRoutes: pulumi.Output<HttpRoute[]>;
  /** The public host's routes, in evaluation order. */
  public readonly publicRoutes: pulumi.Output<HttpRoute[]>;

  constructor(name: string, args: MeshRoutesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:mesh:MeshRoutes", name, {}, opts);
    const a = withDefaults(args);
    validate(a);
    const ns = a.namespace;
    const fqdn = (host: string) => (host.includes(".") ? host : serviceFqdn(host, ns));
    const gateway = { host: fqdn(a.gateway.service), port: a.gateway.port };
    const command = { host: fqdn(a.telemetry.commandService), port: a.telemetry.port };
    const query = { host: fqdn(a.telemetry.queryService), port: a.telemetry.port };
    const limits = { maxConnections: a.maxConnections, consecutive5xxErrors: a.consecutive5xxErrors };

    const telemetry = telemetryRoutes(command, query, {
      timeoutSeconds: a.routeTimeoutSeconds,
      retryAttempts: a.retryAttempts,
      perTryTimeoutSeconds: a.perTryTimeoutSeconds,
      retryOn: READ_RETRY_ON,
    });
    // At the edge a try may last as long as a whole mesh route (the mesh below owns 5xx
    // retries), which stays below the edge route's own timeout so a retry can still finish.
    const edge = publicRoutes(gateway, {
      timeoutSeconds: a.publicRouteTimeoutSeconds,
      retryAttempts: a.retryAttempts,
      perTryTimeoutSeconds: a.routeTimeoutSeconds,
      retryOn: EDGE_RETRY_ON,
    });

    const objects: KubeObject[] = [
      strictPeerAuthentication(ns),
      ingressGateway({ name: a.ingressGatewayName, namespace: ns, host: a.publicHost, credentialName: a.tlsCredentialName, selector: a.ingressSelector, customHosts: a.customHosts }),
      virtualService({
        name: `${a.gateway.service}-public`,
        namespace: ns,
        hosts: [a.publicHost, ...a.customHosts.map((h) => h.host)],
        gateways: [`${ns}/${a.ingressGatewayName}`],
        http: edge,
      }),
      virtualService({ name: a.telemetry.host.split(".")[0], namespace: ns, hosts: [fqdn(a.telemetry.host)], gateways: ["mesh"], http: telemetry }),
      ...[a.gateway.service, a.telemetry.commandService, a.telemetry.queryService].map((service) =>
        destinationRule({ name: service.split(".")[0], namespace: ns, host: fqdn(service), limits }),
      ),
    ];
    for (const obj of objects) declareKubeObject(obj, { parent: this });

    const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    this.ingressGateway = pulumi.output(`${ns}/${a.ingressGatewayName}`);
    this.publicVirtualServiceName = pulumi.output(names("VirtualService")[0]);
    this.telemetryVirtualServiceName = pulumi.output(names("VirtualService")[1]);
    this.destinationRuleNames = pulumi.output(names("DestinationRule"));
    this.peerAuthenticationName = pulumi.output(names("PeerAuthentication")[0]);
    this.telemetryRoutes = pulumi.output(telemetry);
    this.publicRoutes = pulumi.output(edge);
    this.registerOutputs({
      ingressGateway: this.ingressGateway,
      publicVirtualServiceName: this.publicVirtualServiceName,
      telemetryVirtualServiceName: this.telemetryVirtualServiceName,
      destinationRuleNames: this.destinationRuleNames,
      peerAuthenticationName: this.peerAuthenticationName,
      telemetryRoutes: this.telemetryRoutes,
      publicRoutes: this.publicRoutes,
    });
  }
}

type Resolved = Required<Omit<MeshRoutesArgs, "gateway" | "telemetry">> & {
  gateway: Required<MeshGatewayTarget>;
  telemetry: Required<MeshTelemetryTarget>;
};

function withDefaults(args: MeshRoutesArgs): Resolved {
  const routeTimeoutSeconds = args.routeTimeoutSeconds ?? 10;
  return {
    namespace: args.namespace ?? PLATFORM_NAMESPACE,
    publicHost: args.publicHost,
    tlsCredentialName: args.tlsCredentialName,
    customHosts: args.customHosts ?? [],
    ingressSelector: args.ingressSelector ?? { istio: "ingressgateway" },
    ingressGatewayName: args.ingressGatewayName ?? "public",
    gateway: { service: args.gateway?.service ?? "gateway", port: args.gateway?.port ?? 80 },
    telemetry: {
      host: args.telemetry?.host ?? "telemetry",
      commandService: args.telemetry?.commandService ?? "telemetry-command",
      queryService: args.telemetry?.queryService ?? "telemetry-query",
      port: args.telemetry?.port ?? 80,
    },
    routeTimeoutSeconds,
    publicRouteTimeoutSeconds: args.publicRouteTimeoutSeconds ?? routeTimeoutSeconds + 5,
    retryAttempts: args.retryAttempts ?? 2,
    perTryTimeoutSeconds: args.perTryTimeoutSeconds ?? 3,
    maxConnections: args.maxConnections ?? 1024,
    consecutive5xxErrors: args.consecutive5xxErrors ?? 5,
  };
}

function validate(a: Resolved): void {
  const e = new ArgErrors("MeshRoutes");
  const dns = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
  const port = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  e.check(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(a.namespace), "namespace", `"${a.namespace}" is not a DNS label`);
  e.check(dns.test(a.publicHost) && a.publicHost.includes("."), "publicHost", `"${a.publicHost}" must be a fully qualified lower-case DNS name`);
  e.check(a.tlsCredentialName.length > 0, "tlsCredentialName", "must name the TLS Secret");
  const seen = new Set([a.publicHost]);
  for (const [i, h] of a.customHosts.entries()) {
    e.check(dns.test(h.host) && h.host.includes("."), `customHosts[${i}].host`, `"${h.host}" must be a fully qualified lower-case DNS name`);
    e.check(!seen.has(h.host), `customHosts[${i}].host`, `"${h.host}" is listed twice (or is publicHost)`);
    e.check(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(h.credentialName), `customHosts[${i}].credentialName`, `"${h.credentialName}" is not a Secret name`);
    seen.add(h.host);
  }
  e.check(Object.keys(a.ingressSelector).length > 0, "ingressSelector", "must select the ingress gateway pods");
  for (const [arg, host] of Object.entries({
    "gateway.service": a.gateway.service,
    "telemetry.host": a.telemetry.host,
    "telemetry.commandService": a.telemetry.commandService,
    "telemetry.queryService": a.telemetry.queryService,
  })) {
    e.check(dns.test(host), arg, `"${host}" is not a Service name or DNS name`);
  }
  e.check(port(a.gateway.port), "gateway.port", `${a.gateway.port} must be a port number`);
  e.check(port(a.telemetry.port), "telemetry.port", `${a.telemetry.port} must be a port number`);
  e.check(isPositiveInt(a.routeTimeoutSeconds), "routeTimeoutSeconds", `${a.routeTimeoutSeconds} must be a positive integer`);
  e.check(isPositiveInt(a.publicRouteTimeoutSeconds), "publicRouteTimeoutSeconds", `${a.publicRouteTimeoutSeconds} must be a positive integer`);
  e.check(Number.isInteger(a.retryAttempts) && a.retryAttempts >= 0 && a.retryAttempts <= 10, "retryAttempts", `${a.retryAttempts} must be an integer from 0 to 10`);
  e.check(isPositiveInt(a.perTryTimeoutSeconds), "perTryTimeoutSeconds", `${a.perTryTimeoutSeconds} must be a positive integer`);
  // Every try must fit in the route timeout, or the last retries can never happen.
  e.check(
    a.perTryTimeoutSeconds * (a.retryAttempts + 1) <= a.routeTimeoutSeconds,
    "perTryTimeoutSeconds",
    `${a.perTryTimeoutSeconds} × (retryAttempts ${a.retryAttempts} + 1) exceeds routeTimeoutSeconds ${a.routeTimeoutSeconds}`,
  );
  e.check(isPositiveInt(a.maxConnections), "maxConnections", `${a.maxConnections} must be a positive integer`);
  e.check(isPositiveInt(a.consecutive5xxErrors), "consecutive5xxErrors", `${a.consecutive5xxErrors} must be a positive integer`);
  e.throwIfAny();
}
