/**
 * The risk summary every preview opens with (offline diff and the engine preview's PR comment):
 * changes that take a service down, lose data or widen exposure, each with the safe procedure.
 * Pure: judges operations with the base and head inputs of each resource, so it serves both the
 * offline diff (synth inputs) and the engine's event log (step inputs).
 */

export type RiskKind = "outage" | "data-loss" | "security";

export interface Risk {
  readonly kind: RiskKind;
  readonly stack: string;
  /** `StatefulSet platform/cassandra-a`. */
  readonly resource: string;
  readonly what: string;
  /** The safe way to make this change. */
  readonly procedure: string;
}

/** One resource's planned operation, as the diff or the engine sees it. */
export interface PlannedChange {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: "create" | "update" | "replace" | "delete";
  /** Changed property paths (`spec.volumeClaimTemplates[0]...`); may be empty when unknown. */
  readonly paths: readonly string[];
  readonly old?: Record<string, any>;
  readonly new?: Record<string, any>;
}

/** Risks that need the PR's `risk-accepted` label before it can merge. */
export const BLOCKING: readonly RiskKind[] = ["outage", "data-loss"];
export const RISK_LABEL = "risk-accepted";

const kindOf = (type: string) => (type.startsWith("kubernetes:") ? type.split(":")[2] : undefined);
const label = (c: PlannedChange) => {
  const kind = kindOf(c.type);
  const meta = (c.new ?? c.old)?.metadata;
  return kind && meta?.name ? `${kind} ${meta.namespace ?? "platform"}/${meta.name}` : `${c.type.split(":").pop()} ${c.name}`;
};
const podSpec = (props: Record<string, any> | undefined) => props?.spec?.template?.spec ?? props?.spec?.jobTemplate?.spec?.template?.spec;
const touches = (c: PlannedChange, prefix: string) => c.paths.some((p) => p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`));
/** A Cassandra node StatefulSet: its main container declares the data centre. */
const isCassandra = (p: Record<string, any> | undefined) => (podSpec(p)?.containers ?? []).some((c: any) => (c?.env ?? []).some((e: any) => e?.name === "CASSANDRA_DC"));
const INTERNAL_LB = ["service.beta.kubernetes.io/aws-load-balancer-internal", "service.beta.kubernetes.io/aws-load-balancer-scheme", "networking.gke.io/load-balancer-type", "service.beta.kubernetes.io/azure-load-balancer-internal"];
const isPublicLb = (p: Record<string, any> | undefined) => p?.spec?.type === "LoadBalancer" && !INTERNAL_LB.some((k) => p?.metadata?.annotations?.[k] !== undefined);

/** Privilege a pod spec grants (for "wider privilege" detection). */
function privileges(props: Record<string, any> | undefined): Set<string> {
  const spec = podSpec(props);
  const out = new Set<string>();
  if (!spec) return out;
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[f] === true) out.add(f);
  for (const v of spec.volumes ?? []) if (v?.hostPath) out.add(`hostPath ${v.hostPath.path}`);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c?.securityContext ?? {};
    if (sc.privileged === true) out.add(`privileged container ${c.name}`);
    if (sc.allowPrivilegeEscalation === true) out.add(`allowPrivilegeEscalation in ${c.name}`);
    if (sc.runAsUser === 0 || sc.runAsNonRoot === false) out.add(`root in ${c.name}`);
    for (const cap of sc.capabilities?.add ?? []) out.add(`capability ${cap} in ${c.name}`);
  }
  return out;
}

/** Every risk of one stack's planned changes. */
export function assessRisks(stack: string, changes: readonly PlannedChange[]): Risk[] {
  const out: Risk[] = [];
  const add = (kind: RiskKind, c: PlannedChange, what: string, procedure: string) => out.push({ kind, stack, resource: label(c), what, procedure });
  const stsReplaced = changes.filter((c) => c.op === "replace" && kindOf(c.type) === "StatefulSet");
  for (const c of changes) {
    const kind = kindOf(c.type);
    const gone = c.op === "replace" || c.op === "delete";
    if (kind === "StatefulSet" && gone) {
      const all = stsReplaced.length > 1 ? ` (${stsReplaced.length} StatefulSets in this change: every rack at once, the whole data centre is down)` : "";
      add("outage", c, `${c.op === "replace" ? "replaced: the provider deletes it (fixed name) before recreating it" : "deleted"}, so every pod stops${all}.`,
        "Change one rack at a time: `kubectl delete sts <name> --cascade=orphan` (pods keep running), then let the update recreate the StatefulSet; pods roll one by one.");
      if (touches(c, "spec.volumeClaimTemplates")) {
        add("data-loss", c, "volumeClaimTemplates change: the kept PVCs are NOT resized or changed, new pods reuse the old claims.",
          "Expand each PVC in place first (`kubectl patch pvc data-<sts>-<n> -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"<size>\"}}}}'`, StorageClass with allowVolumeExpansion), then recreate the StatefulSet with --cascade=orphan.");
      }
    } else if (kind === "StatefulSet" && c.op === "update" && isCassandra(c.new) && (c.new?.spec?.replicas ?? 1) < (c.old?.spec?.replicas ?? 1)) {
      const [from, to] = [c.old?.spec?.replicas ?? 1, c.new?.spec?.replicas ?? 1];
      const name = c.new?.metadata?.name ?? c.name;
      const pods = Array.from({ length: from - to }, (_, i) => `${name}-${to + i}`).join(", ");
      add("data-loss", c, from - to > 1
        ? `replicas ${from} → ${to}: the scale-down guard refuses to remove more than one node per rack per deploy; this deploy fails before anything changes.`
        : `replicas ${from} → ${to}: the scale-down guard Job decommissions ${pods} first (streams its data to the other nodes: hours on a large node), then the pod and its volume go.`,
        "Lower nodesPerDc by one node per rack per deploy, check the remaining nodes' disks can take the extra data, and stay at or above every keyspace's replication factor.");
    } else if ((kind === "Deployment" || kind === "DaemonSet") && gone) {
      add("outage", c, `${c.op === "replace" ? "replaced" : "deleted"}: all its pods go at once.`, "Create the new workload under a new name beside the old one, move traffic, then delete the old; or avoid the immutable field (spec.selector).");
    } else if (kind === "Deployment" && c.op === "update" && c.new?.spec?.strategy?.type === "Recreate" && touches(c, "spec.template")) {
      add("outage", c, "pod template changes with strategy Recreate: all replicas stop before the new ones start.", "Use a RollingUpdate strategy, or schedule the change.");
    } else if (kind === "PersistentVolumeClaim" && gone) {
      add("data-loss", c, `${c.op === "replace" ? "replaced" : "deleted"}: the volume's data goes with it (unless the PV's reclaim policy is Retain).`, "Snapshot the volume first; expand PVCs in place instead of replacing them.");
    } else if (kind === "Secret" && gone) {
      add("outage", c, `${c.op === "replace" ? "replaced (deleted first: fixed name), pods starting meanwhile fail; a generated credential changes" : "deleted while pods may still reference it"}.`,
        "Add the new Secret under a new name, roll the workloads onto it, then delete the old one (or set enableSecretMutable on the provider).");
    } else if (c.type === "aws:elasticache/replicationGroup:ReplicationGroup" && gone) {
      add("data-loss", c, `${c.op === "replace" ? "replaced" : "deleted"}: the cache is emptied and its endpoint moves (clients reconnect to a new host).`, "Create the new group beside the old one (new replicationGroupId), switch the gateway's config, then delete the old one; expect a cold cache.");
    } else if (/^aws:s3\/bucket/.test(c.type) && gone) {
      add("data-loss", c, `${c.op === "replace" ? "replaced" : "deleted"}: its objects go with it.`, "Copy the objects first (or protect the bucket: `protect: true`, `retainOnDelete`).");
    } else if (c.type.startsWith("random:") && c.op === "replace") {
      add("outage", c, "regenerated: every credential derived from it changes at once.", "Rotate in two steps: add the new credential beside the old one, move clients, then remove the old one.");
    }
    // Security broadening (creates and updates too).
    if (kind === "Service" && isPublicLb(c.new) && !isPublicLb(c.old)) {
      add("security", c, `new public load balancer${c.new?.spec?.loadBalancerSourceRanges?.length ? ` (source ranges ${c.new.spec.loadBalancerSourceRanges.join(", ")})` : " open to the internet"}.`, "Keep public traffic on the ingress Gateway; restrict loadBalancerSourceRanges or make it internal.");
    } else if (kind === "Service" && isPublicLb(c.new)) {
      const before = new Set<string>(c.old?.spec?.loadBalancerSourceRanges ?? []);
      const wider = (c.new?.spec?.loadBalancerSourceRanges ?? []).filter((r: string) => !before.has(r));
      if (wider.length > 0 || (before.size > 0 && !(c.new?.spec?.loadBalancerSourceRanges ?? []).length)) {
        add("security", c, `wider source ranges: ${wider.length ? `adds ${wider.join(", ")}` : "removes every range (open to the internet)"}.`, "Confirm each new CIDR; never 0.0.0.0/0.");
      }
    }
    if (kind === "Gateway" && c.type.includes("networking.istio.io")) {
      const hosts = (p: Record<string, any> | undefined) => new Set<string>((p?.spec?.servers ?? []).flatMap((s: any) => s?.hosts ?? []));
      const was = hosts(c.old);
      const added = [...hosts(c.new)].filter((h) => !was.has(h));
      if (added.length > 0) add("security", c, `new public host(s) on the ingress Gateway: ${added.join(", ")}.`, "Check the host's DNS, TLS certificate and the routes bound to it.");
    }
    const was = privileges(c.old);
    const now = [...privileges(c.new)].filter((p) => !was.has(p));
    if (now.length > 0) add("security", c, `more privilege: ${now.join(", ")}.`, "Drop it (the pack's platform-k8s-* policies explain why), or get a security review.");
    if ((kind === "Role" || kind === "ClusterRole") && JSON.stringify(c.new?.rules ?? []).includes('"*"') && !JSON.stringify(c.old?.rules ?? []).includes('"*"')) {
      add("security", c, "RBAC rule with a wildcard (*).", "List the verbs and resources the subject needs.");
    }
  }
  return out;
}

