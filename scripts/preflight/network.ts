/**
 * Preflight decisions for multi-region Cassandra networking: the prerequisites the stacks do not
 * create (VPCs, peering, routes, security groups) against facts read from AWS by ./aws.ts. Pure,
 * so the rows are tested with injected facts. IPv4 only (the VPC CNI gives pods IPv4 addresses).
 */
import type { CheckRow } from "./checks";

/** Cassandra's internode port (TLS), CQL port and JMX port, as the stacks render them. */
export const STORAGE_PORT = 7000;
export const CQL_PORT = 9042;
export const JMX_PORT = 7199;

/** One EKS cluster to read: a region's stack and its `platform:kubernetes.context` ARN. */
export interface AwsTarget {
  readonly stack: string;
  readonly region: string;
  readonly cluster: string;
}

export interface IngressRule {
  /** `tcp`, `udp`, `icmp`, a protocol number, or `-1` (all traffic). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** IPv4 ranges admitted (security-group references are not CIDRs and are left out). */
  readonly cidrs: readonly string[];
}

export interface RouteFact {
  readonly destination: string;
  /** `active` or `blackhole`. */
  readonly state: string;
  readonly peeringId?: string;
  readonly transitGatewayId?: string;
  /** The target as AWS names it (pcx-…, tgw-…, igw-…, nat-…, local), for the report. */
  readonly target: string;
}

export interface RouteTableFact {
  readonly id: string;
  /** The VPC's main route table: it serves every subnet without an explicit association. */
  readonly main: boolean;
  readonly subnetIds: readonly string[];
  readonly routes: readonly RouteFact[];
}

/** What one region's cluster network has. */
export interface RegionNetwork extends AwsTarget {
  readonly vpcId: string;
  /** The VPC's associated IPv4 CIDR blocks (primary and secondary). */
  readonly cidrs: readonly string[];
  /** The cluster's subnets (where the nodes and, with the VPC CNI, the pods get their IPs). */
  readonly subnetIds: readonly string[];
  /** Every route table of the VPC. */
  readonly routeTables: readonly RouteTableFact[];
  /** The cluster security group (EKS attaches it to managed node groups) and the cluster's additional ones. */
  readonly clusterSecurityGroupIds: readonly string[];
  /** Running nodes of the cluster, grouped by their security groups; empty when none were found. */
  readonly nodeGroups: readonly { securityGroupIds: readonly string[]; nodes: number }[];
  /** Every security group above, with its ingress rules. */
  readonly securityGroups: readonly { id: string; ingress: readonly IngressRule[] }[];
}

export interface PeeringFact {
  readonly id: string;
  /** `active`, `pending-acceptance`, `rejected`, `deleted`, … */
  readonly status: string;
  readonly requester: { vpcId: string; region: string };
  readonly accepter: { vpcId: string; region: string };
}

export interface AwsFacts {
  /** This region first, then its peers in config order. */
  readonly regions: readonly RegionNetwork[];
  /** Peering connections seen in any of the regions (deduplicated by id). */
  readonly peerings: readonly PeeringFact[];
}

/** `arn:aws:eks:<region>:<account>:cluster/<name>` → region and cluster name. */
export function eksClusterOf(context: string | undefined): { region: string; cluster: string } | undefined {
  const m = /^arn:aws[a-z-]*:eks:([a-z0-9-]+):\d{12}:cluster\/(.+)$/.exec(context ?? "");
  return m ? { region: m[1]!, cluster: m[2]! } : undefined;
}

/**
 * The clusters to read: this stack's and each peer region's (`prod-<peer>`), from their
 * `platform:kubernetes.context` ARNs; an Error naming the stack whose context is no EKS ARN.
 */
