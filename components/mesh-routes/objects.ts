/**
 * Istio objects as plain data (networking.istio.io/v1, security.istio.io/v1). Pure; the
 * MeshRoutes component declares them.
 */
import type { KubeObject } from "../shared/kube";
import { standardLabels } from "../shared/labels";
import type { HttpRoute } from "./routes";

const NETWORKING = "networking.istio.io/v1";
const SECURITY = "security.istio.io/v1";

const meta = (name: string, namespace: string, role: string) => ({ name, namespace, labels: standardLabels("mesh", role) });

/** A host the ingress serves over TLS with the certificate in Secret `credentialName`. */
export interface TlsHost {
  readonly host: string;
  readonly credentialName: string;
}

/**
 * Ingress `Gateway`: one HTTPS server per host (each its own certificate, chosen by SNI) and one
 * HTTP server redirecting every host to HTTPS. Port names must be unique per Gateway.
 */
export function ingressGateway(o: { name: string; namespace: string; host: string; credentialName: string; selector: Record<string, string>; customHosts?: readonly TlsHost[] }): KubeObject {
  const tlsHosts: TlsHost[] = [{ host: o.host, credentialName: o.credentialName }, ...(o.customHosts ?? [])];
  return {
    apiVersion: NETWORKING,
    kind: "Gateway",
    metadata: meta(o.name, o.namespace, "ingress"),
    spec: {
      selector: o.selector,
      servers: [
        ...tlsHosts.map((t, i) => ({
          port: { number: 443, name: i === 0 ? "https" : `https-custom-${i}`, protocol: "HTTPS" },
          hosts: [t.host],
          tls: { mode: "SIMPLE", credentialName: t.credentialName, minProtocolVersion: "TLSV1_2" },
        })),
        { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: tlsHosts.map((t) => t.host), tls: { httpsRedirect: true } },
      ],
    },
  };
}

export function virtualService(o: { name: string; namespace: string; hosts: string[]; gateways: string[]; http: HttpRoute[] }): KubeObject {
  return {
    apiVersion: NETWORKING,
    kind: "VirtualService",
    metadata: meta(o.name, o.namespace, "routing"),
    spec: { hosts: o.hosts, gateways: o.gateways, http: o.http },
  };
}

export interface TrafficLimits {
  /** Max TCP connections to all hosts of the destination, per client proxy. */
  readonly maxConnections: number;
  /** Consecutive 5xx answers before a host is ejected. */
  readonly consecutive5xxErrors: number;
}

/**
 * Traffic policy for one destination: mutual TLS, a bounded connection pool (excess requests
 * fail fast with 503 instead of queueing), a retry budget, and outlier detection that ejects a
 * failing pod for a while but never more than half of them.
 */
export function trafficPolicy(l: TrafficLimits) {
  return {
    tls: { mode: "ISTIO_MUTUAL" },
    connectionPool: {
      tcp: { maxConnections: l.maxConnections, connectTimeout: "2s" },
      http: {
        http1MaxPendingRequests: l.maxConnections,
        http2MaxRequests: l.maxConnections,
        // Retries in flight at most a quarter of the pool: retries cannot snowball into an outage.
        maxRetries: Math.max(1, Math.ceil(l.maxConnections / 4)),
        idleTimeout: "60s",
      },
    },
    outlierDetection: { consecutive5xxErrors: l.consecutive5xxErrors, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
  };
}

export function destinationRule(o: { name: string; namespace: string; host: string; limits: TrafficLimits }): KubeObject {
  return {
    apiVersion: NETWORKING,
    kind: "DestinationRule",
    metadata: meta(o.name, o.namespace, "traffic-policy"),
    spec: { host: o.host, trafficPolicy: trafficPolicy(o.limits) },
  };
}

/** Namespace-wide STRICT mTLS: plaintext from outside the mesh is refused. */
export function strictPeerAuthentication(namespace: string): KubeObject {
  return {
    apiVersion: SECURITY,
    kind: "PeerAuthentication",
    metadata: meta("default", namespace, "mtls"),
    spec: { mtls: { mode: "STRICT" } },
  };
}
