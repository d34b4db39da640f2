import { describe, expect, it } from "vitest";
import type { SynthResource } from "../../scripts/synth/mocks";
import { diffStack } from "../../scripts/diff/engine";
import { diffValues, similarity } from "../../scripts/diff/property-diff";
import { plainPath, replaceReason } from "../../scripts/diff/replace-rules";
import { renderMarkdown, renderText, resourceLines, summaryLine, type DiffReport } from "../../scripts/diff/render";

const urn = (type: string, name: string) => `urn:pulumi:local::platform::${type}::${name}`;
const res = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<SynthResource> = {}): SynthResource => ({
  urn: urn(type, name), type, name, custom: true, inputs, ...extra,
});
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const STS = "kubernetes:apps/v1:StatefulSet";
const SECRET = "kubernetes:core/v1:Secret";
const PW = "random:index/randomPassword:RandomPassword";

describe("diffValues", () => {
  it("reports leaf changes with dotted paths, added and removed keys", () => {
    expect(diffValues({ spec: { maxReplicas: 2, minReplicas: 1, a: "x" } }, { spec: { maxReplicas: 7, minReplicas: 1, b: true } })).toEqual([
      { path: "spec.a", kind: "removed", old: "x" },
      { path: "spec.b", kind: "added", new: true },
      { path: "spec.maxReplicas", kind: "changed", old: 2, new: 7 },
    ]);
  });

  it("matches named array entries by name, so an insertion is one change", () => {
    const before = { http: [{ name: "query", timeout: "10s" }, { name: "command", timeout: "10s" }] };
    const after = { http: [{ name: "ryw", timeout: "5s" }, { name: "query", timeout: "10s" }, { name: "command", timeout: "12s" }] };
    expect(diffValues(before, after)).toEqual([
      { path: "http[name=command].timeout", kind: "changed", old: "10s", new: "12s" },
      { path: "http[name=ryw]", kind: "added", new: { name: "ryw", timeout: "5s" } },
    ]);
  });

  it("compares scalar lists whole and unnamed object lists by index", () => {
    expect(diffValues({ args: ["a", "b"] }, { args: ["a", "b", "c"] })).toEqual([{ path: "args", kind: "changed", old: ["a", "b"], new: ["a", "b", "c"] }]);
    expect(diffValues({ l: [{ x: 1 }, { x: 2 }] }, { l: [{ x: 1 }, { x: 3 }] })).toEqual([{ path: "l[1].x", kind: "changed", old: 2, new: 3 }]);
  });

  it("sees a rotated secret only through its digests and never carries a value", () => {
    const a = { stringData: { password: "[secret]" } };
    expect(diffValues(a, a)).toEqual([]);
    expect(diffValues(a, a, { oldDigests: { "stringData.password": "d1" }, newDigests: { "stringData.password": "d1" } })).toEqual([]);
    expect(diffValues(a, a, { oldDigests: { "stringData.password": "d1" }, newDigests: { "stringData.password": "d2" } })).toEqual([
      { path: "stringData.password", kind: "changed", secret: true },
    ]);
    // A value that became secret: neither side is shown.
    expect(diffValues({ v: "plain-old" }, { v: "[secret]" })).toEqual([{ path: "v", kind: "changed", secret: true }]);
  });

  it("scores rename candidates by shared leaves", () => {
    expect(similarity({ a: 1, b: 2, c: 3 }, { a: 1, b: 2, c: 4 })).toBeCloseTo(2 / 3);
    expect(similarity({ a: 1 }, { b: 1 })).toBe(0);
  });
});

