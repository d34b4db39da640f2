import { describe, expect, it } from "vitest";
import {
  awsTargetsOf,
  awsUnreachableRow,
  cidrContains,
  cidrsOverlap,
  eksClusterOf,
  evaluateNetwork,
  type AwsFacts,
  type IngressRule,
  type RegionNetwork,
} from "../../scripts/preflight/network";

const tcp = (port: number, ...cidrs: string[]): IngressRule => ({ protocol: "tcp", fromPort: port, toPort: port, cidrs });

function region(name: string, cidr: string, peerCidr: string, over: Partial<RegionNetwork> = {}): RegionNetwork {
  return {
    stack: `prod-${name}`,
    region: name,
    cluster: "platform-prod",
    vpcId: `vpc-${name}`,
    cidrs: [cidr],
    subnetIds: [`subnet-${name}`],
    routeTables: [
      {
        id: `rtb-${name}`,
        main: true,
        subnetIds: [],
        routes: [
          { destination: cidr, state: "active", target: "local" },
          { destination: "0.0.0.0/0", state: "active", target: "nat-1" },
          { destination: peerCidr, state: "active", peeringId: "pcx-1", target: "pcx-1" },
        ],
      },
    ],
    clusterSecurityGroupIds: [`sg-${name}`],
    nodeGroups: [],
    securityGroups: [{ id: `sg-${name}`, ingress: [tcp(7000, peerCidr), tcp(9042, peerCidr), tcp(7199, cidr)] }],
    ...over,
  };
}

const good = (): AwsFacts => ({
  regions: [region("eu-west-1", "10.1.0.0/16", "10.0.0.0/16"), region("us-east-1", "10.0.0.0/16", "10.1.0.0/16")],
  peerings: [{ id: "pcx-1", status: "active", requester: { vpcId: "vpc-eu-west-1", region: "eu-west-1" }, accepter: { vpcId: "vpc-us-east-1", region: "us-east-1" } }],
});
const failing = (f: AwsFacts) => evaluateNetwork(f).filter((r) => !r.ok);
const withSelf = (f: AwsFacts, over: Partial<RegionNetwork>): AwsFacts => ({ ...f, regions: [{ ...f.regions[0]!, ...over }, ...f.regions.slice(1)] });

describe("IPv4 CIDRs", () => {
  it("containment and overlap, normalising host bits", () => {
    expect(cidrContains("10.0.0.0/8", "10.1.0.0/16")).toBe(true);
    expect(cidrContains("10.1.0.0/16", "10.0.0.0/8")).toBe(false);
    expect(cidrContains("0.0.0.0/0", "192.168.1.0/24")).toBe(true);
    expect(cidrContains("10.1.2.3/16", "10.1.200.0/24")).toBe(true);
    expect(cidrsOverlap("10.0.0.0/16", "10.0.128.0/17")).toBe(true);
    expect(cidrsOverlap("10.0.0.0/16", "10.1.0.0/16")).toBe(false);
    expect(cidrContains("::/0", "10.0.0.0/8")).toBe(false);
  });
});

describe("which clusters to read", () => {
  it("takes region and name from the EKS ARN of each stack's context, and names a stack whose context is not one", () => {
    expect(eksClusterOf("arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod")).toEqual({ region: "eu-west-1", cluster: "platform-prod" });
    expect(eksClusterOf("my-kube-context")).toBeUndefined();
    expect(awsTargetsOf([{ stack: "prod-eu-west-1", context: "arn:aws:eks:eu-west-1:123456789012:cluster/a" }, { stack: "prod-us-east-1", context: "minikube" }])).toEqual(
      new Error('stacks/Pulumi.prod-us-east-1.yaml: platform:kubernetes.context "minikube" is not an EKS cluster ARN (arn:aws:eks:<region>:<account>:cluster/<name>)'),
    );
    expect(awsUnreachableRow(new Error("Could not load credentials from any providers\nmore")).found).toBe("Could not load credentials from any providers");
  });
});

