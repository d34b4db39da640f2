import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { validateManifest } from "../../support/kube-schema";
import { CLOUDWATCH_METRICS } from "../../../components/alerting/cloudwatch-metrics";
import type * as AlertingModule from "../../../components/alerting";

let recorded: SynthResource[];
let mod: typeof AlertingModule;

beforeAll(async () => {
  recorded = await installMocks({ stack: "prod-eu-west-1" });
  mod = await import("../../../components/alerting");
});

async function build(name: string, args: AlertingModule.AlertingArgs) {
  const a = new mod.Alerting(name, args);
  await valueOf(a.urn);
  await valueOf(a.alarmNames);
  await new Promise((r) => setTimeout(r, 50));
  const urn = await valueOf(a.urn);
  return { a, children: recorded.filter((r) => r.parent === urn) };
}

const TYPES = {
  rule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  topic: "aws:sns/topic:Topic",
  sub: "aws:sns/topicSubscription:TopicSubscription",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};

describe("Alerting on the local stage", () => {
  it("declares only the PrometheusRule and PodMonitors (no AWS resources) with the local thresholds", async () => {
    const { a, children } = await build("local-alerts", { stage: "local", region: "local", notify: { subscriptions: [{ protocol: "email", endpoint: "oncall@example.com" }] } });
    expect(children.map((c) => c.type).sort()).toEqual([...Array(4).fill(TYPES.podMonitor), TYPES.rule]);
    expect(await valueOf(a.podMonitorNames)).toEqual(["gateway", "telemetry", "cassandra", "redis"]);
    expect(a.snsTopicArn).toBeUndefined();
    expect(await valueOf(a.alarmNames)).toEqual([]);
    expect(await valueOf(a.prometheusRuleName)).toBe("platform-alerts");
    const rule = children.find((c) => c.type === TYPES.rule)!;
    await validateManifest(rule.inputs as any);
    const alerts = (rule.inputs.spec as any).groups.flatMap((g: any) => g.rules);
    expect(alerts.map((r: any) => r.alert)).toContain("RedisMemoryHigh");
    expect(alerts.find((r: any) => r.alert === "GatewayHighP99Latency").expr).toMatch(/ > 2$/);
    expect(alerts.every((r: any) => r.labels.stage === "local" && r.labels.region === "local")).toBe(true);
  });

  it("labels rule and PodMonitors with what kube-prometheus-stack selects, or the configured labels", async () => {
    const { children } = await build("local-alerts-2", { stage: "local", region: "local", namespace: "obs", prometheusSelectorLabels: { release: "monitoring" } });
    for (const c of children) {
      await validateManifest(c.inputs as any);
      expect((c.inputs.metadata as any).labels).toMatchObject({ release: "monitoring", "app.kubernetes.io/part-of": "platform" });
    }
    const { children: defaults } = await build("local-alerts-3", { stage: "local", region: "local" });
    for (const c of defaults) expect((c.inputs.metadata as any).labels.release).toBe("kube-prometheus-stack");
  });

  it("scrapes meshed workloads on the sidecar's merged :15020/stats/prometheus, Cassandra (outside the mesh) on its agent port", async () => {
    const { children } = await build("local-alerts-4", { stage: "local", region: "local" });
    const monitors = Object.fromEntries(children.filter((c) => c.type === TYPES.podMonitor).map((c) => [(c.inputs.metadata as any).name, c.inputs.spec as any]));
    for (const name of ["gateway", "telemetry", "redis"]) {
      const ep = monitors[name].podMetricsEndpoints[0];
      expect([name, ep.port, ep.path]).toEqual([name, "http-envoy-prom", "/stats/prometheus"]);
      expect(ep.relabelings.map((r: any) => r.replacement)).toEqual(["$1:15020", "[$1]:15020"]);
    }
    expect(monitors["cassandra"].podMetricsEndpoints[0]).toMatchObject({ port: "http-metrics", path: "/metrics" });
    expect(monitors["telemetry"].selector.matchExpressions).toEqual([{ key: "app.kubernetes.io/component", operator: "In", values: ["command", "query"] }]);
    expect(monitors["gateway"].namespaceSelector).toEqual({ matchNames: ["platform"] });
  });

  it("declares no Redis PodMonitor without the in-cluster Redis, and none at all when disabled", async () => {
    const { a } = await build("local-alerts-5", { stage: "local", region: "local", inClusterRedis: false });
    expect(await valueOf(a.podMonitorNames)).toEqual(["gateway", "telemetry", "cassandra"]);
    const { a: none } = await build("local-alerts-6", { stage: "local", region: "local", podMonitors: false });
    expect(await valueOf(none.podMonitorNames)).toEqual([]);
  });

  it("scrapes dns-cache and adds its rule only where it is deployed (the rule fires on a missing dns-cache)", async () => {
    const alertsOf = (children: SynthResource[]) =>
      (children.find((c) => c.type === TYPES.rule)!.inputs.spec as any).groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    const without = await build("local-alerts-7", { stage: "local", region: "local" });
    expect(alertsOf(without.children)).not.toContain("DnsCacheRunNotCompleted");
    const withDns = await build("local-alerts-8", { stage: "local", region: "local", dnsCache: true });
    expect(await valueOf(withDns.a.podMonitorNames)).toEqual(["gateway", "telemetry", "cassandra", "redis", "dns-cache"]);
    expect(alertsOf(withDns.children)).toContain("DnsCacheRunNotCompleted");
  });
});

