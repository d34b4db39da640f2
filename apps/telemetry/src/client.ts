import { checkServerIdentity } from "node:tls";
import { Client, policies, types, type ClientOptions } from "cassandra-driver";
import { loadTelemetryConfig, type TelemetryConfig } from "./config/index.js";

/**
 * Driver options for short-lived (serverless) and long-lived (Kubernetes) processes alike:
 * one connection per local host is plenty (the native protocol multiplexes up to 2048 requests
 * per connection) and keeps a fleet of function instances from exhausting the cluster's
 * connections; remote DCs get none.
 */
export function clientOptions(c: TelemetryConfig, overrides: Partial<ClientOptions> = {}): ClientOptions {
  return {
    contactPoints: [...c.contactPoints],
    localDataCenter: c.localDataCenter,
    keyspace: c.keyspace,
    protocolOptions: { port: c.cassandraPort },
    credentials: c.credentials ? { username: c.credentials.username, password: c.credentials.password } : undefined,
    sslOptions: c.tls ? tlsOptions(c) : undefined,
    pooling: {
      coreConnectionsPerHost: { [types.distance.local]: 1, [types.distance.remote]: 0, [types.distance.ignored]: 0 },
      maxRequestsPerConnection: 2048,
      heartBeatInterval: 30_000,
    },
    // Maps in and out: metadata keys are data, and a plain object would confuse keys such as
    // `__proto__` or `hasOwnProperty` with its own properties (the encoder calls hasOwnProperty).
    encoding: { map: Map },
    queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5_000, readTimeout: 10_000, tcpNoDelay: true, keepAlive: true },
    policies: {
      // Come back quickly after a node restart instead of the default minutes-long back-off.
      reconnection: new policies.reconnection.ExponentialReconnectionPolicy(500, 10_000, false),
      ...(c.viaLoadBalancer ? { addressResolution: new ThroughContactPoint(c.contactPoints[0]!, c.cassandraPort) } : {}),
    },
    // Prepare only on the coordinator that is asked; the driver re-prepares on UNPREPARED.
    prepareOnAllHosts: false,
    rePrepareOnUp: false,
    ...overrides,
  };
}

/**
 * Maps every node the driver learns of (system.peers, topology events) to the one contact point:
 * outside the cluster the nodes' own addresses are unreachable, the load balancer in front of
 * them is. Requests then reach whichever node the load balancer picks (no token awareness).
 */
// The typings declare AddressTranslator an interface; the driver checks `instanceof` its class.
const AddressTranslatorBase = (policies.addressResolution as unknown as { AddressTranslator: new () => object }).AddressTranslator as new () => {
  translate(address: string, port: number, callback: (endpoint: string) => void): void;
};

export class ThroughContactPoint extends AddressTranslatorBase {
  private readonly endpoint: string;
  constructor(contactPoint: string, defaultPort: number) {
    super();
    this.endpoint = /:\d+$/.test(contactPoint) && !contactPoint.endsWith("]") ? contactPoint : `${contactPoint}:${defaultPort}`;
  }
  override translate(_address: string, _port: number, callback: (endpoint: string) => void): void {
    callback(this.endpoint);
  }
}

/**
 * TLS verified against the trusted CAs: the configured cluster CA alone when given (where no
 * file can be mounted, e.g. Vercel), else the default store plus NODE_EXTRA_CA_CERTS. With a
 * server name, every node's certificate must be valid for that name: the driver dials
 * discovered nodes by IP, which a node certificate cannot list. With a client certificate, the
 * handshake also proves this client to nodes that `require_client_auth`.
 */
function tlsOptions(c: TelemetryConfig): NonNullable<ClientOptions["sslOptions"]> {
  const { tlsServerName: serverName, tlsCa: ca, tlsClientCert: client } = c;
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca: [ca] } : {}),
    ...(client ? { cert: client.cert, key: client.key } : {}),
    ...(serverName ? { checkServerIdentity: (_host: string, cert: any) => checkServerIdentity(serverName, cert) } : {}),
  } as NonNullable<ClientOptions["sslOptions"]>;
}

export interface LazyClientStats {
  /** Number of `connect()` calls made (successful or not). */
  readonly connects: number;
  readonly connected: boolean;
  /** Duration of the last successful connect (TCP + TLS + auth + metadata), ms; the cold-start cost. */
  readonly connectMs?: number;
}

export interface LazyClient {
  get(): Promise<Client>;
  /** The connected client if there is one (no connect triggered). */
  peek(): Client | undefined;
  stats(): LazyClientStats;
  /** Shuts the client down; the next get() connects again. */
  close(): Promise<void>;
}

/**
 * A client created on first use and reused afterwards. Concurrent first calls share one
 * connect; a failed connect is not cached (the next call retries with a fresh client); there is
 * no per-request health-check query: the driver tracks host state and reconnects by itself.
 */
export function createLazyClient(options: () => ClientOptions, onConnected?: (connectMs: number) => void): LazyClient {
  let client: Client | undefined;
  let connecting: Promise<Client> | undefined;
  let connects = 0;
  let connectMs: number | undefined;
  return {
    get() {
      if (client) return Promise.resolve(client);
      if (!connecting) {
        const attempt = (async () => {
          const c = new Client(options());
          connects++;
          const started = performance.now();
          try {
            await c.connect();
            connectMs = performance.now() - started;
            onConnected?.(connectMs);
          } catch (err) {
            await c.shutdown().catch(() => undefined);
            throw err;
          }
          client = c;
          return c;
        })();
        connecting = attempt;
        // Cleared only after the assignment above: a synchronous failure (e.g. bad config)
        // settles the promise before `connecting` is set, and must not be cached either.
        const clear = () => {
          if (connecting === attempt) connecting = undefined;
        };
        attempt.then(clear, clear);
      }
      return connecting;
    },
    peek: () => client,
    stats: () => ({ connects, connected: client !== undefined, ...(connectMs !== undefined ? { connectMs } : {}) }),
    async close() {
      const pending = connecting;
      const c = client ?? (pending ? await pending.catch(() => undefined) : undefined);
      client = undefined;
      await c?.shutdown();
    },
  };
}

/** Per-process shared client configured from the environment (module scope survives warm invocations). */
export const sharedClient: LazyClient = createLazyClient(() => clientOptions(loadTelemetryConfig(process.env)));

/** Readiness from the driver's own view of the cluster: at least one host up, no query sent. */
export function hasUpHost(client: Client | undefined): boolean {
  if (!client) return false;
  return client.hosts.values().some((h) => h.isUp());
}
