import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { declareKubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE } from "../shared/labels";
import { ArgErrors } from "../shared/validate";
import { alarmSpecs, type AlarmTarget } from "./cloudwatch";
import { ALERT_STAGES, validateRules, type AlertRule, type AlertStage } from "./dsl";
import { DEFAULT_PROMETHEUS_SELECTOR_LABELS, platformScrapeTargets, podMonitorObject } from "./monitors";
import { prometheusRuleObject } from "./promql";
import { deployedRules, PLATFORM_ALERT_RULES } from "./rules";

export { PLATFORM_ALERT_RULES } from "./rules";
export { memberClusterIds } from "./cloudwatch-metrics";
export type { AlertRule, AlertStage } from "./dsl";
export { DEFAULT_PROMETHEUS_SELECTOR_LABELS, MONITORS } from "./monitors";
export { checkPrometheusSelects, type OurMonitoringLabels, type SelectsResult } from "./selects";

/** SNS protocols a subscription may use (those the platform's config schema accepts, plus JSON email). */
export const SUBSCRIPTION_PROTOCOLS = ["email", "email-json", "https", "sms", "sqs", "lambda"] as const;

export interface AlertSubscription {
  /** SNS protocol. */
  readonly protocol: (typeof SUBSCRIPTION_PROTOCOLS)[number];
  /** Address, URL or ARN; pass webhook URLs with tokens as `pulumi.secret(...)`. */
  readonly endpoint: pulumi.Input<string>;
}

export interface AlertingLoadBalancer {
  /** Short stable name used in alarm names (`public`). */
  readonly name: string;
  /** ARN suffix of the Application Load Balancer (`app/<name>/<id>`), the CloudWatch `LoadBalancer` dimension; NLBs (`net/…`) are refused: their AWS/NetworkELB metrics have no 5xx or response time. */
  readonly arnSuffix: pulumi.Input<string>;
}

export interface AlertingCloudWatchArgs {
  /** ElastiCache member cluster ids (CloudWatch publishes Redis metrics per CacheClusterId; see `memberClusterIds`). @default - no ElastiCache alarms */
  readonly elastiCacheClusterIds?: pulumi.Input<string>[];
  /** Application Load Balancers in front of the ingress gateway. @default - no load-balancer alarms */
  readonly loadBalancers?: readonly AlertingLoadBalancer[];
  /** Prefix of every alarm name (unique per account and region). @default `platform-<stage>` */
  readonly alarmNamePrefix?: string;
}

export interface AlertingArgs {
  /** Namespace of the PrometheusRule; the rules also select series by this `namespace` label. @default "platform" */
  readonly namespace?: string;
  /** Stage whose thresholds apply. */
  readonly stage: AlertStage;
  /** Region (data centre) name, added as the `region` label of every alert. */
  readonly region: string;
  /** The alert rules. @default PLATFORM_ALERT_RULES */
  readonly rules?: readonly AlertRule[];
  /** Labels the cluster Prometheus' `ruleSelector` and `podMonitorSelector` match. @default { release: "kube-prometheus-stack" } */
  readonly prometheusSelectorLabels?: Readonly<Record<string, string>>;
  /** Declare PodMonitors for the platform's workloads (prometheus-operator CRDs must exist). @default true */
  readonly podMonitors?: boolean;
  /** dns-cache is deployed (custom domains): a PodMonitor scrapes it and its rules are added. @default false */
  readonly dnsCache?: boolean;
  /** Cassandra pods run an Istio sidecar (scraped through its merged endpoint then). @default false */
  readonly cassandraInMesh?: boolean;
  /** The local stage's in-cluster Redis (with redis_exporter) exists. @default true for the local stage */
  readonly inClusterRedis?: boolean;
  /** Size of one Cassandra data volume in GiB, for the disk-use rule. @default 100 */
  readonly cassandraVolumeGiB?: number;
  /** Who the SNS topic notifies (only used with `cloudWatch`). @default - topic without subscriptions */
  readonly notify?: { readonly subscriptions: readonly AlertSubscription[] };
  /** Managed AWS resources to alarm on. @default - no AWS resources at all (the local stack) */
  readonly cloudWatch?: AlertingCloudWatchArgs;
}

