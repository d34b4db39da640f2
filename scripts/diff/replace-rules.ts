/**
 * Which property changes force a replacement (delete + create, or create-before-delete) rather
 * than an in-place update. A small, explicit table of what the providers do, per resource type;
 * the offline diff has no provider to ask. Paths are prefixes of property-diff paths
 * (without the `[name=...]` / `[i]` selectors), so `spec.selector` covers
 * `spec.selector.matchLabels.app`. The Kubernetes rows follow the provider's own force-new table
 * (pulumi-kubernetes provider/pkg/provider/diff.go, `forceNew` + `forceNewProperties`), plus a few
 * fields the API server refuses to change in place (Service clusterIPs/ipFamilies, StorageClass).
 */
export interface ReplaceRule {
  /** Exact Pulumi type token, or a prefix ending in `*` (e.g. `kubernetes:*`). */
  readonly type: string;
  /** Property paths whose change forces replacement; `*` = any input. */
  readonly paths: readonly string[];
  /** Why, shown next to the change. */
  readonly reason: string;
}

export const REPLACE_RULES: readonly ReplaceRule[] = [
  { type: "kubernetes:*", paths: ["metadata.name", "metadata.namespace"], reason: "a Kubernetes object's name and namespace are its identity" },
  { type: "kubernetes:apps/v1:Deployment", paths: ["spec.selector"], reason: "spec.selector is immutable" },
  { type: "kubernetes:apps/v1:ReplicaSet", paths: ["spec.selector"], reason: "spec.selector is immutable" },
  { type: "kubernetes:apps/v1:DaemonSet", paths: ["spec.selector"], reason: "spec.selector is immutable" },
  { type: "kubernetes:apps/v1:StatefulSet", paths: ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates", "spec.podManagementPolicy", "spec.revisionHistoryLimit"], reason: "the provider replaces a StatefulSet when its selector, serviceName, volumeClaimTemplates, podManagementPolicy or revisionHistoryLimit changes" },
  { type: "kubernetes:batch/v1:Job", paths: ["spec.template", "spec.selector", "spec.completions", "spec.parallelism"], reason: "a Job's pod template, selector, completions and parallelism are immutable" },
  { type: "kubernetes:core/v1:Secret", paths: ["type"], reason: "a Secret's type is immutable" },
  { type: "kubernetes:core/v1:Pod", paths: ["spec"], reason: "a Pod's spec is (almost) immutable: the provider replaces it" },
  { type: "kubernetes:core/v1:ResourceQuota", paths: ["spec.scopes"], reason: "a ResourceQuota's scopes are immutable" },
  { type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", paths: ["roleRef"], reason: "a binding's roleRef is immutable" },
  { type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", paths: ["roleRef"], reason: "a binding's roleRef is immutable" },
  { type: "kubernetes:core/v1:Service", paths: ["spec.clusterIP", "spec.clusterIPs", "spec.ipFamilies"], reason: "a Service's cluster IP (incl. headless `None`) is immutable" },
  { type: "kubernetes:core/v1:PersistentVolumeClaim", paths: ["spec.storageClassName", "spec.accessModes", "spec.selector", "spec.volumeName"], reason: "immutable PVC field" },
  { type: "kubernetes:storage.k8s.io/v1:StorageClass", paths: ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"], reason: "a StorageClass is immutable" },
  { type: "pulumi:providers:kubernetes", paths: ["kubeconfig", "context", "cluster"], reason: "another cluster: every object of this provider is replaced" },
  { type: "pulumi:providers:aws", paths: ["region"], reason: "another region: every resource of this provider is replaced" },
  { type: "random:*", paths: ["*"], reason: "random values are regenerated when any input (keepers, length...) changes" },
  {
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    paths: ["replicationGroupId", "atRestEncryptionEnabled", "port", "subnetGroupName", "snapshotArns", "snapshotName", "preferredCacheClusterAzs", "globalReplicationGroupId"],
    reason: "ElastiCache cannot change this in place",
  },
  { type: "aws:elasticache/subnetGroup:SubnetGroup", paths: ["name"], reason: "the subnet group name is its identity" },
  { type: "aws:elasticache/parameterGroup:ParameterGroup", paths: ["name", "family"], reason: "name and family are fixed at creation" },
  { type: "aws:ecr/repository:Repository", paths: ["name", "encryptionConfigurations"], reason: "an ECR repository's name and encryption are fixed" },
  { type: "aws:ecr/lifecyclePolicy:LifecyclePolicy", paths: ["repository"], reason: "a lifecycle policy belongs to one repository" },
  { type: "aws:sns/topic:Topic", paths: ["name", "namePrefix", "fifoTopic"], reason: "an SNS topic's name and type are fixed" },
  { type: "aws:sns/topicSubscription:TopicSubscription", paths: ["topic", "protocol", "endpoint"], reason: "a subscription is its topic + protocol + endpoint" },
  { type: "aws:cloudwatch/metricAlarm:MetricAlarm", paths: ["name"], reason: "an alarm's name is its identity" },
  { type: "aws:iam/role:Role", paths: ["name", "namePrefix", "path"], reason: "an IAM role's name and path are fixed" },
  { type: "vercel:index/project:Project", paths: ["name", "teamId"], reason: "the project name and team are its identity" },
  { type: "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable", paths: ["projectId", "teamId", "key"], reason: "a variable is identified by project and key" },
  { type: "vercel:index/deployment:Deployment", paths: ["*"], reason: "a Vercel deployment is immutable: any change is a new deployment" },
];

const typeMatches = (pattern: string, type: string) => (pattern.endsWith("*") ? type.startsWith(pattern.slice(0, -1)) : pattern === type);

/** `spec.http[name=a].route[0].x` → `spec.http.route.x` (selectors dropped for prefix matching). */
export const plainPath = (path: string) => path.replace(/\[[^\]]*\]/g, "");

const covers = (rule: string, path: string) => rule === "*" || path === rule || path.startsWith(`${rule}.`);

/**
 * How the stack's Kubernetes provider treats ConfigMap/Secret data: with `enableConfigMapMutable` /
 * `enableSecretMutable` unset (the default, false) it REPLACES the object on any data change.
 */
export interface KubeMutability {
  readonly configMaps: boolean;
  readonly secrets: boolean;
}
export const PROVIDER_DEFAULT_MUTABILITY: KubeMutability = { configMaps: false, secrets: false };

/** The mutability flags of the stack's Kubernetes provider(s): true only when every provider sets the flag. */
export function kubeMutability(resources: readonly { type: string; inputs: Record<string, unknown> }[]): KubeMutability {
  const providers = resources.filter((r) => r.type === "pulumi:providers:kubernetes");
  const on = (key: string) => providers.length > 0 && providers.every((p) => p.inputs[key] === true || p.inputs[key] === "true");
  return { configMaps: on("enableConfigMapMutable"), secrets: on("enableSecretMutable") };
}

/** The reason a change of `path` forces replacement of a `type` (with base inputs `inputs`), or undefined. */
export function replaceReason(type: string, path: string, inputs: Record<string, unknown> = {}, mutability: KubeMutability = PROVIDER_DEFAULT_MUTABILITY): string | undefined {
  const plain = plainPath(path);
  for (const rule of REPLACE_RULES) {
    if (typeMatches(rule.type, type) && rule.paths.some((p) => covers(p, plain))) return rule.reason;
  }
  const data = /^(data|stringData|binaryData)(\.|$)/.test(plain);
  // A ConfigMap or Secret marked `immutable: true` can only be replaced.
  const kubeData = type === "kubernetes:core/v1:ConfigMap" || type === "kubernetes:core/v1:Secret";
  if (kubeData && data && inputs.immutable === true) return "the object is immutable: true";
  if (type === "kubernetes:core/v1:ConfigMap" && data && !mutability.configMaps) return "the Kubernetes provider replaces a ConfigMap on any data change (enableConfigMapMutable is not set)";
  if (type === "kubernetes:core/v1:Secret" && data && !mutability.secrets) return "the Kubernetes provider replaces a Secret on any data change (enableSecretMutable is not set)";
  return undefined;
}
