import { describe, expect, it } from "vitest";
import type { ResourceLike } from "../../policies/core/types";
import { evaluateRoute } from "../../policies/routing/evaluate";
import { matchBlockCovers, stringMatchCovers, stringMatches } from "../../policies/routing/match";
import { goodStack, kube, PUBLIC_HOST } from "./fixtures";

const STACK = "prod-us-east-1";
const vs = (name: string, spec: Record<string, any>, ns = "platform") => kube(STACK, "VirtualService", name, { spec }, ns);
const to = (host: string, extra: Record<string, any> = {}) => ({ route: [{ destination: { host } }], timeout: "5s", ...extra });
const pick = (resources: ResourceLike[], req: Partial<Parameters<typeof evaluateRoute>[1]>, context?: string) =>
  evaluateRoute(resources, { authority: "svc", method: "GET", path: "/", ...req }, { context })?.destination?.host;

describe("evaluateRoute", () => {
  const stack = goodStack(STACK);
  it("routes the CQRS flows of the hand-made stack", () => {
    const q = (method: string, headers: Record<string, string> = {}) =>
      evaluateRoute(stack, { authority: "telemetry", method, path: "/v1/events", headers }, { context: "mesh" });
    expect(q("GET")).toMatchObject({ virtualService: "platform/telemetry", routeIndex: 1, routeName: "reads", destination: { host: "telemetry-query.platform.svc.cluster.local", port: 80 } });
    expect(q("HEAD")?.destination?.host).toBe("telemetry-query.platform.svc.cluster.local");
    expect(q("POST")).toMatchObject({ routeIndex: 2, destination: { host: "telemetry-command.platform.svc.cluster.local" } });
    expect(q("GET", { "X-Read-Your-Writes": "true" })).toMatchObject({ routeIndex: 0, destination: { host: "telemetry-command.platform.svc.cluster.local" } });
    expect(q("GET", { "x-read-your-writes": "false" })?.routeIndex).toBe(1);
    expect(q("OPTIONS")).toBeUndefined(); // no route matches: Istio answers 404
  });

  it("matches short names, namespace-qualified names, FQDNs and authority ports", () => {
    for (const authority of ["telemetry", "telemetry.platform", "telemetry.platform.svc", "telemetry.platform.svc.cluster.local", "telemetry:80"]) {
      expect(evaluateRoute(stack, { authority, method: "POST", path: "/" })?.virtualService).toBe("platform/telemetry");
    }
    expect(evaluateRoute(stack, { authority: "telemetry.other", method: "POST", path: "/" })).toBeUndefined();
  });

  it("respects the gateways a VirtualService is bound to", () => {
    expect(pick(stack, { authority: PUBLIC_HOST }, "platform/ingress")).toBe("gateway.platform.svc.cluster.local");
    expect(pick(stack, { authority: PUBLIC_HOST })).toBe("gateway.platform.svc.cluster.local");
    expect(pick(stack, { authority: PUBLIC_HOST }, "mesh")).toBeUndefined();
    expect(pick(stack, { authority: "telemetry" }, "platform/ingress")).toBeUndefined();
  });

  it("applies exact, prefix and full-match regex URIs in order (first match wins)", () => {
    const r = [vs("svc", { hosts: ["svc"], http: [
      { match: [{ uri: { exact: "/health" } }], ...to("a") },
      { match: [{ uri: { regex: "/v[0-9]+/items/[^/]+" } }], ...to("b") },
      { match: [{ uri: { prefix: "/v1" } }], ...to("c") },
      to("d"),
    ] })];
    expect(pick(r, { path: "/health" })).toBe("a.platform.svc.cluster.local");
    expect(pick(r, { path: "/health/x" })).toBe("d.platform.svc.cluster.local");
    expect(pick(r, { path: "/v1/items/42" })).toBe("b.platform.svc.cluster.local");
    expect(pick(r, { path: "/v1/items/42/parts" })).toBe("c.platform.svc.cluster.local"); // regex must match the whole path
    expect(pick(r, { path: "/v1/items/42?x=1" })).toBe("b.platform.svc.cluster.local"); // the query string is not part of the URI match
    expect(pick(r, { path: "/x/v1" })).toBe("d.platform.svc.cluster.local");
  });

  it("ORs match blocks, ANDs conditions, and matches headers case-insensitively by name", () => {
    const r = [vs("svc", { hosts: ["svc"], http: [
      { match: [{ method: { exact: "PUT" }, headers: { "x-tenant": { prefix: "acme-" } } }, { headers: { "x-debug": { regex: "1|true" } } }], ...to("a") },
      { match: [{ method: { regex: "GET|HEAD" }, withoutHeaders: { authorization: {} } }], ...to("anon") },
      { match: [{ uri: { prefix: "/" }, ignoreUriCase: true, queryParams: { v: { exact: "2" } } }], ...to("never") },
      to("b"),
    ] })];
    expect(pick(r, { method: "PUT", headers: { "X-Tenant": "acme-1" } })).toBe("a.platform.svc.cluster.local");
    expect(pick(r, { method: "PUT", headers: { "x-tenant": "other" } })).toBe("b.platform.svc.cluster.local");
    expect(pick(r, { method: "POST", headers: { "x-debug": "true" } })).toBe("a.platform.svc.cluster.local");
    expect(pick(r, { method: "POST", headers: { "x-debug": "yes" } })).toBe("b.platform.svc.cluster.local");
    expect(pick(r, { method: "HEAD" })).toBe("anon.platform.svc.cluster.local");
    expect(pick(r, { method: "GET", headers: { Authorization: "Bearer x" } })).toBe("b.platform.svc.cluster.local");
  });

  it("prefers an exact host over a wildcard, and picks the heaviest weighted destination", () => {
    const r = [
      vs("wild", { hosts: ["*.example.com"], gateways: ["platform/ingress"], http: [to("wild")] }),
      vs("exact", { hosts: ["api.example.com"], gateways: ["platform/ingress"], http: [{ route: [{ destination: { host: "v1", subset: "stable" }, weight: 80 }, { destination: { host: "v2" }, weight: 20 }], timeout: "5s" }] }),
    ];
    expect(evaluateRoute(r, { authority: "api.example.com", method: "GET", path: "/" })).toMatchObject({
      virtualService: "platform/exact",
      destination: { host: "v1.platform.svc.cluster.local", subset: "stable", weight: 80 },
      destinations: [{ host: "v1.platform.svc.cluster.local" }, { host: "v2.platform.svc.cluster.local" }],
    });
    expect(pick(r, { authority: "www.example.com" })).toBe("wild.platform.svc.cluster.local");
    expect(pick(r, { authority: "example.com" })).toBeUndefined();
  });
});