describe("Alerting on a prod region", () => {
  let result: Awaited<ReturnType<typeof build>>;
  const lbArn = "app/istio-ingress/50dc6c495c0c9188";

  beforeAll(async () => {
    result = await build("prod-alerts", {
      stage: "prod",
      region: "eu-west-1",
      notify: {
        subscriptions: [
          { protocol: "email", endpoint: "oncall@example.com" },
          { protocol: "https", endpoint: pulumi.secret("https://hooks.example.com/services/T0K3N-SECRET") },
        ],
      },
      cloudWatch: {
        elastiCacheClusterIds: mod.memberClusterIds("platform-redis", 2),
        loadBalancers: [{ name: "public", arnSuffix: pulumi.output(lbArn) }],
      },
    });
  });

  const of = (type: string) => result.children.filter((c) => c.type === type);

  it("creates one SNS topic with a subscription per configured endpoint, secrets masked", async () => {
    expect(of(TYPES.topic)).toHaveLength(1);
    expect(of(TYPES.topic)[0]!.inputs.name).toBe("platform-prod-alarms");
    expect(of(TYPES.sub).map((s) => s.inputs.protocol)).toEqual(["email", "https"]);
    const arn = await valueOf(result.a.snsTopicArn!);
    expect(of(TYPES.sub).every((s) => s.inputs.topic === arn)).toBe(true);
    expect(JSON.stringify(recorded)).not.toContain("T0K3N-SECRET");
  });

  it("creates every alarm for every watched resource, each notifying the topic on alarm and OK", async () => {
    const alarms = of(TYPES.alarm);
    // 2 ElastiCache rules x 2 member clusters + 2 load-balancer rules x 1 LB.
    expect(alarms).toHaveLength(6);
    const arn = await valueOf(result.a.snsTopicArn!);
    for (const a of alarms) {
      expect(a.inputs.alarmActions, a.name).toEqual([arn]);
      expect(a.inputs.okActions, a.name).toEqual([arn]);
    }
    expect((await valueOf(result.a.alarmNames)).sort()).toEqual(alarms.map((a) => a.inputs.name).sort());
  });

  it("uses namespace, metric and dimension names valid for the resource", () => {
    for (const a of of(TYPES.alarm)) {
      const table = CLOUDWATCH_METRICS[a.inputs.namespace as keyof typeof CLOUDWATCH_METRICS];
      expect(table, a.name).toBeDefined();
      expect(table.metrics as readonly string[], a.name).toContain(a.inputs.metricName);
      expect(Object.keys(a.inputs.dimensions as object), a.name).toEqual([table.dimension]);
    }
    const cacheIds = of(TYPES.alarm).filter((a) => a.inputs.namespace === "AWS/ElastiCache").map((a) => (a.inputs.dimensions as any).CacheClusterId);
    expect([...new Set(cacheIds)].sort()).toEqual(["platform-redis-001", "platform-redis-002"]);
    const lbs = of(TYPES.alarm).filter((a) => a.inputs.namespace === "AWS/ApplicationELB").map((a) => (a.inputs.dimensions as any).LoadBalancer);
    expect(lbs).toEqual([lbArn, lbArn]);
  });

  it("takes thresholds and evaluation windows from the typed rules' prod values", () => {
    for (const a of of(TYPES.alarm)) {
      const rule = mod.PLATFORM_ALERT_RULES.find((r) => (a.inputs.name as string).startsWith(`platform-prod-${r.name}-`))!;
      expect(rule, a.name).toBeDefined();
      expect(a.inputs.threshold).toBe(rule.thresholds.prod);
      expect(a.inputs.period).toBe(rule.intervalSeconds);
      expect((a.inputs.evaluationPeriods as number) * (a.inputs.period as number)).toBe(rule.forSeconds);
    }
    const p99 = of(TYPES.alarm).find((a) => a.inputs.metricName === "TargetResponseTime")!;
    expect([p99.inputs.extendedStatistic, p99.inputs.statistic]).toEqual(["p99", undefined]);
  });

  it("still declares the PrometheusRule with prod thresholds and no local-only rules", () => {
    const alerts = (of(TYPES.rule)[0]!.inputs.spec as any).groups.flatMap((g: any) => g.rules);
    expect(alerts.find((r: any) => r.alert === "GatewayHighP99Latency").expr).toMatch(/ > 0\.5$/);
    expect(alerts.map((r: any) => r.alert)).not.toContain("RedisMemoryHigh");
  });
});

