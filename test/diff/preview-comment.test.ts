/** The engine preview's PR comment (issue 22, findings 4, 6, 9): always posted, risk first, policies, commit marker. */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { marker, renderComment, summarize } from "../../scripts/preview/comment";

const STS = "kubernetes:apps/v1:StatefulSet";
const urn = (type: string, name: string) => `urn:pulumi:prod-eu-west-1::platform::${type}::${name}`;
const sts = (gi: number) => ({ metadata: { name: "cassandra-a", namespace: "platform" }, spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: `${gi}Gi` } } } }] } });
/** Events as `pulumi preview --event-log` writes them (automation API EngineEvent shapes). */
const EVENTS: any[] = [
  { sequence: 1, timestamp: 1, resourcePreEvent: { planning: true, metadata: { op: "replace", urn: urn(STS, "cassandra-a"), type: STS, provider: "", diffs: ["spec"], old: { type: STS, urn: urn(STS, "cassandra-a"), id: "x", parent: "", provider: "", inputs: sts(100), outputs: {} }, new: { type: STS, urn: urn(STS, "cassandra-a"), id: "", parent: "", provider: "", inputs: sts(200), outputs: {} }, detailedDiff: { "spec.volumeClaimTemplates[0].spec.resources.requests.storage": { diffKind: "update-replace", inputDiff: true } } } } },
  { sequence: 2, timestamp: 1, policyEvent: { resourceUrn: urn("kubernetes:core/v1:ConfigMap", "gateway"), message: "Checks that no ConfigMap entry …\ndata \"CASSANDRA_PASSWORD\" holds a value under secret-like name in plain text. Fix: …", color: "never", policyName: "platform-k8s-no-plaintext-secrets", policyPackName: "platform", policyPackVersion: "0.1.0", policyPackVersionTag: "0.1.0", enforcementLevel: "mandatory" } },
  { sequence: 3, timestamp: 1, policyEvent: { resourceUrn: urn("kubernetes:core/v1:ConfigMap", "gateway"), message: "can't run policy 'platform-k8s-no-plaintext-secrets' from policy pack 'platform@v0.1.0' during preview: not checked, unknown until the update: data \"REDIS_HOST\"", color: "never", policyName: "platform-k8s-no-plaintext-secrets", policyPackName: "platform", policyPackVersion: "0.1.0", policyPackVersionTag: "0.1.0", enforcementLevel: "warning" } },
  { sequence: 4, timestamp: 1, diagnosticEvent: { message: "error: preview failed", color: "never", severity: "error" } },
];

describe("engine preview comment", () => {
  it("a failed preview still gets a comment: outcome, risk summary first, every policy line, the commit marker", () => {
    const md = renderComment({ stack: "prod-eu-west-1", sha: "abcdef1234567890", outcome: "failure", events: EVENTS, runUrl: "https://ci/run/1" });
    expect(md.split("\n")[0]).toBe(marker("prod-eu-west-1", "abcdef1234567890"));
    expect(md).toContain("### `pulumi preview` of `prod-eu-west-1` at abcdef1: ❌ preview FAILED");
    expect(md.indexOf("**Risk summary:**")).toBeLessThan(md.indexOf("**Policies:**"));
    expect(md).toContain("| outage | prod-eu-west-1 | StatefulSet platform/cassandra-a |");
    expect(md).toContain("| data loss | prod-eu-west-1 | StatefulSet platform/cassandra-a | volumeClaimTemplates change");
    expect(md).toContain("**Policies:** 1 mandatory violation(s), 0 advisory, 1 could not run.");
    expect(md).toContain("| mandatory | platform-k8s-no-plaintext-secrets | kubernetes:core/v1:ConfigMap gateway |");
    expect(md).toContain("| could not run | platform-k8s-no-plaintext-secrets |");
    expect(md).toContain("this comment describes commit abcdef1234567890");
    expect(md).not.toContain("Previewed against the **deployed**");
    expect(renderComment({ stack: "prod-eu-west-1", sha: "abcdef1", outcome: "success", events: [], peers: ["prod-us-east-1"] })).toContain("Previewed against the **deployed** `prod-us-east-1`");
  });

  it("a preview that never started (or a new stack) still says so", () => {
    expect(renderComment({ stack: "dev-us-east-1", sha: "1234567", outcome: "skipped", events: [] })).toContain("⚪ preview did not run");
    expect(renderComment({ stack: "prod-sa-east-1", sha: "1234567", outcome: "new-stack", events: [] })).toContain("🆕 new stack");
  });

  it("an unreachable cluster turns a green preview red (no server-side validation), and the CLI exits 1", () => {
    const events = [{ sequence: 1, timestamp: 1, diagnosticEvent: { message: "configured Kubernetes cluster is unreachable: dial tcp 10.0.0.1:443: i/o timeout", color: "never", severity: "warning" } }];
    const s = summarize({ stack: "dev-us-east-1", sha: "1234567", outcome: "success", events: events as any });
    expect(s.outcome).toBe("failure");
    expect(s.forcedFailure).toMatch(/skipped server-side validation/);
    const dir = mkdtempSync(join(tmpdir(), "preview-comment-"));
    writeFileSync(join(dir, "events.jsonl"), events.map((e) => JSON.stringify(e)).join("\n"));
    const r = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "..", "..", "scripts", "preview", "cli.ts"), "--stack", "dev-us-east-1", "--sha", "1234567", "--outcome", "success", "--events", join(dir, "events.jsonl"), "--out", join(dir, "c.md")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(execFileSync("cat", [join(dir, "c.md")], { encoding: "utf8" })).toContain("❌ preview FAILED");
  });
});