describe("match coverage", () => {
  it("string matches", () => {
    expect(stringMatches({ regex: "GET|HEAD" }, "HEAD")).toBe(true);
    expect(stringMatches({ regex: "GET|HEAD" }, "GETX")).toBe(false);
    expect(stringMatches({ prefix: "/API" }, "/api/x", true)).toBe(true);
    expect(stringMatchCovers({ prefix: "/v1" }, { exact: "/v1/a" })).toBe(true);
    expect(stringMatchCovers({ prefix: "/v1" }, { prefix: "/v" })).toBe(false);
    expect(stringMatchCovers({ regex: "POST|PUT" }, { exact: "PUT" })).toBe(true);
    expect(stringMatchCovers({ regex: "POST|PUT" }, { prefix: "P" })).toBe(false);
  });
  it("match blocks", () => {
    expect(matchBlockCovers({ method: { exact: "GET" } }, { method: { exact: "GET" }, uri: { prefix: "/x" } })).toBe(true);
    expect(matchBlockCovers({ method: { exact: "GET" }, uri: { prefix: "/x" } }, { method: { exact: "GET" } })).toBe(false);
    expect(matchBlockCovers({ uri: { prefix: "/" } }, { headers: { a: { exact: "1" } } })).toBe(true);
    expect(matchBlockCovers({ headers: { a: { prefix: "" } } }, { headers: { a: { exact: "1" } } })).toBe(true);
    expect(matchBlockCovers({ headers: { a: { exact: "1" } } }, { headers: { b: { exact: "1" } } })).toBe(false);
    expect(matchBlockCovers({ queryParams: { v: { exact: "1" } } }, {})).toBe(false);
  });
});
