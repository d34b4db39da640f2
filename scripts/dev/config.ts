/** Settings of `npm run dev`: ports, state directory, and the fixed names of the local data store. */
import { join, resolve } from "node:path";

export const REPO_ROOT = join(__dirname, "..", "..");

/** Environment keys the orchestrator hands to the telemetry child. */
export const DEV_TELEMETRY_ENV = { router: "DEV_TELEMETRY_PORT", command: "DEV_COMMAND_PORT", query: "DEV_QUERY_PORT" } as const;

/** Environment keys read by apps/dashboard/vite.config.mts (dev server proxy). */
export const DEV_VITE_ENV = { gatewayUrl: "DEV_GATEWAY_URL", tokenFile: "DEV_API_TOKEN_FILE", cacheDir: "DEV_VITE_CACHE_DIR", apiBase: "VITE_API_BASE" } as const;

/**
 * Data centre of the single-node Cassandra started by scripts/cassandra.sh (SimpleSnitch names
 * it `datacenter1`; the cluster stacks use the region name, `local` for the kind stack).
 */
export const DEV_DATA_CENTER = "datacenter1";
export const DEV_KEYSPACE = "telemetry";
/** Path prefix of the telemetry API on the gateway (the local stack's route table). */
export const GATEWAY_API_PREFIX = "/api/telemetry";

export interface DevPorts {
  readonly dashboard: number;
  readonly gateway: number;
  /** The CQRS router: the `telemetry` mesh host. */
  readonly telemetry: number;
  readonly command: number;
  readonly query: number;
  readonly redis: number;
}

/** Defaults: Vite's usual port, the gateway's container port, Redis on the scripts' port (6390). */
export const DEFAULT_PORTS: DevPorts = { dashboard: 5173, gateway: 8080, telemetry: 8090, command: 8091, query: 8092, redis: 6390 };

/** Consecutive ports from `base` (tests use a free range so a developer's `npm run dev` may keep running). */
export function portsFrom(base: number, redis = DEFAULT_PORTS.redis): DevPorts {
  if (!Number.isInteger(base) || base < 1024 || base > 65530) throw new Error(`port base must be an integer 1024..65530, got ${base}`);
  return { dashboard: base, gateway: base + 1, telemetry: base + 2, command: base + 3, query: base + 4, redis };
}

export interface DevOptions {
  readonly ports: DevPorts;
  /** Logs, JWT key, dev token, Vite cache. */
  readonly stateDir: string;
  /** Print one `DEV_READY {json}` line once ready (for tests and tools). */
  readonly json: boolean;
}

function redisPort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 65535) throw new Error(`redis port must be an integer 1024..65535, got ${v}`);
  return n;
}

/** `--port-base N`, `--redis-port N`, `--state-dir DIR`, `--json`; throws naming the bad argument. */
export function parseDevArgs(argv: readonly string[], cwd = REPO_ROOT): DevOptions {
  let ports = DEFAULT_PORTS;
  let stateDir = join(cwd, ".state", "dev");
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--json") json = true;
    else if (arg === "--port-base") ports = portsFrom(Number(value()), ports.redis);
    else if (arg === "--redis-port") ports = { ...ports, redis: redisPort(value()) };
    else if (arg === "--state-dir") stateDir = resolve(cwd, value());
    else throw new Error(`unknown argument ${JSON.stringify(arg)} (use --port-base N, --redis-port N, --state-dir DIR, --json)`);
  }
  return { ports, stateDir, json };
}
