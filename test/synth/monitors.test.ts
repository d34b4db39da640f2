/**
 * Issue #19: the PodMonitors of the synthesised stacks select real pods of the same stack, and
 * those pods carry what their scrape path needs: meshed pods the `prometheus.io/*` annotations
 * Istio's metrics merging reads (scrape "true", a declared container port, a path); pods outside
 * the mesh the named metrics port.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { kubeManifests, synthStack } from "../../scripts/synth";
import { selectorMatches } from "../../components/alerting/selects";

type Manifest = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any };
const byStack = new Map<string, Manifest[]>();

beforeAll(async () => {
  for (const stack of ["local", "prod-eu-west-1"]) byStack.set(stack, kubeManifests((await synthStack(stack)).resources) as Manifest[]);
}, 240_000);

describe.each(["local", "prod-eu-west-1"])("PodMonitors of %s", (stack) => {
  const ms = () => byStack.get(stack)!;
  const workloads = () => ms().filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet");

  it("each selects at least one workload, in its namespace", () => {
    const monitors = ms().filter((m) => m.kind === "PodMonitor");
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(stack === "local" ? ["cassandra", "gateway", "redis", "telemetry"] : ["cassandra", "gateway", "telemetry"]);
    for (const pm of monitors) {
      const pods = workloads().filter((w) => pm.spec.namespaceSelector.matchNames.includes(w.metadata.namespace) && selectorMatches(pm.spec.selector, w.spec.template.metadata.labels));
      expect(pods.length, `${pm.metadata.name} selects no workload`).toBeGreaterThan(0);
      const ep = pm.spec.podMetricsEndpoints[0];
      for (const w of pods) {
        const tpl = w.spec.template;
        const ports = tpl.spec.containers.flatMap((c: any) => c.ports ?? []);
        if (ep.path === "/stats/prometheus") {
          // Merged metrics: the sidecar must be injected and the annotations must name an app port.
          expect(tpl.metadata.annotations?.["sidecar.istio.io/inject"], w.metadata.name).not.toBe("false");
          expect(tpl.metadata.annotations?.["prometheus.io/scrape"], w.metadata.name).toBe("true");
          expect(ports.map((p: any) => String(p.containerPort)), w.metadata.name).toContain(tpl.metadata.annotations?.["prometheus.io/port"]);
          expect(tpl.metadata.annotations?.["prometheus.io/path"], w.metadata.name).toBe("/metrics");
        } else {
          expect(ports.map((p: any) => p.name), w.metadata.name).toContain(ep.port);
        }
      }
    }
  });

  it("carry the same Prometheus selector labels as the PrometheusRule", () => {
    const rule = ms().find((m) => m.kind === "PrometheusRule")!;
    for (const pm of ms().filter((m) => m.kind === "PodMonitor")) expect(pm.metadata.labels!["release"]).toBe(rule.metadata.labels!["release"]);
    expect(rule.metadata.labels!["release"]).toBe("kube-prometheus-stack");
  });
});
