/**
 * Monthly cost estimate of one stack from its synthesized resources (the same inputs the offline
 * diff compares), priced from ./prices.ts. What it counts:
 * - ElastiCache: node-hours of each replication group (node type × nodes);
 * - EBS: GiB-months of the StatefulSets' volume claims (replicas × size), by StorageClass;
 * - compute: the pods' requests (Deployments and StatefulSets at their minimum replicas) packed
 *   into the stage's node group (stacks/config/tiers.ts NODE_GROUPS), never below its floor;
 * - load balancers: each `LoadBalancer` Service as a Network Load Balancer's hours;
 * - Vercel: the plan's base price for one seat.
 * What it leaves out is listed in `OMITTED` and printed with every estimate.
 */
import { parseStackName } from "../../stacks/config/load";
import { NODE_GROUPS } from "../../stacks/config/tiers";
import { effectiveReplicas, isKind, parseCpu, parseMemory } from "../../policies/core/kube";
import type { ResourceLike } from "../../policies/core/types";
import { HOURS_PER_MONTH, RECORDED_ON, REGION_PRICES, VERCEL_PLAN_MONTH } from "./prices";

export const OMITTED = [
  "data transfer (cross-AZ, cross-region replication, internet egress)",
  "NLB LCUs",
  "S3, CloudWatch, ECR, backups and snapshots",
  "the EKS control plane and anything outside the stacks",
  "Jobs and CronJobs (short-lived pods)",
  "Vercel usage beyond the plan and extra seats",
] as const;

export interface CostLine {
  /** What is priced, e.g. `ElastiCache cache.r7g.xlarge`. */
  readonly item: string;
  /** How much of it, e.g. `3 nodes × 730 h`. */
  readonly quantity: string;
  /** USD per month; undefined when the price table has no price for it. */
  readonly monthlyUsd?: number;
}