/**
 * Platform alerting: a PrometheusRule for in-cluster signals and, when `cloudWatch` is given,
 * CloudWatch alarms on ElastiCache and the load balancers notifying one SNS topic. Both come
 * from the same typed rule list (./rules.ts) with the stage's thresholds.
 */
export class Alerting extends pulumi.ComponentResource {
  /** Name of the PrometheusRule object. */
  public readonly prometheusRuleName: pulumi.Output<string>;
  /** Names of the PodMonitors (empty with `podMonitors: false`). */
  public readonly podMonitorNames: pulumi.Output<string[]>;
  /** ARN of the SNS topic every alarm notifies; undefined without `cloudWatch`. */
  public readonly snsTopicArn?: pulumi.Output<string>;
  /** Names of the CloudWatch alarms (empty without `cloudWatch`). */
  public readonly alarmNames: pulumi.Output<string[]>;

  private readonly args: AlertingArgs;
  private readonly rules: readonly AlertRule[];
  private readonly namespace: string;

  constructor(name: string, args: AlertingArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:observability:Alerting", name, {}, opts);
    Alerting.validate(args);
    this.args = args;
    this.rules = deployedRules(args.rules ?? PLATFORM_ALERT_RULES, { dnsCache: args.dnsCache ?? false });
    this.namespace = args.namespace ?? PLATFORM_NAMESPACE;

    this.prometheusRuleName = this.createPrometheusRule();
    this.podMonitorNames = this.createPodMonitors();
    const topic = args.cloudWatch ? this.createTopic(name) : undefined;
    this.snsTopicArn = topic?.arn;
    this.alarmNames = topic ? this.createAlarms(name, topic) : pulumi.output([]);

    this.registerOutputs({ prometheusRuleName: this.prometheusRuleName, podMonitorNames: this.podMonitorNames, snsTopicArn: this.snsTopicArn, alarmNames: this.alarmNames });
  }

  private static validate(args: AlertingArgs): void {
    const e = new ArgErrors("Alerting");
    e.check(ALERT_STAGES.includes(args.stage), "stage", `must be one of ${ALERT_STAGES.join("|")}, got "${args.stage}"`);
    e.check(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.region ?? ""), "region", `must be a lower-case region name, got "${args.region}"`);
    const ns = args.namespace ?? PLATFORM_NAMESPACE;
    e.check(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(ns), "namespace", `must be a DNS label, got "${ns}"`);
    for (const p of validateRules(args.rules ?? PLATFORM_ALERT_RULES)) e.check(false, "rules", p);
    for (const [k, v] of Object.entries(args.prometheusSelectorLabels ?? {})) {
      e.check(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(k) && /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/.test(v), "prometheusSelectorLabels", `"${k}": "${v}" is not a valid Kubernetes label`);
    }
    const gib = args.cassandraVolumeGiB;
    e.check(gib === undefined || (Number.isInteger(gib) && gib > 0), "cassandraVolumeGiB", `must be a positive integer, got ${gib}`);
    for (const [i, s] of (args.notify?.subscriptions ?? []).entries()) {
      e.check((SUBSCRIPTION_PROTOCOLS as readonly string[]).includes(s.protocol), `notify.subscriptions[${i}].protocol`, `must be one of ${SUBSCRIPTION_PROTOCOLS.join("|")}, got "${s.protocol}"`);
      e.check(typeof s.endpoint !== "string" || s.endpoint.trim().length > 0, `notify.subscriptions[${i}].endpoint`, "must not be empty");
    }
    if (args.cloudWatch) {
      e.check(args.stage !== "local", "cloudWatch", "the local stage has no AWS resources; leave cloudWatch unset");
      const lbNames = (args.cloudWatch.loadBalancers ?? []).map((lb) => lb.name);
      for (const n of lbNames) e.check(/^[a-z0-9-]{1,32}$/.test(n), "cloudWatch.loadBalancers[].name", `must be lower-case [a-z0-9-], got "${n}"`);
      e.check(new Set(lbNames).size === lbNames.length, "cloudWatch.loadBalancers[].name", `must be unique, got ${JSON.stringify(lbNames)}`);
      for (const lb of args.cloudWatch.loadBalancers ?? []) {
        // Only plain strings can be checked here; the stack config schema checks its own.
        const arn = lb.arnSuffix;
        e.check(typeof arn !== "string" || /^app\//.test(arn), `cloudWatch.loadBalancers[${lb.name}].arnSuffix`, `must be an Application Load Balancer (app/<name>/<id>), got "${arn}": NLB metrics (AWS/NetworkELB) have no HTTP 5xx or response time to alarm on`);
      }
      const prefix = args.cloudWatch.alarmNamePrefix;
      e.check(prefix === undefined || /^[A-Za-z0-9-]{1,64}$/.test(prefix), "cloudWatch.alarmNamePrefix", `must be [A-Za-z0-9-], got "${prefix}"`);
    }
    e.throwIfAny();
  }

