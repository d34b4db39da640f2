import { PROD_REGIONS, BASE_DEFAULTS, STAGE_DEFAULTS, STAGES, VERCEL_REGION_NEAR } from "./tiers";
import { isExampleValue } from "./examples";
import { SECRET_KEYS, SETTINGS_KEYS, settingsSchema, type PlatformSettings, type Stage } from "./schema";

/** The fully resolved config of one stack: validated settings plus derived values. */
export interface PlatformConfig extends PlatformSettings {
  readonly stack: string;
  readonly stage: Stage;
  /** AWS region and Cassandra data-centre name (`local` for the local stack). */
  readonly region: string;
  readonly cassandra: PlatformSettings["cassandra"] & { heapMiB: number; zones: string[]; image: string; replication: Record<string, number> };
  readonly vercel: PlatformSettings["vercel"] & { functionRegion?: string };
  /** Issuer and audience are always set once resolved (tier default on local, required elsewhere). */
  readonly gateway: PlatformSettings["gateway"] & { jwt: PlatformSettings["gateway"]["jwt"] & { issuer: string; audience: string } };
}

/** Thrown when a stack's config is invalid; `problems` lists every one with its key path. */
export class ConfigError extends Error {
  constructor(readonly stackName: string, readonly problems: string[]) {
    super(`Invalid config for stack "${stackName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** `local` or `<stage>-<region>`, e.g. `prod-eu-west-1`. */
export function parseStackName(stack: string): { stage: Stage; region: string } | undefined {
  if (stack === "local") return { stage: "local", region: "local" };
  const m = /^(dev|staging|prod)-([a-z]{2}(?:-[a-z]+)+-\d)$/.exec(stack);
  return m ? { stage: m[1] as Stage, region: m[2] } : undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep merge where `over` wins; arrays are replaced, never concatenated. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

const MiB_31_GiB = 31 * 1024;

/** Half the memory limit, capped at 31 GiB (compressed oops). */
export function deriveHeapMiB(memoryMiB: number): number {
  return Math.min(Math.floor(memoryMiB / 2), MiB_31_GiB);
}

/**
 * Validates a stack's raw `platform:` settings over its stage defaults and derives the rest.
 * Throws one {@link ConfigError} listing every problem; declares nothing.
 */
export function resolveConfig(stack: string, raw: Record<string, unknown>): PlatformConfig {
  const parsed = parseStackName(stack);
  if (!parsed) {
    throw new ConfigError(stack, [`stack: name must be "local" or "<stage>-<region>" with stage in ${STAGES.filter((s) => s !== "local").join("|")}`]);
  }
  const { stage, region } = parsed;
  const problems: string[] = [];
  const known = new Set<string>([...SETTINGS_KEYS, ...SECRET_KEYS]);
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`${k}: unknown key (known: ${SETTINGS_KEYS.join(", ")})`);

  const merged = deepMerge(deepMerge(BASE_DEFAULTS, STAGE_DEFAULTS[stage]), pick(raw, SETTINGS_KEYS));
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigError(stack, problems);
  }
  const s = result.data;
  problems.push(...crossFieldProblems(stage, region, s), ...jwtProblems(stage, s, raw));
  if (problems.length > 0) throw new ConfigError(stack, problems);

  const peers = s.cassandra.peerRegions;
  const replication = Object.fromEntries([region, ...peers].map((dc) => [dc, s.cassandra.replicationFactor]));
  return {
    ...s,
    stack,
    stage,
    region,
    cassandra: {
      ...s.cassandra,
      heapMiB: s.cassandra.heapMiB ?? deriveHeapMiB(s.cassandra.memoryMiB),
      zones: s.cassandra.zones ?? defaultZones(stage, region, s.cassandra.nodesPerDc),
      image: s.cassandra.image ?? `cassandra:${s.cassandra.version}`,
      replication,
    },
    vercel: { ...s.vercel, functionRegion: s.vercel.functionRegion ?? VERCEL_REGION_NEAR[region] },
    gateway: { ...s.gateway, jwt: { ...s.gateway.jwt, issuer: s.gateway.jwt.issuer!, audience: s.gateway.jwt.audience! } }, // checked in jwtProblems
  };
}

/** Racks must be equal: three zones when the node count allows, else two, else one. */
export function defaultZones(stage: Stage, region: string, nodes: number): string[] {
  if (stage === "local") return [];
  const count = nodes % 3 === 0 ? 3 : nodes % 2 === 0 ? 2 : 1;
  return ["a", "b", "c"].slice(0, count).map((z) => `${region}${z}`);
}

/**
 * A cloud gateway needs a real key source and its real issuer and audience: without a key the
 * pods wait forever for a Secret nothing creates, and example claims refuse every real token.
 */
function jwtProblems(stage: Stage, s: PlatformSettings, raw: Record<string, unknown>): string[] {
  if (stage === "local") return [];
  const p: string[] = [];
  const jwt = s.gateway.jwt;
  const sources = [raw.jwtKey !== undefined, jwt.keySecretName !== undefined].filter(Boolean).length;
  if (sources === 0) {
    p.push("gateway.jwt: needs a key source: the Pulumi secret platform:jwtKey (`pulumi config set --secret platform:jwtKey < key.pem`) or gateway.jwt.keySecretName (an existing Secret, checked by `npm run preflight`)");
  }
  if (sources === 2) p.push("gateway.jwt.keySecretName: set either it or the secret platform:jwtKey, not both");
  for (const k of ["issuer", "audience"] as const) {
    if (jwt[k] === undefined) p.push(`gateway.jwt.${k}: required for every stage but local (your identity provider's ${k === "issuer" ? "iss" : "aud"} claim)`);
    else if (isExampleValue(jwt[k])) p.push(`gateway.jwt.${k}: "${jwt[k]}" is an example name; set your identity provider's real ${k === "issuer" ? "issuer (iss)" : "audience (aud)"}`);
  }
  return p;
}

function pick(raw: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => keys.includes(k)));
}

