/**
 * istioctl over every shipped stack's mesh objects (Istio's own analyzers and webhook
 * validation, not our models): `istioctl analyze --use-kube=false -A` finds references across
 * objects (gateways, hosts, subsets, unreachable or shadowed matches), `istioctl validate` runs
 * the rules Istio's admission webhook would. Both must report nothing on every stack.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { istioctl, meshObjects, shippedStackObjects, tempYaml, type StackObjects } from "./support";

let stacks: StackObjects[];
beforeAll(async () => {
  stacks = await shippedStackObjects();
}, 600_000);

interface AnalyzeMessage {
  code: string;
  level: string;
  message: string;
  origin?: string;
}

/** `istioctl analyze` offline over one file, all namespaces (without -A it reports only `default`). */
function analyze(file: string): AnalyzeMessage[] {
  const r = istioctl(["analyze", "--use-kube=false", "-A", "--output", "json", "--output-threshold", "Info", file]);
  // Exit 0 = nothing at the failure threshold (Error); the JSON lists every message of any level.
  const messages = JSON.parse(r.stdout || "[]") as AnalyzeMessage[];
  if (r.status !== 0 && messages.length === 0) throw new Error(`istioctl analyze failed (${r.status}): ${r.stderr}`);
  return messages;
}

describe("istioctl analyze and validate", () => {
  it("analyze reports no message of any level on any stack", () => {
    for (const s of stacks) {
      const file = tempYaml(`${s.stack}-mesh`, meshObjects(s.objects).map((o) => stringify(o, { version: "1.1" })).join("---\n"));
      expect(analyze(file), s.stack).toEqual([]);
    }
  });

  it("validate accepts every object of every stack without a warning", () => {
    for (const s of stacks) {
      const r = istioctl(["validate", "-f", tempYaml(s.stack, s.yaml)]);
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status, `${s.stack}: ${out}`).toBe(0);
      expect(out, s.stack).not.toMatch(/warn|error/i);
    }
  });

  it("analyze names a VirtualService bound to a gateway that does not exist (IST0101)", () => {
    const local = stacks.find((s) => s.stack === "local")!;
    const vs = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "broken", namespace: "platform" },
      spec: { hosts: ["broken.example.com"], gateways: ["platform/no-such-gateway"], http: [{ route: [{ destination: { host: "gateway" } }] }] },
    };
    const file = tempYaml("broken-gw", [...meshObjects(local.objects), vs].map((o) => stringify(o, { version: "1.1" })).join("---\n"));
    const messages = analyze(file);
    expect(messages.map((m) => m.code)).toContain("IST0101");
    expect(messages.find((m) => m.code === "IST0101")?.message).toMatch(/no-such-gateway/);
  });

  it("validate refuses negative retry attempts, which the API server's schema accepts", () => {
    const vs = {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "broken-retries", namespace: "platform" },
      spec: { hosts: ["telemetry"], http: [{ retries: { attempts: -1 }, route: [{ destination: { host: "telemetry-query" } }] }] },
    };
    const r = istioctl(["validate", "-f", tempYaml("retries", stringify(vs))]);
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/attempts/);
  });
});