const ICON: Record<RiskKind, string> = { outage: "outage", "data-loss": "data loss", security: "security" };

/** Text lines of the summary (also used inside the Markdown). */
export function riskLines(risks: readonly Risk[]): string[] {
  if (risks.length === 0) return ["Risk summary: no outage, data-loss or security-broadening change."];
  const blocking = risks.filter((r) => BLOCKING.includes(r.kind)).length;
  return [
    `Risk summary: ${risks.length} risk${risks.length === 1 ? "" : "s"}${blocking ? ` (${blocking} outage/data loss: the PR needs the "${RISK_LABEL}" label to merge)` : ""}`,
    ...risks.map((r) => `  [${ICON[r.kind]}] ${r.stack}: ${r.resource} ${r.what}\n      safe procedure: ${r.procedure}`),
  ];
}

/** Markdown block opening a PR comment. */
export function riskMarkdown(risks: readonly Risk[]): string {
  if (risks.length === 0) return "**Risk summary:** no outage, data-loss or security-broadening change.\n";
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/</g, "&lt;");
  const blocking = risks.filter((r) => BLOCKING.includes(r.kind)).length;
  return [
    `**Risk summary:** ${risks.length} risk${risks.length === 1 ? "" : "s"}${blocking ? ` — ${blocking} outage/data loss: merging needs the \`${RISK_LABEL}\` label` : ""}`,
    "",
    "| Risk | Stack | Resource | What happens | Safe procedure |",
    "|---|---|---|---|---|",
    ...risks.map((r) => `| ${ICON[r.kind]} | ${r.stack} | ${esc(r.resource)} | ${esc(r.what)} | ${esc(r.procedure)} |`),
    "",
  ].join("\n");
}