describe("cross-region network rows (injected AWS facts)", () => {
  it("passes a peered pair, checking both directions and each region's JMX", () => {
    const rows = evaluateNetwork(good());
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(rows).toHaveLength(7);
  });

  it("accepts a transit gateway route and a wider rule (10.0.0.0/8, or all traffic from the peer) for 7000/9042", () => {
    const f = good();
    const tgw = withSelf(f, {
      routeTables: [{ id: "rtb-eu", main: true, subnetIds: [], routes: [{ destination: "10.0.0.0/8", state: "active", transitGatewayId: "tgw-1", target: "tgw-1" }] }],
      clusterSecurityGroupIds: ["sg-eu"],
      securityGroups: [{ id: "sg-eu", ingress: [{ protocol: "tcp", fromPort: 7000, toPort: 9100, cidrs: ["10.0.0.0/8"] }] }],
    });
    // tcp 7000-9100 from 10.0.0.0/8 also covers 7199 from outside the VPC: only that row fails.
    expect(failing(tgw).map((r) => r.check)).toEqual(["JMX 7199 on eu-west-1 nodes closed outside its VPC"]);
    const allTraffic = withSelf(f, { clusterSecurityGroupIds: ["sg-eu"], securityGroups: [{ id: "sg-eu", ingress: [{ protocol: "-1", cidrs: ["10.0.0.0/16"] }] }] });
    expect(failing(allTraffic)).toEqual([
      expect.objectContaining({ check: "JMX 7199 on eu-west-1 nodes closed outside its VPC", found: "open: sg-eu all traffic from 10.0.0.0/16", fix: expect.stringContaining("--ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=10.0.0.0/16}]'") }),
    ]);
  });

  it("checks every node group's own security groups when nodes are found (a node admits what any of its groups admits)", () => {
    const f = good();
    const self = f.regions[0]!;
    const nodes = withSelf(f, {
      nodeGroups: [
        { securityGroupIds: ["sg-eu-west-1", "sg-extra"], nodes: 3 },
        { securityGroupIds: ["sg-spot"], nodes: 2 },
      ],
      securityGroups: [...self.securityGroups, { id: "sg-extra", ingress: [] }, { id: "sg-spot", ingress: [tcp(9042, "10.0.0.0/16")] }],
    });
    expect(failing(nodes)).toEqual([
      {
        check: "TCP 7000 (storage) and 9042 (CQL) open on eu-west-1 nodes to us-east-1",
        ok: false,
        found: "no rule of sg-spot admits 7000 from 10.0.0.0/16",
        fix: "aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-spot --ip-permissions IpProtocol=tcp,FromPort=7000,ToPort=7000,IpRanges=[{CidrIp=10.0.0.0/16,Description=cassandra-us-east-1}]",
      },
    ]);
    const ok = withSelf(f, { nodeGroups: [{ securityGroupIds: ["sg-eu-west-1"], nodes: 3 }] });
    expect(evaluateNetwork(ok).find((r) => r.check.includes("open on eu-west-1"))?.found).toBe("3 node(s): 7000 from 10.0.0.0/16 (sg-eu-west-1), 9042 from 10.0.0.0/16 (sg-eu-west-1)");
  });

  it("judges the most specific route: a default route via NAT does not reach the peer", () => {
    const f = good();
    const t = f.regions[0]!.routeTables[0]!;
    const rows = failing(withSelf(f, { routeTables: [{ ...t, routes: t.routes.filter((r) => r.target !== "pcx-1") }] }));
    expect(rows).toEqual([
      {
        check: "route eu-west-1 → us-east-1 (cluster subnets to 10.0.0.0/16)",
        ok: false,
        found: "rtb-eu-west-1: 10.0.0.0/16 goes via nat-1 (0.0.0.0/0), not a peering or transit gateway",
        fix: "aws ec2 replace-route --region eu-west-1 --route-table-id rtb-eu-west-1 --destination-cidr-block 10.0.0.0/16 --vpc-peering-connection-id pcx-1",
      },
    ]);
  });

  it("uses the table associated with the cluster's subnet, not the main one; a blackhole route fails", () => {
    const f = good();
    const main = f.regions[0]!.routeTables[0]!;
    const own = { id: "rtb-own", main: false, subnetIds: ["subnet-eu-west-1"], routes: [{ destination: "10.0.0.0/16", state: "blackhole", peeringId: "pcx-1", target: "pcx-1" }] };
    expect(failing(withSelf(f, { routeTables: [main, own] })).map((r) => r.found)).toEqual(["rtb-own: 10.0.0.0/16 via pcx-1 is blackhole"]);
  });

  it("refuses a route over a peering that connects other VPCs, and asks to create a peering when there is none", () => {
    const f = { ...good(), peerings: [{ id: "pcx-1", status: "active", requester: { vpcId: "vpc-eu-west-1", region: "eu-west-1" }, accepter: { vpcId: "vpc-other", region: "us-east-1" } }] };
    const rows = failing(f);
    expect(rows.map((r) => r.found)).toEqual(["rtb-eu-west-1: 10.0.0.0/16 via pcx-1, which connects vpc-eu-west-1 and vpc-other, not vpc-us-east-1", "rtb-us-east-1: 10.1.0.0/16 via pcx-1, which connects vpc-eu-west-1 and vpc-other, not vpc-eu-west-1"]);
    expect(rows[0]!.fix).toMatch(/^aws ec2 create-vpc-peering-connection --region eu-west-1 --vpc-id vpc-eu-west-1 --peer-vpc-id vpc-us-east-1 --peer-region us-east-1, then aws ec2 accept-vpc-peering-connection --region us-east-1/);
  });

  it("checks every CIDR of the peer VPC (secondary blocks too)", () => {
    const f = good();
    const peer = { ...f.regions[1]!, cidrs: ["10.0.0.0/16", "100.64.0.0/16"] };
    const rows = failing({ ...f, regions: [f.regions[0]!, peer] });
    expect(rows.map((r) => r.check)).toEqual(["route eu-west-1 → us-east-1 (cluster subnets to 10.0.0.0/16, 100.64.0.0/16)", "TCP 7000 (storage) and 9042 (CQL) open on eu-west-1 nodes to us-east-1"]);
    expect(rows[1]!.found).toBe("no rule of sg-eu-west-1 admits 7000 from 100.64.0.0/16, 9042 from 100.64.0.0/16");
  });

  it("names every overlap between the regions (three regions)", () => {
    const f = good();
    const third = region("ap-southeast-1", "10.1.128.0/17", "10.0.0.0/16", { vpcId: "vpc-ap" });
    const overlap = failing({ ...f, regions: [...f.regions, third] }).find((r) => r.check.startsWith("VPC CIDRs"));
    expect(overlap).toMatchObject({ check: "VPC CIDRs do not overlap (eu-west-1, us-east-1, ap-southeast-1)", found: "10.1.0.0/16 (eu-west-1) overlaps 10.1.128.0/17 (ap-southeast-1)" });
  });
});
