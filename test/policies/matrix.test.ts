/**
 * The matrix: every shipped stack, synthesized once, has zero mandatory violations, and real
 * requests route where the design says (public host → gateway; telemetry host: reads → query,
 * writes and read-your-writes → command).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_STACKS, synthStack } from "../../scripts/synth";
import { evaluatePolicies, fromSynth } from "../../policies/core/evaluate";
import { packConfigFor, resolvedConfigFor } from "../../policies/core/stack-config";
import type { ResourceLike } from "../../policies/core/types";
import { PLATFORM_POLICIES } from "../../policies/policy-list";
import { evaluateRoute } from "../../policies/routing/evaluate";
import { shortName } from "../../policies/routing/hosts";

const synthesized = new Map<string, ResourceLike[]>();

beforeAll(async () => {
  // One child process per stack; sequential keeps the two cores for vitest itself.
  for (const stack of SHIPPED_STACKS) synthesized.set(stack, fromSynth((await synthStack(stack)).resources));
});

describe.each([...SHIPPED_STACKS])("stack %s", (stack) => {
  it("has zero mandatory policy violations", () => {
    const violations = evaluatePolicies(synthesized.get(stack)!, PLATFORM_POLICIES, packConfigFor(stack))
      .filter((v) => v.enforcementLevel === "mandatory")
      .map((v) => `${v.policy}: ${v.resource}: ${v.message}`);
    expect(violations).toEqual([]);
  });

  it("routes the public host to the gateway and the telemetry host by CQRS", () => {
    const resources = synthesized.get(stack)!;
    const cfg = resolvedConfigFor(stack);
    const dest = (authority: string, method: string, headers: Record<string, string> = {}, context?: string) => {
      const d = evaluateRoute(resources, { authority, method, path: "/v1/events", headers }, { context });
      return d?.destination ? shortName(d.destination.host) : undefined;
    };
    const mesh = `${cfg.telemetry.host}.${cfg.namespace}.svc.cluster.local`;
    expect({
      publicGet: dest(cfg.gateway.publicHost, "GET"),
      publicPost: dest(cfg.gateway.publicHost, "POST"),
      get: dest(mesh, "GET", {}, "mesh"),
      head: dest(mesh, "HEAD", {}, "mesh"),
      post: dest(mesh, "POST", {}, "mesh"),
      put: dest(mesh, "PUT", {}, "mesh"),
      patch: dest(mesh, "PATCH", {}, "mesh"),
      delete: dest(mesh, "DELETE", {}, "mesh"),
      readYourWrites: dest(mesh, "GET", { "x-read-your-writes": "true" }, "mesh"),
      shortName: dest(cfg.telemetry.host, "GET", {}, "mesh"),
    }).toEqual({
      publicGet: "gateway",
      publicPost: "gateway",
      get: "telemetry-query",
      head: "telemetry-query",
      post: "telemetry-command",
      put: "telemetry-command",
      patch: "telemetry-command",
      delete: "telemetry-command",
      readYourWrites: "telemetry-command",
      shortName: "telemetry-query",
    });
  });
});
