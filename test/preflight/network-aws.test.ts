/**
 * The preflight's cross-region network rows against a real AWS API: moto's server on loopback
 * (installed by `npm run setup`, scripts/moto.sh), two regions laid out like prod-us-east-1 and
 * prod-eu-west-1 (the stack files' cluster ARNs: account 123456789012 is moto's default, cluster
 * platform-prod). A good layout passes through the real CLI; then one thing at a time is broken
 * and exactly its row turns MISSING.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  AcceptVpcPeeringConnectionCommand,
  AssociateRouteTableCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  RunInstancesCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatherAwsFacts } from "../../scripts/preflight/aws";
import { evaluateNetwork, type AwsTarget } from "../../scripts/preflight/network";
import { REPO_ROOT } from "../../scripts/synth/stacks";

const run = promisify(execFile);
const PORT = 15100;
const ENDPOINT = `http://127.0.0.1:${PORT}`;
/** Dummy keys (moto accepts any); no profile or instance metadata lookups. */
const AWS_ENV = { AWS_ENDPOINT_URL: ENDPOINT, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_EC2_METADATA_DISABLED: "true" };
const FOUNDER = "us-east-1";
const JOINER = "eu-west-1";
const targets: AwsTarget[] = [
  { stack: "prod-eu-west-1", region: JOINER, cluster: "platform-prod" },
  { stack: "prod-us-east-1", region: FOUNDER, cluster: "platform-prod" },
];

type Break = "overlapping CIDR" | "no route" | "no 7000" | "JMX open" | "peering pending" | "node group's own SG";

