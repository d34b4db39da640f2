/**
 * Issue #19: checkPrometheusSelects, the pure check `npm run preflight` runs on the cluster's
 * Prometheus objects, with prometheus-operator's selector semantics.
 */
import { describe, expect, it } from "vitest";
import { checkPrometheusSelects, selectorMatches } from "../../../components/alerting/selects";
import { DEFAULT_PROMETHEUS_SELECTOR_LABELS } from "../../../components/alerting/monitors";

const ours = { ruleLabels: { ...DEFAULT_PROMETHEUS_SELECTOR_LABELS, "app.kubernetes.io/part-of": "platform" }, monitorLabels: { ...DEFAULT_PROMETHEUS_SELECTOR_LABELS }, namespace: "platform" };

/** The Prometheus object kube-prometheus-stack renders with its default values (release `kube-prometheus-stack`). */
const kubePrometheusStack = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "Prometheus",
  metadata: { name: "kube-prometheus-stack-prometheus", namespace: "monitoring" },
  spec: {
    ruleSelector: { matchLabels: { release: "kube-prometheus-stack" } },
    ruleNamespaceSelector: {},
    podMonitorSelector: { matchLabels: { release: "kube-prometheus-stack" } },
    podMonitorNamespaceSelector: {},
    serviceMonitorSelector: { matchLabels: { release: "kube-prometheus-stack" } },
  },
};

describe("checkPrometheusSelects", () => {
  it("accepts kube-prometheus-stack's default Prometheus with the platform's default labels", () => {
    expect(checkPrometheusSelects([kubePrometheusStack], ours)).toEqual({ ok: true, selectedBy: ["monitoring/kube-prometheus-stack-prometheus"], problems: [] });
  });

  it("refuses the old labels ({prometheus: platform, role: alert-rules}) with the reason", () => {
    const r = checkPrometheusSelects([kubePrometheusStack], { ...ours, ruleLabels: { prometheus: "platform", role: "alert-rules" }, monitorLabels: {} });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'Prometheus monitoring/kube-prometheus-stack-prometheus: ruleSelector {"matchLabels":{"release":"kube-prometheus-stack"}} does not match the PrometheusRule labels {"prometheus":"platform","role":"alert-rules"}',
      'Prometheus monitoring/kube-prometheus-stack-prometheus: podMonitorSelector {"matchLabels":{"release":"kube-prometheus-stack"}} does not match the PodMonitor labels {}',
    ]);
  });

  it("treats an absent selector as selecting nothing, and {} as everything", () => {
    const spec = { ...kubePrometheusStack.spec } as Record<string, unknown>;
    delete spec["podMonitorSelector"];
    const r = checkPrometheusSelects([{ ...kubePrometheusStack, spec }], ours);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/podMonitorSelector absent \(selects nothing\)/);
    expect(checkPrometheusSelects([{ ...kubePrometheusStack, spec: { ...spec, podMonitorSelector: {}, ruleSelector: {} } }], ours).ok).toBe(true);
  });

  it("follows namespace selectors: absent means the Prometheus' own namespace only", () => {
    const spec = { ...kubePrometheusStack.spec } as Record<string, unknown>;
    delete spec["ruleNamespaceSelector"];
    expect(checkPrometheusSelects([{ ...kubePrometheusStack, spec }], ours).problems[0]).toMatch(/ruleNamespaceSelector null does not select namespace "platform"/);
    expect(checkPrometheusSelects([{ ...kubePrometheusStack, metadata: { name: "p", namespace: "platform" }, spec }], ours).ok).toBe(true);
    const labelled = { ...kubePrometheusStack.spec, ruleNamespaceSelector: { matchLabels: { monitoring: "on" } } };
    expect(checkPrometheusSelects([{ ...kubePrometheusStack, spec: labelled }], ours).ok).toBe(false);
    expect(checkPrometheusSelects([{ ...kubePrometheusStack, spec: labelled }], { ...ours, namespaceLabels: { monitoring: "on" } }).ok).toBe(true);
  });

  it("is ok when any one Prometheus selects both, and says so when there is none", () => {
    const other = { ...kubePrometheusStack, metadata: { name: "other", namespace: "x" }, spec: {} };
    expect(checkPrometheusSelects([other, kubePrometheusStack], ours).selectedBy).toEqual(["monitoring/kube-prometheus-stack-prometheus"]);
    expect(checkPrometheusSelects([{ kind: "Pod" }], ours).problems[0]).toMatch(/no Prometheus object/);
  });

  it("evaluates matchExpressions like Kubernetes", () => {
    const labels = { release: "kps", team: "a" };
    expect(selectorMatches({ matchExpressions: [{ key: "release", operator: "In", values: ["kps", "x"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "team", operator: "NotIn", values: ["a"] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "absent", operator: "DoesNotExist" }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "absent", operator: "Exists" }] }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { release: "kps" }, matchExpressions: [{ key: "team", operator: "Exists" }] }, labels)).toBe(true);
  });
});