  private createPrometheusRule(): pulumi.Output<string> {
    const obj = prometheusRuleObject(
      "platform-alerts",
      this.rules,
      { stage: this.args.stage, region: this.args.region, namespace: this.namespace, cassandraVolumeGiB: this.args.cassandraVolumeGiB },
      this.args.prometheusSelectorLabels ?? DEFAULT_PROMETHEUS_SELECTOR_LABELS,
    );
    declareKubeObject(obj, { parent: this });
    return pulumi.output(obj.metadata.name);
  }

  /** One PodMonitor per workload, labelled like the rule so the same Prometheus selects both. */
  private createPodMonitors(): pulumi.Output<string[]> {
    if (this.args.podMonitors === false) return pulumi.output([]);
    const targets = platformScrapeTargets({ cassandraInMesh: this.args.cassandraInMesh, inClusterRedis: this.args.inClusterRedis ?? this.args.stage === "local", dnsCache: this.args.dnsCache ?? false });
    const labels = this.args.prometheusSelectorLabels ?? DEFAULT_PROMETHEUS_SELECTOR_LABELS;
    const objs = targets.map((t) => podMonitorObject(t, this.namespace, labels));
    for (const o of objs) declareKubeObject(o, { parent: this });
    return pulumi.output(objs.map((o) => o.metadata.name));
  }

  private createTopic(name: string): aws.sns.Topic {
    const topic = new aws.sns.Topic(`${name}-alarms`, { name: `platform-${this.args.stage}-alarms`, tags: this.tags() }, { parent: this });
    for (const [i, s] of (this.args.notify?.subscriptions ?? []).entries()) {
      new aws.sns.TopicSubscription(`${name}-alarms-${s.protocol}-${i}`, { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint }, { parent: this });
    }
    return topic;
  }

  private createAlarms(name: string, topic: aws.sns.Topic): pulumi.Output<string[]> {
    const cw = this.args.cloudWatch!;
    const targets = {
      elasticache: (cw.elastiCacheClusterIds ?? []).map((id, i): AlarmTarget => ({ key: `cache-${i + 1}`, dimensionValue: id })),
      loadbalancer: (cw.loadBalancers ?? []).map((lb): AlarmTarget => ({ key: lb.name, dimensionValue: lb.arnSuffix })),
    };
    const specs = alarmSpecs(this.rules, this.args.stage, targets, cw.alarmNamePrefix ?? `platform-${this.args.stage}`);
    const alarms = specs.map(
      (s) =>
        new aws.cloudwatch.MetricAlarm(
          `${name}-${s.key}`,
          {
            name: s.alarmName,
            alarmDescription: s.alarmDescription,
            namespace: s.namespace,
            metricName: s.metricName,
            dimensions: { [s.dimensionName]: s.dimensionValue },
            statistic: s.statistic,
            extendedStatistic: s.extendedStatistic,
            period: s.period,
            evaluationPeriods: s.evaluationPeriods,
            datapointsToAlarm: s.datapointsToAlarm,
            threshold: s.threshold,
            comparisonOperator: s.comparisonOperator,
            treatMissingData: s.treatMissingData,
            // OK actions too, so a resolved alarm closes the page it opened.
            alarmActions: [topic.arn],
            okActions: [topic.arn],
            tags: this.tags(),
          },
          { parent: this },
        ),
    );
    return pulumi.all(alarms.map((a) => a.name));
  }

  private tags(): Record<string, string> {
    return { "platform:stage": this.args.stage, "platform:region": this.args.region, "platform:component": "alerting" };
  }
}