const tcp = (port: number, cidr: string): IpPermission => ({ IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] });
const ec2 = (region: string) => new EC2Client({ region, endpoint: ENDPOINT, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
const eks = (region: string) => new EKSClient({ region, endpoint: ENDPOINT, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

/** A fresh moto with both regions' clusters, VPCs, peering, routes and security groups; `broken` spoils one. */
async function layout(broken?: Break): Promise<{ pcx: string; euTable: string; euGroup: string }> {
  await fetch(`${ENDPOINT}/moto-api/reset`, { method: "POST" });
  const cidr: Record<string, string> = { [FOUNDER]: "10.0.0.0/16", [JOINER]: broken === "overlapping CIDR" ? "10.0.0.0/16" : "10.1.0.0/16" };
  const other = (region: string) => cidr[region === FOUNDER ? JOINER : FOUNDER]!;
  const made: Record<string, { vpc: string; subnet: string; table: string; group: string }> = {};
  for (const region of [FOUNDER, JOINER]) {
    const c = ec2(region);
    const vpc = (await c.send(new CreateVpcCommand({ CidrBlock: cidr[region] }))).Vpc!.VpcId!;
    const subnet = (await c.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr[region]!.replace(".0.0/16", ".1.0/24") }))).Subnet!.SubnetId!;
    // us-east-1's subnet uses the main table (no association); eu-west-1's has its own table.
    let table = (await c.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }))).RouteTables![0]!.RouteTableId!;
    if (region === JOINER) {
      table = (await c.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
      await c.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnet }));
    }
    const group = (await c.send(new CreateSecurityGroupCommand({ GroupName: "eks-cluster-sg-platform-prod", Description: "cluster", VpcId: vpc }))).GroupId!;
    const rules = [tcp(7000, other(region)), tcp(9042, other(region)), tcp(7199, cidr[region]!)];
    if (region === JOINER && broken === "no 7000") rules.shift();
    if (region === JOINER && broken === "JMX open") rules.push(tcp(7199, "0.0.0.0/0"));
    await c.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group, IpPermissions: rules }));
    // A node as a managed node group launches it: the cluster security group, the cluster tag.
    const nodeGroup =
      region === JOINER && broken === "node group's own SG"
        ? (await c.send(new CreateSecurityGroupCommand({ GroupName: "nodes", Description: "self-managed nodes", VpcId: vpc }))).GroupId!
        : group;
    const node = { ImageId: "ami-12c6146b", MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [nodeGroup] };
    await c.send(new RunInstancesCommand({ ...node, TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "eks:cluster-name", Value: "platform-prod" }] }] }));
    await eks(region).send(new CreateClusterCommand({ name: "platform-prod", roleArn: "arn:aws:iam::123456789012:role/eks", resourcesVpcConfig: { subnetIds: [subnet], securityGroupIds: [group] } }));
    made[region] = { vpc, subnet, table, group };
  }
  const pcx = (await ec2(JOINER).send(new CreateVpcPeeringConnectionCommand({ VpcId: made[JOINER]!.vpc, PeerVpcId: made[FOUNDER]!.vpc, PeerRegion: FOUNDER }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  if (broken !== "peering pending") await ec2(FOUNDER).send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
  if (broken !== "no route") await ec2(JOINER).send(new CreateRouteCommand({ RouteTableId: made[JOINER]!.table, DestinationCidrBlock: cidr[FOUNDER], VpcPeeringConnectionId: pcx }));
  await ec2(FOUNDER).send(new CreateRouteCommand({ RouteTableId: made[FOUNDER]!.table, DestinationCidrBlock: cidr[JOINER], VpcPeeringConnectionId: pcx }));
  return { pcx, euTable: made[JOINER]!.table, euGroup: made[JOINER]!.group };
}

const failing = async () => evaluateNetwork(await gatherAwsFacts(targets)).filter((r) => !r.ok);

/** The real CLI (the stack's cluster unreachable: no kubeconfig), AWS on moto unless `env` says otherwise. */
const preflight = async (extraEnv: Record<string, string>, ...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...AWS_ENV, KUBECONFIG: join(REPO_ROOT, "no-such-kubeconfig"), ...extraEnv };
  delete env.AWS_PROFILE;
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/preflight/cli.ts", ...args], { cwd: REPO_ROOT, env, maxBuffer: 1 << 24 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
};
const rowsOf = (stdout: string, status: "ok" | "MISSING") => [...stdout.matchAll(new RegExp(`^${status} +│ ([^│]+)│`, "gm"))].map((m) => m[1]!.trim());

describe("preflight network rows against moto's EC2 and EKS APIs", () => {
  let moto: ChildProcess | undefined;
  const saved = { ...process.env };
  beforeAll(async () => {
    const server = execFileSync("bash", [join(REPO_ROOT, "scripts/moto.sh"), "path"], { encoding: "utf8" }).trim();
    moto = spawn(server, ["-H", "127.0.0.1", "-p", String(PORT)], { stdio: "ignore", detached: true });
    const until = Date.now() + 60_000;
    while (!(await fetch(`${ENDPOINT}/moto-api/`).then((r) => r.ok, () => false))) {
      if (Date.now() > until) throw new Error(`moto did not answer on ${ENDPOINT} within 60 s`);
      await new Promise((r) => setTimeout(r, 300));
    }
    // gatherAwsFacts uses the SDK's own chain, as in real use: the endpoint comes from AWS_ENDPOINT_URL.
    Object.assign(process.env, AWS_ENV);
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    if (moto?.pid) process.kill(-moto.pid, "SIGTERM");
    process.env = saved;
  });

  it("a good layout passes through the real CLI (--aws-only exits 0; the full run fails only on examples and the cluster)", async () => {
    await layout();
    const good = await preflight({}, "--stack", "prod-eu-west-1", "--aws-only");
    // The security groups judged are the running node's (found by its cluster tag).
    expect(good.stdout).toMatch(/open on eu-west-1 nodes to us-east-1 │ 1 node\(s\): 7000 from 10\.0\.0\.0\/16/);
    expect(rowsOf(good.stdout, "MISSING")).toEqual([]);
    expect(rowsOf(good.stdout, "ok")).toEqual([
      "VPC CIDRs do not overlap (eu-west-1, us-east-1)",
      "route eu-west-1 → us-east-1 (cluster subnets to 10.0.0.0/16)",
      "route us-east-1 → eu-west-1 (cluster subnets to 10.1.0.0/16)",
      "TCP 7000 (storage) and 9042 (CQL) open on eu-west-1 nodes to us-east-1",
      "TCP 7000 (storage) and 9042 (CQL) open on us-east-1 nodes to eu-west-1",
      "JMX 7199 on eu-west-1 nodes closed outside its VPC",
      "JMX 7199 on us-east-1 nodes closed outside its VPC",
    ]);
    expect(good.stdout).toContain("preflight prod-eu-west-1: ready");
    expect(good.code).toBe(0);

    // The whole preflight: the stack file's `# EXAMPLE` values and the unreachable cluster fail, the AWS rows still run.
    const full = await preflight({}, "--stack", "prod-eu-west-1");
    expect(rowsOf(full.stdout, "MISSING")).toEqual(["stack file has no example values", "cluster reachable"]);
    expect(rowsOf(full.stdout, "ok")).toHaveLength(7);
    expect(full.code).toBe(1);
    // --skip-aws leaves the network rows out.
    expect(rowsOf((await preflight({}, "--stack", "prod-eu-west-1", "--skip-aws")).stdout, "ok")).toEqual([]);
    // The founder joins nobody: no network rows to check from its side.
    const founder = await preflight({}, "--stack", "prod-us-east-1", "--aws-only");
    expect([rowsOf(founder.stdout, "ok"), rowsOf(founder.stdout, "MISSING"), founder.code]).toEqual([[], [], 0]);
  }, 180_000);

  it("a missing route: the route row names the table and the create-route command", async () => {
    const { pcx, euTable } = await layout("no route");
    expect(await failing()).toEqual([
      {
        check: "route eu-west-1 → us-east-1 (cluster subnets to 10.0.0.0/16)",
        ok: false,
        found: `${euTable}: no route to 10.0.0.0/16`,
        fix: `aws ec2 create-route --region eu-west-1 --route-table-id ${euTable} --destination-cidr-block 10.0.0.0/16 --vpc-peering-connection-id ${pcx}`,
      },
    ]);
  });

  it("a peering connection not accepted: both route rows, with the accept command in the accepter's region", async () => {
    const { pcx } = await layout("peering pending");
    const rows = await failing();
    expect(rows.map((r) => r.check)).toEqual(["route eu-west-1 → us-east-1 (cluster subnets to 10.0.0.0/16)", "route us-east-1 → eu-west-1 (cluster subnets to 10.1.0.0/16)"]);
    expect(rows[0]!.found).toMatch(new RegExp(`10\\.0\\.0\\.0/16 via ${pcx}, which is pending-acceptance`));
    expect(rows[0]!.fix).toBe(`aws ec2 accept-vpc-peering-connection --region us-east-1 --vpc-peering-connection-id ${pcx}`);
  });

  it("a security group without 7000 from the peer", async () => {
    const { euGroup } = await layout("no 7000");
    expect(await failing()).toEqual([
      {
        check: "TCP 7000 (storage) and 9042 (CQL) open on eu-west-1 nodes to us-east-1",
        ok: false,
        found: `no rule of ${euGroup} admits 7000 from 10.0.0.0/16`,
        fix: `aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id ${euGroup} --ip-permissions IpProtocol=tcp,FromPort=7000,ToPort=7000,IpRanges=[{CidrIp=10.0.0.0/16,Description=cassandra-us-east-1}]`,
      },
    ]);
  });

  it("nodes whose own security group lacks the rules (the cluster's has them): the row names the nodes' group", async () => {
    const { euGroup } = await layout("node group's own SG");
    const rows = await failing();
    expect(rows.map((r) => r.check)).toEqual(["TCP 7000 (storage) and 9042 (CQL) open on eu-west-1 nodes to us-east-1"]);
    expect(rows[0]!.found).toMatch(/^no rule of sg-\w+ admits 7000 from 10\.0\.0\.0\/16, 9042 from 10\.0\.0\.0\/16$/);
    expect(rows[0]!.found).not.toContain(euGroup);
  });

  it("JMX open to 0.0.0.0/0", async () => {
    const { euGroup } = await layout("JMX open");
    const rows = await failing();
    expect(rows.map((r) => [r.check, r.found])).toEqual([["JMX 7199 on eu-west-1 nodes closed outside its VPC", `open: ${euGroup} tcp 7199-7199 from 0.0.0.0/0`]]);
    expect(rows[0]!.fix).toContain(`aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id ${euGroup} --ip-permissions 'IpProtocol=tcp,FromPort=7199,ToPort=7199,IpRanges=[{CidrIp=0.0.0.0/0}]'`);
  });

  it("overlapping VPC CIDRs", async () => {
    await layout("overlapping CIDR");
    const rows = await failing();
    expect(rows.find((r) => r.check.startsWith("VPC CIDRs"))).toMatchObject({ ok: false, found: "10.0.0.0/16 (eu-west-1) overlaps 10.0.0.0/16 (us-east-1)" });
  });

  it("a cluster that does not exist, and an endpoint that does not answer: one 'AWS reachable' row", async () => {
    await fetch(`${ENDPOINT}/moto-api/reset`, { method: "POST" });
    await expect(gatherAwsFacts(targets)).rejects.toThrow(/^eu-west-1: ResourceNotFoundException: /);
    // Nothing listens on port 1.
    const { code, stdout } = await preflight({ AWS_ENDPOINT_URL: "http://127.0.0.1:1" }, "--stack", "prod-eu-west-1", "--aws-only");
    expect(rowsOf(stdout, "MISSING")).toEqual(["AWS reachable (EKS, EC2 read access)"]);
    expect(stdout).toMatch(/ECONNREFUSED/);
    expect(code).toBe(1);
  }, 120_000);
});

