/**
 * Rung 3 of the verification ladder, for real: every shipped stack's rendered objects go through
 * the local kube-apiserver's server-side dry-run (admission, schema, CRD structural schemas and
 * CEL rules), exactly as `kubectl apply --dry-run=server -f out/<stack>/manifests.yaml` would.
 * And a deliberately broken object is refused by the layer that should refuse it.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { clusterDown, clusterUp, type Cluster } from "../../scripts/cluster/control-plane";
import { clusterTools } from "../../scripts/cluster/tools";
import { SHIPPED_STACKS } from "../../scripts/synth";
import { shippedStackObjects, tempYaml, type StackObjects } from "./support";

let cluster: Cluster;
let stacks: StackObjects[];

beforeAll(async () => {
  [cluster, stacks] = await Promise.all([clusterUp("local", "local"), shippedStackObjects()]);
  // Namespaces exist before a dry-run (it persists nothing, so the Namespace object in the same
  // file would not be there for the objects after it).
  const namespaces = new Set(stacks.flatMap((s) => s.objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n)));
  for (const ns of namespaces) cluster.kubectl(["create", "namespace", ns]);
}, 600_000);

afterAll(() => clusterDown(), 60_000);

/** `kubectl apply --dry-run=server -f <file>`: status and output. */
function dryRun(file: string) {
  const r = spawnSync(clusterTools().kubectl, ["--kubeconfig", cluster.kubeconfig, "apply", "--dry-run=server", "--server-side", "--field-manager=platform-test", "-f", file], { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("kubectl apply --dry-run=server on the local API server", () => {
  it("accepts every object of every shipped stack as rendered", () => {
    expect(stacks.map((s) => s.stack)).toEqual([...SHIPPED_STACKS]);
    for (const s of stacks) {
      const r = dryRun(tempYaml(s.stack, s.yaml));
      expect(r.status, `${s.stack}:\n${r.out}`).toBe(0);
      const lines = r.out.trim().split("\n");
      // The synth's certificates are PEM-shaped fakes (no real keys in tests): the API server warns
      // about a kubernetes.io/tls Secret holding one. Any other warning fails.
      expect(lines.filter((l) => l.startsWith("Warning:") && l !== "Warning: tls: failed to find any PEM data in certificate input"), s.stack).toEqual([]);
      // Every object answered, none skipped.
      expect(lines.filter((l) => !l.startsWith("Warning:"))).toHaveLength(s.objects.length);
    }
  });

  it("reads YAML 1.1 words as strings: the in-cluster Redis args `--appendonly no` stay a string", () => {
    const local = stacks.find((s) => s.stack === "local")!;
    expect(local.yaml).toContain('- "no"');
    // The same object written with a plain `no` is refused: client-side apply says "cannot
    // unmarshal bool", server-side apply (the provider's mode) "expected string, got … false".
    const r = dryRun(tempYaml("plain-no", local.yaml.replace(/- "no"/g, "- no")));
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/cannot unmarshal bool|expected string, got .*Value:false/);
  });

  const deployment = (selector: Record<string, string>, labels: Record<string, string>) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "broken", namespace: "platform" },
    spec: { selector: { matchLabels: selector }, template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
  });

  it("refuses a Deployment whose selector does not match its template (and accepts the matching one)", () => {
    const bad = dryRun(tempYaml("selector", stringify(deployment({ app: "a" }, { app: "b" }))));
    expect(bad.status).not.toBe(0);
    expect(bad.out).toMatch(/selector`? does not match template `?labels/);
    expect(dryRun(tempYaml("selector-ok", stringify(deployment({ app: "a" }, { app: "a" })))).status).toBe(0);
  });

  it("refuses a VirtualService with a 0.5 ms route timeout (Istio CRD validation)", () => {
    const vs = (timeout: string) => ({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "broken", namespace: "platform" },
      spec: { hosts: ["telemetry"], http: [{ timeout, route: [{ destination: { host: "telemetry-query" } }] }] },
    });
    const bad = dryRun(tempYaml("timeout", stringify(vs("0.5ms"))));
    expect(bad.status).not.toBe(0);
    expect(bad.out).toMatch(/timeout|duration/i);
    expect(dryRun(tempYaml("timeout-ok", stringify(vs("10s")))).status).toBe(0);
  });
});