export function awsTargetsOf(stacks: readonly { stack: string; context?: string }[]): AwsTarget[] | Error {
  const targets: AwsTarget[] = [];
  for (const { stack, context } of stacks) {
    const eks = eksClusterOf(context);
    if (!eks) return new Error(`stacks/Pulumi.${stack}.yaml: platform:kubernetes.context ${JSON.stringify(context ?? "")} is not an EKS cluster ARN (arn:aws:eks:<region>:<account>:cluster/<name>)`);
    targets.push({ stack, ...eks });
  }
  return targets;
}

// --- IPv4 CIDR arithmetic -------------------------------------------------------------------

function range(cidr: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const ip = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  const start = Math.floor(ip / size) * size;
  return [start, start + size - 1];
}

/** Whether `outer` contains all of `inner` (IPv4; false for anything else). */
export function cidrContains(outer: string, inner: string): boolean {
  const [o, i] = [range(outer), range(inner)];
  return !!o && !!i && o[0] <= i[0] && i[1] <= o[1];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [x, y] = [range(a), range(b)];
  return !!x && !!y && x[0] <= y[1] && y[0] <= x[1];
}

const prefixLength = (cidr: string) => Number(cidr.split("/")[1] ?? 0);

// --- rows -----------------------------------------------------------------------------------

/** The row when AWS could not be read at all (no credentials, no network, a missing cluster). */
export function awsUnreachableRow(err: Error): CheckRow {
  return {
    check: "AWS reachable (EKS, EC2 read access)",
    ok: false,
    found: (err.message || err.name).split("\n")[0]!,
    fix: "credentials with eks:DescribeCluster and ec2:Describe* in this region and its peers (AWS_PROFILE, SSO or CI's OIDC role), and each stack's platform:kubernetes.context set to its EKS cluster ARN; --skip-aws leaves these checks out",
  };
}

/** Rows for this region (`facts.regions[0]`) and each of its peers. */
export function evaluateNetwork(facts: AwsFacts): CheckRow[] {
  const [self, ...peers] = facts.regions;
  if (!self) return [];
  const rows: CheckRow[] = [overlapRow(facts.regions)];
  for (const peer of peers) {
    rows.push(routeRow(self, peer, facts.peerings), routeRow(peer, self, facts.peerings));
    rows.push(ingressRow(self, peer), ingressRow(peer, self));
  }
  rows.push(...facts.regions.map(jmxRow));
  return rows;
}

const where = (r: RegionNetwork) => `${r.region} (${r.vpcId} ${r.cidrs.join(" ")})`;

function overlapRow(regions: readonly RegionNetwork[]): CheckRow {
  const clashes: string[] = [];
  regions.forEach((a, i) =>
    regions.slice(i + 1).forEach((b) => {
      for (const x of a.cidrs) for (const y of b.cidrs) if (cidrsOverlap(x, y)) clashes.push(`${x} (${a.region}) overlaps ${y} (${b.region})`);
    }),
  );
  return {
    check: `VPC CIDRs do not overlap (${regions.map((r) => r.region).join(", ")})`,
    ok: clashes.length === 0,
    found: clashes.length === 0 ? regions.map(where).join("; ") : clashes.join("; "),
    fix: "pod IPs must be unique across the regions: peering and Transit Gateway refuse overlapping CIDRs. Give one region a VPC (or a secondary CIDR, `aws ec2 associate-vpc-cidr-block`, with the node subnets in it) that overlaps no other",
  };
}

/** The route tables serving the cluster's subnets: explicit associations, else the main table. */
function servingTables(r: RegionNetwork): RouteTableFact[] {
  const main = r.routeTables.find((t) => t.main);
  const subnets = r.subnetIds.length > 0 ? r.subnetIds : [undefined];
  const tables = subnets.map((s) => r.routeTables.find((t) => s !== undefined && t.subnetIds.includes(s)) ?? main);
  return [...new Set(tables.filter((t): t is RouteTableFact => t !== undefined))];
}

function peeringBetween(peerings: readonly PeeringFact[], a: string, b: string): PeeringFact | undefined {
  const between = peerings.filter((p) => [p.requester.vpcId, p.accepter.vpcId].sort().join() === [a, b].sort().join());
  return between.find((p) => p.status === "active") ?? between.find((p) => !["deleted", "rejected", "expired", "failed"].includes(p.status)) ?? between[0];
}

