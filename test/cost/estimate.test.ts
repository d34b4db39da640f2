/**
 * The monthly cost estimate (scripts/cost): what it counts from a synthesized stack, its delta
 * for a change, and that it never guesses a price the table lacks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fromSynth } from "../../policies/core/evaluate";
import type { ResourceLike } from "../../policies/core/types";
import { costLines, costSummary, estimateStackCost } from "../../scripts/cost/estimate";
import { HOURS_PER_MONTH, REGION_PRICES } from "../../scripts/cost/prices";
import { renderMarkdown, renderText, type DiffReport } from "../../scripts/diff/render";
import { synthStack } from "../../scripts/synth";
import { clone } from "../policies/fixtures";

let prod: ResourceLike[];
beforeAll(async () => {
  prod = fromSynth((await synthStack("prod-eu-west-1")).resources);
}, 120_000);

const eu = REGION_PRICES["eu-west-1"];
const itemOf = (e: ReturnType<typeof estimateStackCost>, prefix: string) => e.lines.find((l) => l.item.startsWith(prefix));

describe("estimateStackCost", () => {
  it("prices prod-eu-west-1: ElastiCache nodes, the Cassandra volumes, the node group, the Vercel plan", () => {
    const e = estimateStackCost("prod-eu-west-1", prod, { vercelPlan: "pro" });
    expect(itemOf(e, "ElastiCache")).toEqual({ item: "ElastiCache cache.r7g.xlarge", quantity: `3 node(s) × ${HOURS_PER_MONTH} h`, monthlyUsd: Math.round(3 * HOURS_PER_MONTH * eu.cacheNodeHour["cache.r7g.xlarge"] * 100) / 100 });
    // 3 Cassandra nodes × 1000 GiB of gp3 (StorageClass gp3-encrypted).
    expect(itemOf(e, "EBS")).toEqual({ item: "EBS gp3", quantity: "3000 GiB-month", monthlyUsd: 3000 * eu.ebsGiBMonth.gp3 });
    const ec2 = itemOf(e, "EC2 r6i.4xlarge")!;
    expect(ec2.quantity).toMatch(/^\d+ node\(s\) × 730 h for [\d.]+ vCPU, [\d.]+ GiB requested$/);
    expect(Number(ec2.quantity.split(" ")[0])).toBeGreaterThanOrEqual(6); // the prod floor: 2 per zone × 3 zones
    expect(itemOf(e, "Vercel")).toEqual({ item: "Vercel pro plan", quantity: "1 seat", monthlyUsd: 20 });
    expect(e.unpriced).toEqual([]);
    expect(e.totalUsd).toBeCloseTo(e.lines.reduce((s, l) => s + (l.monthlyUsd ?? 0), 0), 2);
  });

  it("shows the delta of raising storageGiB (every volume of the data centre) in the summary", () => {
    const head = clone(prod);
    for (const sts of head.filter((r) => r.props.kind === "StatefulSet")) {
      for (const claim of sts.props.spec.volumeClaimTemplates ?? []) claim.spec.resources.requests.storage = "2000Gi";
    }
    const base = estimateStackCost("prod-eu-west-1", prod);
    const after = estimateStackCost("prod-eu-west-1", head);
    const delta = 3000 * eu.ebsGiBMonth.gp3; // 3 more TiB-ish: 3 × 1000 GiB more
    expect(after.totalUsd - base.totalUsd).toBeCloseTo(delta, 2);
    expect(costSummary(after, base)).toContain(`, +$${delta.toFixed(2)})`);
    expect(costSummary(base, base)).toContain("±$0.00");
  });

  it("a price missing from the table is reported as unpriced, never guessed", () => {
    const e = estimateStackCost("prod-eu-north-1", prod);
    expect(e.lines.every((l) => l.monthlyUsd === undefined || l.item.startsWith("Vercel"))).toBe(true);
    expect(e.unpriced).toEqual(expect.arrayContaining(["ElastiCache cache.r7g.xlarge", "EBS gp3"]));
    expect(costSummary(e)).toMatch(/not priced: ElastiCache cache\.r7g\.xlarge/);
    expect(costLines(e)[0]).toContain("no price in scripts/cost/prices.ts");
  });

  it("local costs nothing; each LoadBalancer Service is one NLB (prod already has the public CQL one)", () => {
    expect(estimateStackCost("local", prod).lines.filter((l) => !l.item.startsWith("Vercel"))).toEqual([]);
    expect(itemOf(estimateStackCost("prod-eu-west-1", prod), "Network Load Balancer")).toEqual({ item: "Network Load Balancer", quantity: "1 × 730 h", monthlyUsd: Math.round(HOURS_PER_MONTH * eu.nlbHour * 100) / 100 });
    const withLb = [...prod, { urn: "urn:x", type: "kubernetes:core/v1:Service", name: "other", props: { kind: "Service", apiVersion: "v1", metadata: { name: "other" }, spec: { type: "LoadBalancer" } } }];
    expect(itemOf(estimateStackCost("prod-eu-west-1", withLb), "Network Load Balancer")?.monthlyUsd).toBeCloseTo(2 * HOURS_PER_MONTH * eu.nlbHour, 2);
  });

  it("the offline diff's text and Markdown carry the estimate and its delta", () => {
    const head = estimateStackCost("prod-eu-west-1", prod);
    const base = { ...head, totalUsd: head.totalUsd - 100 };
    const report: DiffReport = {
      baseRef: "main",
      baseCommit: "0123456789abcdef",
      stacks: [{ stack: "prod-eu-west-1", diff: { stack: "prod-eu-west-1", base: "present", resources: [], counts: { create: 0, update: 0, replace: 0, delete: 0, same: 9 }, notes: [], risks: [] } as never, cost: { head, base } }],
    };
    expect(renderText(report)).toContain(`   cost: ${costSummary(head, base)}`);
    expect(costSummary(head, base)).toContain("+$100.00)");
    const md = renderMarkdown(report);
    expect(md).toContain("| Monthly cost (estimate) |");
    expect(md).toMatch(/\| ≈ \$[\d,.]+\/month \(base \$[\d,.]+, \+\$100\.00\) \|/);
    expect(md).toContain("on-demand list prices recorded");
  });
});
