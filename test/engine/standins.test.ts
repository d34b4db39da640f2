import { describe, expect, it } from "vitest";
import { changedInputs, randomValue } from "../../scripts/engine/standins/random";
import { SECRET_SIG, SIG_KEY, UNKNOWN, diffObjects, hasUnknowns, manifestPath, reveal, toKubeObject } from "../../scripts/engine/standins/render";

const secret = (value: string) => ({ [SIG_KEY]: SECRET_SIG, value });
const svc = (extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "gateway", namespace: "platform" },
  spec: { ports: [{ port: 80 }] },
  ...extra,
});

describe("kubernetes stand-in (renderYamlToDirectory)", () => {
  it("writes CRDs under 0-crd and everything else under 1-manifest, one file per object", () => {
    expect(manifestPath("/r", toKubeObject(svc()))).toBe("/r/1-manifest/v1-service-platform-gateway.yaml");
    const vs = toKubeObject({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "telemetry", namespace: "platform" } });
    expect(manifestPath("/r", vs)).toBe("/r/1-manifest/networking.istio.io_v1-virtualservice-platform-telemetry.yaml");
    const crd = toKubeObject({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "x.example.com" } });
    expect(manifestPath("/r", crd)).toBe("/r/0-crd/apiextensions.k8s.io_v1-customresourcedefinition--x.example.com.yaml");
  });

  it("reveals secrets for the rendered file and drops engine bookkeeping", () => {
    const obj = toKubeObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "jwt" }, stringData: { key: secret("s3cr3t") }, __defaults: [] });
    expect(obj).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "jwt" }, stringData: { key: "s3cr3t" } });
    expect(reveal([secret("a"), 1])).toEqual(["a", 1]);
  });

  it("rejects inputs that are not Kubernetes objects", () => {
    expect(() => toKubeObject({ metadata: { name: "x" } })).toThrow(/apiVersion\/kind missing/);
  });

  it("diffs by content, ignoring key order and secret wrappers; identity changes replace", () => {
    expect(diffObjects(svc(), { spec: { ports: [{ port: 80 }] }, metadata: { namespace: "platform", name: "gateway" }, kind: "Service", apiVersion: "v1" })).toEqual({ changes: false, replaces: [] });
    expect(diffObjects(svc({ data: { k: secret("v") } }), svc({ data: { k: "v" } })).changes).toBe(false);
    expect(diffObjects(svc(), svc({ spec: { ports: [{ port: 81 }] } }))).toEqual({ changes: true, replaces: [] });
    expect(diffObjects(svc(), svc({ metadata: { name: "gateway2", namespace: "platform" } })).replaces).toEqual(["metadata.name"]);
  });

  it("sees unknown preview values anywhere", () => {
    expect(hasUnknowns({ a: [{ b: UNKNOWN }] })).toBe(true);
    expect(hasUnknowns(svc() as never)).toBe(false);
  });
});

describe("random stand-in", () => {
  const seq = (values: number[]) => {
    let i = 0;
    return (max: number) => values[i++ % values.length] % max;
  };

  it("draws the requested length from the enabled classes only", () => {
    const value = randomValue({ length: 32, special: false });
    expect(value).toHaveLength(32);
    expect(value).toMatch(/^[A-Za-z0-9]+$/);
    expect(randomValue({ length: 32, special: false })).not.toBe(value);
  });

  it("honours minimums and overrideSpecial", () => {
    const value = randomValue({ length: 6, lower: false, upper: false, numeric: true, minNumeric: 2, overrideSpecial: "#" }, seq([0, 1, 2]));
    expect(value).toMatch(/^[0-9#]{6}$/);
    expect(value.replace(/[^0-9]/g, "").length).toBeGreaterThanOrEqual(2);
  });

  it("rejects impossible inputs", () => {
    expect(() => randomValue({ length: 0 })).toThrow(/length/);
    expect(() => randomValue({ length: 4, lower: false, upper: false, numeric: false, special: false })).toThrow(/character class/);
  });

  it("replaces on any input change and ignores the drawn result", () => {
    const state = { length: 32, special: false, result: { [SIG_KEY]: SECRET_SIG, value: "x" } };
    expect(changedInputs(state, { length: 32, special: false })).toEqual([]);
    expect(changedInputs(state, { length: 24, special: false })).toEqual(["length"]);
  });
});