/** Routes from `from`'s cluster subnets to every CIDR of `to`, over an active peering or a transit gateway. */
function routeRow(from: RegionNetwork, to: RegionNetwork, peerings: readonly PeeringFact[]): CheckRow {
  const tables = servingTables(from);
  const good: string[] = [];
  const bad: string[] = [];
  const fixes: string[] = [];
  const pcx = peeringBetween(peerings, from.vpcId, to.vpcId);
  const target = pcx ? `--vpc-peering-connection-id ${pcx.id}` : "--vpc-peering-connection-id <pcx-…> (or --transit-gateway-id <tgw-…>)";
  if (tables.length === 0) bad.push(`no route table serves ${from.vpcId}`);
  for (const t of tables) {
    for (const cidr of to.cidrs) {
      // The most specific route containing the destination wins (a 0.0.0.0/0 via NAT does not reach the peer).
      const route = t.routes.filter((r) => cidrContains(r.destination, cidr)).sort((a, b) => prefixLength(b.destination) - prefixLength(a.destination))[0];
      const verdict = judgeRoute(route, peerings, from.vpcId, to.vpcId);
      if (verdict.ok) good.push(`${t.id}: ${cidr} via ${route!.target}`);
      else {
        bad.push(`${t.id}: ${verdict.why}`.replace("<cidr>", cidr));
        if (!verdict.peeringFix) fixes.push(`aws ec2 ${route ? "replace-route" : "create-route"} --region ${from.region} --route-table-id ${t.id} --destination-cidr-block ${cidr} ${target}`);
        else fixes.push(verdict.peeringFix);
      }
    }
  }
  const setup = pcx
    ? []
    : [`aws ec2 create-vpc-peering-connection --region ${from.region} --vpc-id ${from.vpcId} --peer-vpc-id ${to.vpcId} --peer-region ${to.region}, then aws ec2 accept-vpc-peering-connection --region ${to.region} --vpc-peering-connection-id <pcx-…>`];
  return {
    check: `route ${from.region} → ${to.region} (cluster subnets to ${to.cidrs.join(", ")})`,
    ok: bad.length === 0,
    found: bad.length === 0 ? good.join("; ") : bad.join("; "),
    fix: [...setup, ...new Set(fixes)].join("; "),
  };
}

function judgeRoute(route: RouteFact | undefined, peerings: readonly PeeringFact[], from: string, to: string): { ok: boolean; why?: string; peeringFix?: string } {
  if (!route) return { ok: false, why: "no route to <cidr>" };
  if (route.state !== "active") return { ok: false, why: `<cidr> via ${route.target} is ${route.state}` };
  if (route.transitGatewayId) return { ok: true };
  if (!route.peeringId) return { ok: false, why: `<cidr> goes via ${route.target} (${route.destination}), not a peering or transit gateway` };
  const p = peerings.find((x) => x.id === route.peeringId);
  if (!p) return { ok: false, why: `<cidr> via ${route.peeringId}, which does not exist` };
  if ([p.requester.vpcId, p.accepter.vpcId].sort().join() !== [from, to].sort().join()) {
    return { ok: false, why: `<cidr> via ${p.id}, which connects ${p.requester.vpcId} and ${p.accepter.vpcId}, not ${to}` };
  }
  if (p.status !== "active") {
    const fix =
      p.status === "pending-acceptance"
        ? `aws ec2 accept-vpc-peering-connection --region ${p.accepter.region} --vpc-peering-connection-id ${p.id}`
        : `peering ${p.id} is ${p.status}: create a new one (aws ec2 create-vpc-peering-connection …) and point the route at it`;
    return { ok: false, why: `<cidr> via ${p.id}, which is ${p.status}`, peeringFix: fix };
  }
  return { ok: true };
}