describe("replace rules", () => {
  it("flags identity and immutable fields, not ordinary updates", () => {
    expect(replaceReason("kubernetes:core/v1:ConfigMap", "metadata.name")).toMatch(/identity/);
    expect(replaceReason(STS, "spec.selector.matchLabels.app")).toMatch(/replaces a StatefulSet/);
    expect(replaceReason(STS, "spec.volumeClaimTemplates[name=data].spec.resources.requests.storage")).toBeDefined();
    expect(replaceReason(STS, "spec.replicas")).toBeUndefined();
    expect(replaceReason("kubernetes:apps/v1:Deployment", "spec.template.spec.containers[name=app].image")).toBeUndefined();
    expect(replaceReason("kubernetes:batch/v1:Job", "spec.template.spec.containers[name=init].args")).toBeDefined();
    expect(replaceReason("kubernetes:core/v1:Service", "spec.clusterIP")).toBeDefined();
    expect(replaceReason("aws:elasticache/replicationGroup:ReplicationGroup", "atRestEncryptionEnabled")).toBeDefined();
    expect(replaceReason("aws:elasticache/replicationGroup:ReplicationGroup", "numCacheClusters")).toBeUndefined();
    expect(replaceReason("aws:ecr/repository:Repository", "name")).toBeDefined();
    expect(replaceReason(PW, "keepers.rotation")).toBeDefined();
    expect(replaceReason("pulumi:providers:kubernetes", "context")).toMatch(/another cluster/);
    expect(replaceReason("pulumi:providers:kubernetes", "enableServerSideApply")).toBeUndefined();
    expect(replaceReason("kubernetes:core/v1:ConfigMap", "data.A", { immutable: true })).toMatch(/immutable/);
    // The provider's defaults (enableConfigMapMutable / enableSecretMutable unset): data changes replace.
    expect(replaceReason("kubernetes:core/v1:ConfigMap", "data.A", {})).toMatch(/replaces a ConfigMap on any data change/);
    expect(replaceReason(SECRET, "stringData.password", {})).toMatch(/replaces a Secret on any data change/);
    expect(replaceReason("kubernetes:core/v1:ConfigMap", "data.A", {}, { configMaps: true, secrets: false })).toBeUndefined();
    expect(replaceReason(SECRET, "stringData.password", {}, { configMaps: false, secrets: true })).toBeUndefined();
    expect(replaceReason(SECRET, "data.x", { immutable: true }, { configMaps: true, secrets: true })).toMatch(/immutable: true/);
    expect(replaceReason("kubernetes:core/v1:ConfigMap", "metadata.labels.a", {})).toBeUndefined();
    // Rows of the provider's force-new table that were missing.
    expect(replaceReason(STS, "spec.revisionHistoryLimit")).toBeDefined();
    expect(replaceReason("kubernetes:batch/v1:Job", "spec.parallelism")).toBeDefined();
    expect(replaceReason(SECRET, "type", {}, { configMaps: true, secrets: true })).toMatch(/type is immutable/);
    expect(replaceReason("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "roleRef.name")).toBeDefined();
    expect(plainPath("spec.http[name=a].route[0].x")).toBe("spec.http.route.x");
  });
});

describe("diffStack", () => {
  const base = [
    res("pulumi:pulumi:Stack", "platform-local", {}, { custom: false }),
    res(HPA, "gateway", { metadata: { name: "gateway" }, spec: { minReplicas: 1, maxReplicas: 2 } }),
    res("kubernetes:core/v1:ConfigMap", "gateway-env", { metadata: { name: "gateway-env", labels: { a: "b" } }, data: { A: "1", B: "2", C: "3" } }),
    res(STS, "cassandra", { metadata: { name: "cassandra" }, spec: { selector: { matchLabels: { app: "cassandra" } }, replicas: 3 } }),
    res(PW, "jwt-key", { length: 32, keepers: { rotation: "1" } }),
    res(SECRET, "gateway-jwt", { metadata: { name: "gateway-jwt" }, stringData: { key: "[secret]" } }, { dependencies: { stringData: [urn(PW, "jwt-key")] } }),
  ];

  it("states no changes when nothing differs", () => {
    const d = diffStack("local", base, base);
    expect(d.resources).toEqual([]);
    expect(d.counts).toEqual({ create: 0, delete: 0, update: 0, replace: 0, same: 6 });
    expect(summaryLine({ stack: "local", diff: d })).toBe("local: no changes (6 resources unchanged); policy: not evaluated");
    const report: DiffReport = { baseRef: "main", baseCommit: "0123456789abcdef", stacks: [{ stack: "local", diff: d }] };
    expect(renderText(report)).toContain("No changes in any stack.");
    expect(renderMarkdown(report)).toContain("**No changes** in any stack.");
  });

  it("classifies update, replace, rename and a replacement's dependants", () => {
    const head = base.map((r) => {
      if (r.name === "gateway") return { ...r, inputs: { metadata: { name: "gateway" }, spec: { minReplicas: 1, maxReplicas: 7 } } };
      if (r.name === "cassandra") return { ...r, inputs: { metadata: { name: "cassandra" }, spec: { selector: { matchLabels: { app: "db" } }, replicas: 3 } } };
      if (r.name === "jwt-key") return { ...r, inputs: { length: 32, keepers: { rotation: "2" } } };
      if (r.name === "gateway-env") return res(r.type, "gateway-config", { ...r.inputs, metadata: { name: "gateway-config", labels: { a: "b" } } });
      return r;
    });
    const d = diffStack("local", base, head);
    const by = Object.fromEntries(d.resources.map((r) => [r.name, r]));
    expect(by.gateway.op).toBe("update");
    expect(by.gateway.changes).toEqual([{ path: "spec.maxReplicas", kind: "changed", old: 2, new: 7 }]);
    expect(by.cassandra.op).toBe("replace");
    expect(by["jwt-key"].op).toBe("replace");
    // A Secret's data changes: the provider replaces it (fixed name: deleted first).
    expect(by["gateway-jwt"]).toMatchObject({ op: "replace", deleteFirst: true });
    expect(by["gateway-jwt"].changes).toEqual([{ path: "stringData", kind: "changed", secret: true, recomputedFrom: urn(PW, "jwt-key"), forcesReplace: expect.stringMatching(/enableSecretMutable is not set/) }]);
    expect(by["gateway-env"]).toMatchObject({ op: "delete", renamedTo: "gateway-config" });
    expect(by["gateway-config"]).toMatchObject({ op: "create", renamedFrom: "gateway-env" });
    expect(d.counts).toEqual({ create: 1, delete: 1, update: 1, replace: 3, same: 1 });

    const lines = resourceLines(d).join("\n");
    expect(lines).toContain("+- kubernetes:apps/v1:StatefulSet cassandra (replace: delete first, fixed metadata.name)");
    expect(lines).toContain('spec.selector.matchLabels.app: "cassandra" → "db"  [forces replacement: the provider replaces a StatefulSet when its selector');
    // With the provider's mutability flags set, the Secret is updated in place.
    const withFlags = (rs: SynthResource[]) => [...rs, res("pulumi:providers:kubernetes", "kubernetes", { enableConfigMapMutable: "true", enableSecretMutable: "true" })];
    expect(diffStack("local", withFlags(base), withFlags(head)).resources.find((r) => r.name === "gateway-jwt")!.op).toBe("update");
    expect(lines).toContain('aliases: [{ name: "gateway-env" }] to "gateway-config" to keep it; its metadata.name changes too, so the object is replaced either way)');
    expect(lines).toContain("stringData: [secret] → (recomputed: random:index/randomPassword:RandomPassword jwt-key is replaced)");
  });

  it("reads a rolled content hash in a name as a replacement by design, not a rename to alias", () => {
    const JOB = "kubernetes:batch/v1:Job";
    const before = [res(JOB, "job-schema-4748c43ba2", { metadata: { name: "schema-4748c43ba2" }, spec: { template: { spec: { containers: [{ name: "cql", args: ["a"] }] } } } })];
    const after = [res(JOB, "job-schema-9f00aa1b2c", { metadata: { name: "schema-9f00aa1b2c" }, spec: { template: { spec: { containers: [{ name: "cql", args: ["b", "c"] }] } } } })];
    const d = diffStack("local", before, after);
    expect(d.resources.map((r) => [r.op, r.name, r.hashRoll])).toEqual([
      ["delete", "job-schema-4748c43ba2", true],
      ["create", "job-schema-9f00aa1b2c", true],
    ]);
    const lines = resourceLines(d).join("\n");
    expect(lines).toContain('job-schema-4748c43ba2  (replaced by "job-schema-9f00aa1b2c": content-hashed name, recreated by design)');
    expect(lines).not.toContain("aliases");
  });

  it("treats a stack absent at the base as all creates", () => {
    const d = diffStack("prod-xx", undefined, base);
    expect(d.base).toBe("missing");
    expect(d.counts.create).toBe(base.length);
    expect(summaryLine({ stack: "prod-xx", diff: d })).toContain("[new stack: absent at the base]");
  });
});

describe("markdown rendering", () => {
  it("collapses each changed stack and truncates a huge diff with a note", () => {
    const many = Array.from({ length: 2000 }, (_, i) => res("kubernetes:core/v1:ConfigMap", `cm-${i}`, { metadata: { name: `cm-${i}` }, data: { k: "x".repeat(50) } }));
    const d = diffStack("dev-us-east-1", [], many);
    const small = diffStack("local", base0(), base0());
    const md = renderMarkdown({ baseRef: "origin/main", baseCommit: "abcdef0123", stacks: [{ stack: "dev-us-east-1", diff: d }, { stack: "local", diff: small }] }, 20_000);
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toContain("<details><summary><b>dev-us-east-1</b>: 2000 to create, 0 unchanged");
    expect(md).toMatch(/_… \d+ more lines truncated: run `npm run diff -- --base origin\/main --stack dev-us-east-1` for the full diff._/);
    expect(md).toContain("| local | 0 | 0 | 0 | 0 | 1 | – |");
    expect(md).not.toContain("<b>local</b>"); // unchanged stacks get no block
  });
});

function base0(): SynthResource[] {
  return [res(HPA, "gateway", { spec: { maxReplicas: 2 } })];
}

describe("risk summary (issue 22, finding 6)", () => {
  const rack = (r: string, gi: number) => res(STS, `cassandra-${r}`, {
    metadata: { name: `cassandra-${r}`, namespace: "platform" },
    spec: { serviceName: "cassandra", selector: { matchLabels: { rack: r } }, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: `${gi}Gi` } } } }] },
  });
  const rg = (id: string) => res("aws:elasticache/replicationGroup:ReplicationGroup", "redis", { replicationGroupId: id, port: 6379 });
  const svc = (ranges?: string[]) => res("kubernetes:core/v1:Service", "ingress", { metadata: { name: "ingress", namespace: "platform" }, spec: { type: "LoadBalancer", ...(ranges ? { loadBalancerSourceRanges: ranges } : {}) } });

  it("raising Cassandra storage: every rack replaced (the data centre goes down) and the PVCs are not resized", () => {
    const d = diffStack("prod-eu-west-1", ["a", "b", "c"].map((r) => rack(r, 100)), ["a", "b", "c"].map((r) => rack(r, 200)));
    expect(d.counts.replace).toBe(3);
    const outage = d.risks.filter((r) => r.kind === "outage");
    expect(outage).toHaveLength(3);
    expect(outage[0]).toMatchObject({ stack: "prod-eu-west-1", resource: "StatefulSet platform/cassandra-a" });
    expect(outage[0].what).toContain("3 StatefulSets in this change: every rack at once, the whole data centre is down");
    expect(outage[0].procedure).toContain("kubectl delete sts <name> --cascade=orphan");
    expect(d.risks.filter((r) => r.kind === "data-loss").map((r) => r.what)).toEqual(Array(3).fill("volumeClaimTemplates change: the kept PVCs are NOT resized or changed, new pods reuse the old claims."));
    const report: DiffReport = { baseRef: "main", baseCommit: "0123456789abcdef", stacks: [{ stack: "prod-eu-west-1", diff: d }] };
    // Both renderings OPEN with the summary.
    expect(renderText(report).split("\n")[2]).toBe('Risk summary: 6 risks (6 outage/data loss: the PR needs the "risk-accepted" label to merge)');
    const md = renderMarkdown(report);
    expect(md.indexOf("**Risk summary:**")).toBeLessThan(md.indexOf("| Stack | Create |"));
    expect(md).toContain("| data loss | prod-eu-west-1 | StatefulSet platform/cassandra-a |");
  });

  it("shrinking a Cassandra rack names the node the guard decommissions first; more than one per rack is refused at deploy", () => {
    const node = (n: number) => res(STS, "cassandra-b", {
      metadata: { name: "cassandra-b", namespace: "platform" },
      spec: { replicas: n, template: { spec: { containers: [{ name: "cassandra", env: [{ name: "CASSANDRA_DC", value: "eu-west-1" }] }] } } },
    });
    expect(diffStack("prod-eu-west-1", [node(3)], [node(2)]).risks).toEqual([
      expect.objectContaining({ kind: "data-loss", resource: "StatefulSet platform/cassandra-b", what: expect.stringContaining("replicas 3 → 2: the scale-down guard Job decommissions cassandra-b-2 first") }),
    ]);
    expect(diffStack("prod-eu-west-1", [node(3)], [node(1)]).risks[0].what).toContain("refuses to remove more than one node per rack per deploy");
    expect(diffStack("prod-eu-west-1", [node(2)], [node(3)]).risks).toEqual([]);
  });

  it("an ElastiCache replacement empties the cache; a public load balancer or a wider range is a security line; a replica bump is no risk", () => {
    expect(diffStack("prod-us-east-1", [rg("a")], [rg("b")]).risks).toEqual([expect.objectContaining({ kind: "data-loss", what: expect.stringContaining("the cache is emptied and its endpoint moves") })]);
    expect(diffStack("dev-us-east-1", [], [svc()]).risks).toEqual([expect.objectContaining({ kind: "security", what: "new public load balancer open to the internet." })]);
    expect(diffStack("dev-us-east-1", [svc(["10.0.0.0/8"])], [svc(["10.0.0.0/8", "0.0.0.0/0"])]).risks).toEqual([expect.objectContaining({ kind: "security", what: "wider source ranges: adds 0.0.0.0/0." })]);
    const hpa = (n: number) => res(HPA, "gateway", { metadata: { name: "gateway" }, spec: { minReplicas: n } });
    const d = diffStack("local", [hpa(1)], [hpa(3)]);
    expect(d.risks).toEqual([]);
    expect(renderText({ baseRef: "main", baseCommit: "0123456789abcdef", stacks: [{ stack: "local", diff: d }] })).toContain("Risk summary: no outage, data-loss or security-broadening change.");
  });
});