/** The functions' path to CQL: mutual TLS needs the cluster CA, and the NLB admits listed ranges only. */
function endpointProblems(s: PlatformSettings): string[] {
  const p: string[] = [];
  const e = s.cassandra.publicEndpoint;
  if (e.enabled && !s.cassandra.encryption) p.push(`cassandra.publicEndpoint.enabled: needs cassandra.encryption (clients must present certificates of the cluster CA)`);
  if (e.enabled && e.sourceRanges.length === 0) p.push(`cassandra.publicEndpoint.sourceRanges: list the functions' egress CIDRs (Secure Compute: its network's)`);
  for (const r of e.sourceRanges) if (r === "0.0.0.0/0" || r === "::/0") p.push(`cassandra.publicEndpoint.sourceRanges: ${r} admits everyone; list the functions' egress CIDRs`);
  if (s.vercel.target !== "none" && !e.enabled) p.push(`cassandra.publicEndpoint.enabled: the Vercel functions (vercel.target "${s.vercel.target}") have no other path to Cassandra`);
  if (s.vercel.secureCompute && s.vercel.plan !== "enterprise") p.push(`vercel.secureCompute: Secure Compute is an Enterprise feature, vercel.plan is "${s.vercel.plan}"`);
  return p;
}

/** Rules that span fields or depend on the stage; each message names its key path. */
function crossFieldProblems(stage: Stage, region: string, s: PlatformSettings): string[] {
  const p: string[] = [];
  const c = s.cassandra;
  if (c.replicationFactor > c.nodesPerDc) p.push(`cassandra.replicationFactor: ${c.replicationFactor} exceeds cassandra.nodesPerDc (${c.nodesPerDc})`);
  if (c.heapMiB !== undefined && c.heapMiB > c.memoryMiB / 2) p.push(`cassandra.heapMiB: ${c.heapMiB} exceeds half of cassandra.memoryMiB (${c.memoryMiB})`);
  if (c.heapMiB !== undefined && c.heapMiB > MiB_31_GiB) p.push(`cassandra.heapMiB: ${c.heapMiB} exceeds 31 GiB`);
  if (c.peerRegions.includes(region)) p.push(`cassandra.peerRegions: must not include this stack's own region (${region})`);
  if (stage !== "prod" && c.peerRegions.length > 0) p.push(`cassandra.peerRegions: only prod stacks join other regions`);
  for (const peer of c.peerRegions) {
    if (!(PROD_REGIONS as readonly string[]).includes(peer)) p.push(`cassandra.peerRegions: "${peer}" is not a prod region (${PROD_REGIONS.join(", ")})`);
  }
  for (const dc of c.removeDataCenters) {
    if (dc === region || c.peerRegions.includes(dc)) p.push(`cassandra.removeDataCenters: "${dc}" is this region or a peer; drop it from peerRegions (in every region) before removing it`);
  }
  if (stage === "prod" && c.peerRegions.length > 0 && !c.seedDomain) p.push(`cassandra.seedDomain: a region that joins others must publish its seeds under a DNS zone the peers resolve`);
  p.push(...endpointProblems(s));
  if (stage === "prod" && c.replicationFactor < 3) p.push(`cassandra.replicationFactor: prod needs at least 3, got ${c.replicationFactor}`);
  if (s.gateway.minReplicas > s.gateway.maxReplicas) p.push(`gateway.minReplicas: ${s.gateway.minReplicas} exceeds gateway.maxReplicas (${s.gateway.maxReplicas})`);
  if (s.mesh.perTryTimeoutSeconds >= s.mesh.routeTimeoutSeconds) p.push(`mesh.perTryTimeoutSeconds: ${s.mesh.perTryTimeoutSeconds} must be below mesh.routeTimeoutSeconds (${s.mesh.routeTimeoutSeconds})`);
  const r = s.redis;
  const b = s.backup;
  if (b.enabled && stage === "local") p.push(`backup.enabled: the local stack has no S3 bucket or IRSA; the restore drill (npm run drill:restore) covers it`);
  if (b.enabled && stage !== "local" && !b.oidcProviderArn) p.push(`backup.oidcProviderArn: required when backups are enabled (IRSA trust of the backup role)`);
  if (b.maxBackupAgeDays === 0 && b.maxBackupCount === 0) p.push(`backup: maxBackupAgeDays and maxBackupCount are both 0, so backups would never be purged`);
  if (stage === "local" && r.mode !== "in-cluster") p.push(`redis.mode: the local stack runs Redis in-cluster, got "${r.mode}"`);
  if (stage !== "local" && r.mode !== "elasticache") p.push(`redis.mode: cloud stages use "elasticache", got "${r.mode}"`);
  if (r.automaticFailover && r.nodes < 2) p.push(`redis.automaticFailover: needs redis.nodes >= 2, got ${r.nodes}`);
  if (r.multiAz && !r.automaticFailover) p.push(`redis.multiAz: requires redis.automaticFailover`);
  if (r.mode === "elasticache") {
    if (!r.subnetIds?.length) p.push(`redis.subnetIds: required for ElastiCache (private subnets of the VPC)`);
    if (!r.securityGroupIds?.length) p.push(`redis.securityGroupIds: required for ElastiCache`);
  }
  if (stage === "prod" && !(r.multiAz && r.automaticFailover)) p.push(`redis: prod needs multiAz and automaticFailover`);
  const domains = Object.keys(s.customDomains.domains);
  if (domains.includes(s.gateway.publicHost)) p.push(`customDomains.domains: "${s.gateway.publicHost}" is gateway.publicHost itself, not a custom domain`);
  for (const [domain, tenant] of Object.entries(s.customDomains.domains).sort(([a], [b]) => a.localeCompare(b))) {
    if (!Object.hasOwn(s.customDomains.tenants, tenant)) p.push(`customDomains.domains["${domain}"]: tenant "${tenant}" is not in customDomains.tenants (which sources may it touch?)`);
  }
  if (stage === "local" && domains.length > 0 && !s.images.dnsCache) p.push(`images.dnsCache: required for the local stack when customDomains.domains is not empty`);
  if (stage === "local") {
    if (!s.images.gateway) p.push(`images.gateway: required for the local stack (an image name your cluster can pull)`);
    if (!s.images.telemetry) p.push(`images.telemetry: required for the local stack`);
    if (s.vercel.target !== "none") p.push(`vercel.target: the local stack has no Vercel project, set "none"`);
  } else if (s.vercel.target !== "none" && !s.vercel.functionRegion && !VERCEL_REGION_NEAR[region]) {
    p.push(`vercel.functionRegion: no known Vercel region near ${region}; set one`);
  }
  return p;
}