describe("argument validation", () => {
  it("reports every bad argument at once, naming it and the value", () => {
    expect(
      () =>
        new mod.Alerting("bad", {
          stage: "qa" as never,
          region: "EU West",
          namespace: "Platform",
          notify: { subscriptions: [{ protocol: "slack" as never, endpoint: " " }] },
          cloudWatch: { loadBalancers: [{ name: "a", arnSuffix: "x" }, { name: "a", arnSuffix: "y" }] },
        }),
    ).toThrow(
      new RegExp(
        [
          'stage: must be one of local\\|dev\\|staging\\|prod, got "qa"',
          'region: must be a lower-case region name, got "EU West"',
          'namespace: must be a DNS label, got "Platform"',
          'notify.subscriptions\\[0\\].protocol: must be one of .*, got "slack"',
          "notify.subscriptions\\[0\\].endpoint: must not be empty",
          'cloudWatch.loadBalancers\\[\\].name: must be unique, got \\["a","a"\\]',
        ].join("[\\s\\S]*"),
      ),
    );
  });

  it("refuses Network Load Balancers: AWS/NetworkELB has no HTTP 5xx or response time to alarm on", () => {
    expect(() => new mod.Alerting("nlb", { stage: "prod", region: "eu-west-1", cloudWatch: { loadBalancers: [{ name: "public", arnSuffix: "net/istio-ingress/50dc6c495c0c9188" }] } })).toThrow(
      /cloudWatch.loadBalancers\[public\].arnSuffix: must be an Application Load Balancer \(app\/<name>\/<id>\), got "net\/istio-ingress\/50dc6c495c0c9188"/,
    );
  });

  it("refuses AWS alarms on the local stage and invalid rules", () => {
    const bad = { ...mod.PLATFORM_ALERT_RULES[0]!, forSeconds: 31 };
    expect(() => new mod.Alerting("bad2", { stage: "local", region: "local", cloudWatch: {}, rules: [bad] })).toThrow(
      /rules: rules\[0\] \(GatewayHigh5xxRatio\): forSeconds \(31\) must be a multiple of intervalSeconds \(30\)[\s\S]*cloudWatch: the local stage has no AWS resources/,
    );
  });
});
