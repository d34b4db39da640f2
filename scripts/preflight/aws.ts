/**
 * AWS facts for the preflight's network rows (./network.ts), read with the AWS SDK v3: one EKS and
 * one EC2 client per region, credentials and endpoint from the SDK's own chain (AWS_PROFILE, SSO,
 * OIDC…; AWS_ENDPOINT_URL points every client at another endpoint, e.g. moto in the tests).
 * Read-only: DescribeCluster, DescribeSubnets, DescribeVpcs, DescribeRouteTables,
 * DescribeVpcPeeringConnections, DescribeInstances, DescribeSecurityGroups.
 */
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeInstances,
  paginateDescribeRouteTables,
  paginateDescribeVpcPeeringConnections,
  type IpPermission,
  type VpcPeeringConnection,
} from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import type { AwsFacts, AwsTarget, IngressRule, PeeringFact, RegionNetwork, RouteTableFact } from "./network";

async function collect<T, P>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

const ingressOf = (p: IpPermission): IngressRule => ({
  protocol: p.IpProtocol ?? "-1",
  fromPort: p.FromPort,
  toPort: p.ToPort,
  cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp).filter((c): c is string => !!c),
});

const peeringOf = (p: VpcPeeringConnection): PeeringFact => ({
  id: p.VpcPeeringConnectionId ?? "",
  status: p.Status?.Code ?? "unknown",
  requester: { vpcId: p.RequesterVpcInfo?.VpcId ?? "", region: p.RequesterVpcInfo?.Region ?? "" },
  accepter: { vpcId: p.AccepterVpcInfo?.VpcId ?? "", region: p.AccepterVpcInfo?.Region ?? "" },
});

/**
 * The cluster's running nodes, grouped by their security groups: managed node groups tag their
 * instances `eks:cluster-name`, self-managed nodes (and Karpenter's) `kubernetes.io/cluster/<name>`.
 */
async function readNodeGroups(ec2: EC2Client, cluster: string): Promise<{ securityGroupIds: string[]; nodes: number }[]> {
  const running = { Name: "instance-state-name", Values: ["running"] };
  const byTag = [
    { Name: "tag:eks:cluster-name", Values: [cluster] },
    { Name: "tag-key", Values: [`kubernetes.io/cluster/${cluster}`] },
  ];
  const instances = new Map<string, string[]>();
  for (const tag of byTag) {
    const reservations = await collect(paginateDescribeInstances({ client: ec2 }, { Filters: [running, tag] }), (p) => p.Reservations);
    for (const i of reservations.flatMap((r) => r.Instances ?? [])) {
      instances.set(i.InstanceId ?? "", (i.SecurityGroups ?? []).map((g) => g.GroupId ?? "").filter(Boolean).sort());
    }
  }
  const groups = new Map<string, { securityGroupIds: string[]; nodes: number }>();
  for (const ids of instances.values()) {
    const key = ids.join();
    groups.set(key, { securityGroupIds: ids, nodes: (groups.get(key)?.nodes ?? 0) + 1 });
  }
  return [...groups.values()];
}

/** One region's cluster network and the peering connections its EC2 API lists. */
async function readRegion(target: AwsTarget): Promise<{ network: RegionNetwork; peerings: PeeringFact[] }> {
  const eks = new EKSClient({ region: target.region });
  const ec2 = new EC2Client({ region: target.region });
  try {
    const cluster = (await eks.send(new DescribeClusterCommand({ name: target.cluster }))).cluster;
    const vpcConfig = cluster?.resourcesVpcConfig ?? {};
    const subnetIds = vpcConfig.subnetIds ?? [];
    // EKS reports vpcId; derive it from the subnets when absent (moto echoes only the request).
    let vpcId = vpcConfig.vpcId;
    if (!vpcId && subnetIds.length > 0) vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets?.[0]?.VpcId;
    if (!vpcId) throw new Error(`${target.region}: EKS cluster ${target.cluster} reports no VPC`);
    const vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0];
    const associated = (vpc?.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === "associated").map((a) => a.CidrBlock!);
    const cidrs = associated.length > 0 ? associated : vpc?.CidrBlock ? [vpc.CidrBlock] : [];
    const tables = await collect(paginateDescribeRouteTables({ client: ec2 }, { Filters: [{ Name: "vpc-id", Values: [vpcId] }] }), (p) => p.RouteTables);
    const routeTables: RouteTableFact[] = tables.map((t) => ({
      id: t.RouteTableId ?? "",
      main: (t.Associations ?? []).some((a) => a.Main),
      subnetIds: (t.Associations ?? []).map((a) => a.SubnetId).filter((s): s is string => !!s),
      routes: (t.Routes ?? [])
        .filter((r) => r.DestinationCidrBlock)
        .map((r) => ({
          destination: r.DestinationCidrBlock!,
          state: r.State ?? "active",
          peeringId: r.VpcPeeringConnectionId,
          transitGatewayId: r.TransitGatewayId,
          target: r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? r.GatewayId ?? r.NatGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId ?? "unknown",
        })),
    }));
    const clusterSecurityGroupIds = [...new Set([vpcConfig.clusterSecurityGroupId, ...(vpcConfig.securityGroupIds ?? [])].filter((g): g is string => !!g))];
    const nodeGroups = await readNodeGroups(ec2, target.cluster);
    const groupIds = [...new Set([...clusterSecurityGroupIds, ...nodeGroups.flatMap((g) => g.securityGroupIds)])];
    const groups = groupIds.length > 0 ? ((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }))).SecurityGroups ?? []) : [];
    const securityGroups = groups.map((g) => ({ id: g.GroupId ?? "", ingress: (g.IpPermissions ?? []).map(ingressOf) }));
    const peerings = (await collect(paginateDescribeVpcPeeringConnections({ client: ec2 }, {}), (p) => p.VpcPeeringConnections)).map(peeringOf);
    return { network: { ...target, vpcId, cidrs, subnetIds, routeTables, clusterSecurityGroupIds, nodeGroups, securityGroups }, peerings };
  } catch (err) {
    const e = err as Error;
    if (!e.message.startsWith(`${target.region}:`)) e.message = `${target.region}: ${e.name === "Error" ? "" : `${e.name}: `}${e.message}`;
    throw e;
  } finally {
    eks.destroy();
    ec2.destroy();
  }
}

/** Reads every target (this region first). Throws the first error: a preflight row, not a crash. */
export async function gatherAwsFacts(targets: readonly AwsTarget[]): Promise<AwsFacts> {
  const settled = await Promise.allSettled(targets.map(readRegion));
  // The first failure in target order (this region's before its peers'), not the fastest.
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const read = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof readRegion>>>).value);
  const peerings = new Map<string, PeeringFact>();
  for (const p of read.flatMap((r) => r.peerings)) if (!peerings.has(p.id) || p.status === "active") peerings.set(p.id, p);
  return { regions: read.map((r) => r.network), peerings: [...peerings.values()] };
}