const coversPort = (rule: IngressRule, port: number) =>
  rule.protocol === "-1" || ((rule.protocol === "tcp" || rule.protocol === "6") && (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535));

/**
 * Storage and CQL open to each CIDR of `from` on every node of `on` (a node admits what any of its
 * security groups admits); without running nodes found, on the cluster's security groups.
 */
function ingressRow(on: RegionNetwork, from: RegionNetwork): CheckRow {
  const sets = on.nodeGroups.length > 0 ? on.nodeGroups.map((g) => g.securityGroupIds) : [on.clusterSecurityGroupIds];
  const good: string[] = [];
  const bad: string[] = [];
  const fixes: string[] = [];
  for (const ids of sets) {
    const groups = on.securityGroups.filter((g) => ids.includes(g.id));
    const missing: { port: number; cidr: string }[] = [];
    for (const port of [STORAGE_PORT, CQL_PORT]) {
      for (const cidr of from.cidrs) {
        const sg = groups.find((g) => g.ingress.some((r) => coversPort(r, port) && r.cidrs.some((c) => cidrContains(c, cidr))));
        if (sg) good.push(`${port} from ${cidr} (${sg.id})`);
        else missing.push({ port, cidr });
      }
    }
    if (missing.length === 0) continue;
    bad.push(`no rule of ${ids.join(", ") || "any security group"} admits ${missing.map((m) => `${m.port} from ${m.cidr}`).join(", ")}`);
    const permissions = missing.map((m) => `IpProtocol=tcp,FromPort=${m.port},ToPort=${m.port},IpRanges=[{CidrIp=${m.cidr},Description=cassandra-${from.region}}]`).join(" ");
    fixes.push(`aws ec2 authorize-security-group-ingress --region ${on.region} --group-id ${ids[0] ?? "<node security group>"} --ip-permissions ${permissions}`);
  }
  const nodes = on.nodeGroups.reduce((n, g) => n + g.nodes, 0);
  return {
    check: `TCP ${STORAGE_PORT} (storage) and ${CQL_PORT} (CQL) open on ${on.region} nodes to ${from.region}`,
    ok: bad.length === 0,
    found: bad.length === 0 ? `${nodes > 0 ? `${nodes} node(s)` : "no running nodes found, cluster security groups"}: ${[...new Set(good)].join(", ")}` : bad.join("; "),
    fix: fixes.join("; "),
  };
}

/** JMX (nodetool, the rebuild Job) admitted from nowhere outside the region's own VPC. */
function jmxRow(r: RegionNetwork): CheckRow {
  const open: string[] = [];
  const revokes: string[] = [];
  for (const g of r.securityGroups) {
    for (const rule of g.ingress) {
      if (!coversPort(rule, JMX_PORT)) continue;
      const outside = rule.cidrs.filter((c) => !r.cidrs.some((own) => cidrContains(own, c)));
      if (outside.length === 0) continue;
      const ports = rule.protocol === "-1" ? "all traffic" : `tcp ${rule.fromPort}-${rule.toPort}`;
      open.push(`${g.id} ${ports} from ${outside.join(", ")}`);
      const perm = rule.protocol === "-1" ? "IpProtocol=-1" : `IpProtocol=${rule.protocol},FromPort=${rule.fromPort},ToPort=${rule.toPort}`;
      revokes.push(`aws ec2 revoke-security-group-ingress --region ${r.region} --group-id ${g.id} --ip-permissions '${perm},IpRanges=[${outside.map((c) => `{CidrIp=${c}}`).join(",")}]'`);
    }
  }
  return {
    check: `JMX ${JMX_PORT} on ${r.region} nodes closed outside its VPC`,
    ok: open.length === 0,
    found: open.length === 0 ? `admitted only from ${r.cidrs.join(", ")} or not at all` : `open: ${open.join("; ")}`,
    fix: `${revokes.join("; ")}; then admit from other regions only TCP ${STORAGE_PORT} and ${CQL_PORT} (the rebuild Job reaches JMX inside the cluster)`,
  };
}