export interface CostEstimate {
  readonly stack: string;
  readonly region: string;
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines, USD per month. */
  readonly totalUsd: number;
  /** Lines without a price (missing from the table): the total is short by these. */
  readonly unpriced: readonly string[];
  readonly pricesRecordedOn: string;
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const round2 = (n: number) => Math.round(n * 100) / 100;

function line(item: string, quantity: string, unitPrice: number | undefined, units: number): CostLine {
  return unitPrice === undefined ? { item, quantity } : { item, quantity, monthlyUsd: round2(unitPrice * units) };
}

const kind = (r: ResourceLike) => r.props?.kind as string | undefined;

/** EBS volume type of a StorageClass: its `parameters.type` when the stack declares it, else from the name. */
function volumeType(storageClass: string, resources: readonly ResourceLike[]): string | undefined {
  const declared = resources.find((r) => isKind(r, "StorageClass", "storage.k8s.io") && r.props.metadata?.name === storageClass);
  const type = declared?.props.parameters?.type as string | undefined;
  if (type) return type;
  return /gp3/.test(storageClass) ? "gp3" : /gp2/.test(storageClass) ? "gp2" : undefined;
}

/** CPU millicores and memory bytes the pods of the stack request (containers, at minimum replicas). */
function requestedCapacity(resources: readonly ResourceLike[]): { cpuMillis: number; memoryBytes: number; pods: number } {
  let cpuMillis = 0;
  let memoryBytes = 0;
  let pods = 0;
  for (const r of resources.filter((x) => kind(x) === "Deployment" || kind(x) === "StatefulSet")) {
    const replicas = effectiveReplicas(r, resources);
    pods += replicas;
    for (const c of r.props.spec?.template?.spec?.containers ?? []) {
      cpuMillis += (parseCpu(c.resources?.requests?.cpu) ?? 0) * replicas;
      memoryBytes += (parseMemory(c.resources?.requests?.memory) ?? 0) * replicas;
    }
  }
  return { cpuMillis, memoryBytes, pods };
}

export function estimateStackCost(stack: string, resources: readonly ResourceLike[], opts: { vercelPlan?: string } = {}): CostEstimate {
  const parsed = parseStackName(stack);
  if (!parsed) throw new Error(`not a stack name: "${stack}"`);
  const { stage, region } = parsed;
  const lines: CostLine[] = [];
  // `local` runs on a laptop and a local cluster: no cloud bill.
  if (stage !== "local") {
    const prices = REGION_PRICES[region];
    const month = `${HOURS_PER_MONTH} h`;

    for (const rg of resources.filter((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")) {
      const nodeType = rg.props.nodeType as string;
      const nodes = (rg.props.numCacheClusters as number | undefined) ?? ((rg.props.numNodeGroups ?? 1) * ((rg.props.replicasPerNodeGroup ?? 0) + 1));
      lines.push(line(`ElastiCache ${nodeType}`, `${nodes} node(s) × ${month}`, prices?.cacheNodeHour[nodeType], nodes * HOURS_PER_MONTH));
    }

    const gibByType = new Map<string, number>();
    for (const sts of resources.filter((r) => kind(r) === "StatefulSet")) {
      for (const claim of sts.props.spec?.volumeClaimTemplates ?? []) {
        const gib = (parseMemory(claim.spec?.resources?.requests?.storage) ?? 0) / GiB;
        const cls = (claim.spec?.storageClassName as string | undefined) ?? "(default)";
        const key = volumeType(cls, resources) ?? `StorageClass "${cls}"`;
        gibByType.set(key, (gibByType.get(key) ?? 0) + gib * (sts.props.spec?.replicas ?? 1));
      }
    }
    for (const [type, gib] of gibByType) {
      lines.push(line(`EBS ${type}`, `${round2(gib)} GiB-month`, prices?.ebsGiBMonth[type], gib));
    }

    const shape = NODE_GROUPS[stage];
    const want = requestedCapacity(resources);
    const floor = shape.nodesPerZone * 3; // three zones, as the stacks spread
    const nodes = Math.max(floor, Math.ceil(want.cpuMillis / shape.cpuMillis), Math.ceil(want.memoryBytes / (shape.memoryMiB * MiB)), Math.ceil(want.pods / shape.pods));
    lines.push(line(`EC2 ${shape.instanceType} (node group)`, `${nodes} node(s) × ${month} for ${round2(want.cpuMillis / 1000)} vCPU, ${round2(want.memoryBytes / GiB)} GiB requested`, prices?.ec2Hour[shape.instanceType], nodes * HOURS_PER_MONTH));

    const lbs = resources.filter((r) => kind(r) === "Service" && r.props.spec?.type === "LoadBalancer");
    if (lbs.length > 0) lines.push(line("Network Load Balancer", `${lbs.length} × ${month}`, prices?.nlbHour, lbs.length * HOURS_PER_MONTH));
  }
  if (resources.some((r) => r.type === "vercel:index/project:Project")) {
    const plan = opts.vercelPlan ?? "pro";
    lines.push(line(`Vercel ${plan} plan`, "1 seat", VERCEL_PLAN_MONTH[plan], 1));
  }
  return {
    stack,
    region,
    lines,
    totalUsd: round2(lines.reduce((sum, l) => sum + (l.monthlyUsd ?? 0), 0)),
    unpriced: lines.filter((l) => l.monthlyUsd === undefined).map((l) => l.item),
    pricesRecordedOn: RECORDED_ON,
  };
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (n: number) => (n === 0 ? "±$0.00" : `${n > 0 ? "+" : "−"}${usd(Math.abs(n))}`);

/** One line: `≈ $1,234.56/month (base $1,000.00, +$234.56)`, noting unpriced items. */
export function costSummary(head: CostEstimate, base?: CostEstimate): string {
  const delta = base ? ` (base ${usd(base.totalUsd)}, ${signed(round2(head.totalUsd - base.totalUsd))})` : "";
  const missing = head.unpriced.length > 0 ? `; not priced: ${head.unpriced.join(", ")}` : "";
  return `≈ ${usd(head.totalUsd)}/month${delta}${missing}`;
}

/** The breakdown, one line per item, with the price table's date and what is left out. */
export function costLines(head: CostEstimate): string[] {
  return [
    ...head.lines.map((l) => `${l.item}: ${l.quantity} = ${l.monthlyUsd === undefined ? "no price in scripts/cost/prices.ts" : usd(l.monthlyUsd)}`),
    `(on-demand list prices recorded ${head.pricesRecordedOn}; not included: ${OMITTED.join("; ")})`,
  ];
}
