/**
 * Does a cluster's Prometheus pick up the platform's PrometheusRule and PodMonitors? A pure
 * check over the `monitoring.coreos.com/v1` Prometheus objects (`kubectl get prometheus -A -o
 * json` items), following prometheus-operator's selector semantics:
 * - `ruleSelector` / `podMonitorSelector`: `{}` selects everything, absent (null) selects nothing;
 * - `ruleNamespaceSelector` / `podMonitorNamespaceSelector`: `{}` selects every namespace, absent
 *   selects only the Prometheus object's own namespace.
 * `npm run preflight` (issue 16) calls it with the cluster's objects and the stack's labels.
 */

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: readonly string[] }[];
}

/** What the platform declares: labels on its PrometheusRule and PodMonitors, and where. */
export interface OurMonitoringLabels {
  /** Labels of the PrometheusRule. */
  readonly ruleLabels: Readonly<Record<string, string>>;
  /** Labels of the PodMonitors. */
  readonly monitorLabels: Readonly<Record<string, string>>;
  /** Namespace of both. */
  readonly namespace: string;
  /** Labels of that namespace (for namespace selectors). @default {} */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

export interface SelectsResult {
  /** True when at least one Prometheus selects both the rules and the monitors. */
  readonly ok: boolean;
  /** `<namespace>/<name>` of the Prometheus objects that select both. */
  readonly selectedBy: string[];
  /** Why each Prometheus does not, one line per reason; empty when `ok`. */
  readonly problems: string[];
}

/** Whether a Kubernetes label selector matches `labels`; `undefined`/null matches nothing. */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === "In" && !inValues) return false;
    if (e.operator === "NotIn" && inValues) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

interface PrometheusObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, LabelSelector | undefined>;
}

const describeSelector = (s: LabelSelector | undefined) => (s === undefined || s === null ? "absent (selects nothing)" : JSON.stringify(s));

/** Checks every Prometheus object; other kinds in the list are ignored. */
export function checkPrometheusSelects(prometheusObjects: readonly unknown[], ourLabels: OurMonitoringLabels): SelectsResult {
  const proms = (prometheusObjects as PrometheusObject[]).filter((o) => o && o.kind === "Prometheus");
  if (proms.length === 0) return { ok: false, selectedBy: [], problems: ["no Prometheus object (monitoring.coreos.com/v1) in the cluster: is prometheus-operator / kube-prometheus-stack installed?"] };
  const nsLabels = { "kubernetes.io/metadata.name": ourLabels.namespace, ...(ourLabels.namespaceLabels ?? {}) };
  const selectedBy: string[] = [];
  const problems: string[] = [];
  for (const p of proms) {
    const id = `${p.metadata?.namespace ?? "?"}/${p.metadata?.name ?? "?"}`;
    const spec = p.spec ?? {};
    const inNamespace = (selector: LabelSelector | undefined) =>
      selector === undefined || selector === null ? p.metadata?.namespace === ourLabels.namespace : selectorMatches(selector, nsLabels);
    const own: string[] = [];
    if (!selectorMatches(spec["ruleSelector"], ourLabels.ruleLabels)) own.push(`ruleSelector ${describeSelector(spec["ruleSelector"])} does not match the PrometheusRule labels ${JSON.stringify(ourLabels.ruleLabels)}`);
    if (!inNamespace(spec["ruleNamespaceSelector"])) own.push(`ruleNamespaceSelector ${JSON.stringify(spec["ruleNamespaceSelector"] ?? null)} does not select namespace "${ourLabels.namespace}"`);
    if (!selectorMatches(spec["podMonitorSelector"], ourLabels.monitorLabels)) own.push(`podMonitorSelector ${describeSelector(spec["podMonitorSelector"])} does not match the PodMonitor labels ${JSON.stringify(ourLabels.monitorLabels)}`);
    if (!inNamespace(spec["podMonitorNamespaceSelector"])) own.push(`podMonitorNamespaceSelector ${JSON.stringify(spec["podMonitorNamespaceSelector"] ?? null)} does not select namespace "${ourLabels.namespace}"`);
    if (own.length === 0) selectedBy.push(id);
    else problems.push(...own.map((m) => `Prometheus ${id}: ${m}`));
  }
  const ok = selectedBy.length > 0;
  return { ok, selectedBy, problems: ok ? [] : problems };
}
