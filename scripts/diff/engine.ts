/**
 * Stack diff engine (pure): two synth results → what `pulumi up` would do, per resource.
 * A resource's identity is its URN, so a renamed resource (or a renamed parent) is a delete
 * plus a create; the engine says so and suggests `aliases`.
 */
import type { SynthResource } from "../synth/mocks";
import { diffValues, similarity, type PropertyChange } from "./property-diff";
import { kubeMutability, replaceReason, type KubeMutability } from "./replace-rules";
import { assessRisks, type PlannedChange, type Risk } from "./risk";

export type Operation = "create" | "delete" | "update" | "replace";

export interface AnnotatedChange extends PropertyChange {
  /** Why this change forces a replacement, when it does. */
  readonly forcesReplace?: string;
  /** The value will be recomputed because a resource it comes from is replaced. */
  readonly recomputedFrom?: string;
}

export interface ResourceDiff {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: Operation;
  /** Property changes (update/replace only). */
  readonly changes: readonly AnnotatedChange[];
  /** For a delete/create pair that looks like a rename: the other side's name. */
  readonly renamedFrom?: string;
  readonly renamedTo?: string;
  /** The rename only changes a content hash suffix (`job-schema-4748c43ba2`): replaced by design. */
  readonly hashRoll?: boolean;
  /** The pair's Kubernetes metadata.name differs too: an alias keeps the URN, not the object. */
  readonly objectRenamed?: boolean;
  /** A replaced Kubernetes object with a fixed metadata.name: the provider deletes it before creating the new one. */
  readonly deleteFirst?: boolean;
}

export interface StackDiff {
  readonly stack: string;
  /** `missing` when the stack does not exist at the base (new stack): everything is a create. */
  readonly base: "present" | "missing";
  readonly resources: readonly ResourceDiff[];
  readonly counts: Readonly<Record<Operation | "same", number>>;
  /** Caveats about the comparison itself (e.g. the base recorded no secret digests). */
  readonly notes: readonly string[];
  /** Outage, data-loss and security-broadening changes (./risk.ts). */
  readonly risks: readonly Risk[];
}

/** Minimal share of equal inputs for a delete + create of one type to read as a rename. */
const RENAME_SIMILARITY = 0.6;

/** Diffs `base` (undefined = stack absent at base) against `head`. */
export function diffStack(stack: string, base: readonly SynthResource[] | undefined, head: readonly SynthResource[]): StackDiff {
  const before = new Map((base ?? []).map((r) => [r.urn, r]));
  const after = new Map(head.map((r) => [r.urn, r]));
  const diffs = new Map<string, ResourceDiff>();
  const mutability = kubeMutability(head);

  for (const [urn, h] of after) {
    const b = before.get(urn);
    if (!b) {
      diffs.set(urn, { urn, type: h.type, name: h.name, op: "create", changes: [] });
      continue;
    }
    const changes: AnnotatedChange[] = diffValues(b.inputs, h.inputs, { oldDigests: b.secretDigests, newDigests: h.secretDigests }).map((c) => {
      const forcesReplace = replaceReason(h.type, c.path, b.inputs, mutability);
      return forcesReplace ? { ...c, forcesReplace } : c;
    });
    if (changes.length > 0) diffs.set(urn, { urn, type: h.type, name: h.name, op: changes.some((c) => c.forcesReplace) ? "replace" : "update", changes });
  }
  for (const [urn, b] of before) if (!after.has(urn)) diffs.set(urn, { urn, type: b.type, name: b.name, op: "delete", changes: [] });

  propagateReplacements(diffs, after, before, mutability);
  // The Kubernetes provider deletes first when the object is not auto-named and keeps its name and
  // namespace (pulumi-kubernetes provider.go Diff: deleteBeforeReplace).
  const meta = (r: SynthResource | undefined) => (r?.inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const deleteFirst = (urn: string) => {
    const [b, h] = [meta(before.get(urn)), meta(after.get(urn))];
    return h.name !== undefined && h.name === b.name && h.namespace === b.namespace;
  };
  const paired = pairRenames([...diffs.values()], before, after).map((d) =>
    d.op === "replace" && d.type.startsWith("kubernetes:") && deleteFirst(d.urn) ? { ...d, deleteFirst: true } : d,
  );
  const resources = paired.sort((x, y) => x.urn.localeCompare(y.urn));
  const counts = { create: 0, delete: 0, update: 0, replace: 0, same: 0 };
  for (const r of resources) counts[r.op]++;
  counts.same = [...after.keys()].filter((u) => before.has(u) && !diffs.has(u)).length;
  const notes: string[] = [];
  if (base && base.length > 0 && !base.some((r) => r.secretDigests) && head.some((r) => r.secretDigests)) {
    notes.push("the base recorded no secret digests (its synth predates them): a rotated secret value is not detected");
  }
  const planned: PlannedChange[] = resources.map((r) => ({
    urn: r.urn, type: r.type, name: r.name, op: r.op, paths: r.changes.map((c) => c.path),
    old: before.get(r.urn)?.inputs, new: after.get(r.urn)?.inputs,
  }));
  return { stack, base: base ? "present" : "missing", resources, counts, notes, risks: assessRisks(stack, planned) };
}

/**
 * A replaced resource gets new outputs (a regenerated password, a new id), so every input that
 * depends on it will change too, as `pulumi preview` shows with `output<...>`. Needs the
 * recorded `dependencies` (diff mode of the synth).
 */
function propagateReplacements(diffs: Map<string, ResourceDiff>, after: Map<string, SynthResource>, before: Map<string, SynthResource>, mutability: KubeMutability): void {
  const replaced = new Set([...diffs.values()].filter((d) => d.op === "replace").map((d) => d.urn));
  // Transitively: a dependant that is itself replaced passes it on.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [urn, h] of after) {
      if (!before.has(urn) || !h.dependencies) continue;
      const existing = diffs.get(urn);
      const extra: AnnotatedChange[] = [];
      for (const [prop, deps] of Object.entries(h.dependencies)) {
        const from = deps.find((d) => replaced.has(d));
        if (!from || existing?.changes.some((c) => c.recomputedFrom && c.path === prop)) continue;
        const secret = JSON.stringify(h.inputs[prop] ?? null).includes('"[secret]"');
        const forcesReplace = replaceReason(h.type, prop, before.get(urn)!.inputs, mutability);
        extra.push({ path: prop, kind: "changed", secret, recomputedFrom: from, ...(forcesReplace ? { forcesReplace } : {}) });
      }
      if (extra.length === 0) continue;
      const changes = [...(existing?.changes ?? []), ...extra];
      const op: Operation = changes.some((c) => c.forcesReplace) ? "replace" : "update";
      diffs.set(urn, { urn, type: h.type, name: h.name, op, changes });
      if (op === "replace" && !replaced.has(urn)) {
        replaced.add(urn);
        changed = true;
      }
    }
  }
}

/** `job-schema-4748c43ba2` → `job-schema`: names that end in a content hash roll on purpose. */
const hashPrefix = (name: string) => /^(.+)-[0-9a-f]{6,}$/.exec(name)?.[1];

/** Marks delete + create pairs of one type with mostly equal inputs (or a rolled hash) as a rename. */
function pairRenames(all: ResourceDiff[], before: Map<string, SynthResource>, after: Map<string, SynthResource>): ResourceDiff[] {
  const creates = all.filter((d) => d.op === "create");
  const taken = new Set<string>();
  const out = new Map(all.map((d) => [d.urn, d]));
  for (const del of all.filter((d) => d.op === "delete")) {
    const old = before.get(del.urn)!;
    let best: { d: ResourceDiff; score: number; hashRoll: boolean } | undefined;
    for (const c of creates) {
      if (c.type !== del.type || taken.has(c.urn)) continue;
      const prefix = hashPrefix(del.name);
      const hashRoll = prefix !== undefined && prefix === hashPrefix(c.name);
      const score = hashRoll ? 2 : similarity(old.inputs, after.get(c.urn)!.inputs);
      if (score >= RENAME_SIMILARITY && (!best || score > best.score)) best = { d: c, score, hashRoll };
    }
    if (!best) continue;
    taken.add(best.d.urn);
    const kubeName = (r: SynthResource | undefined) => (r?.inputs.metadata as { name?: unknown } | undefined)?.name;
    const objectRenamed = kubeName(old) !== kubeName(after.get(best.d.urn));
    const roll = { ...(best.hashRoll ? { hashRoll: true } : {}), ...(objectRenamed ? { objectRenamed: true } : {}) };
    out.set(del.urn, { ...del, renamedTo: best.d.name, ...roll });
    out.set(best.d.urn, { ...best.d, renamedFrom: del.name, ...roll });
  }
  return [...out.values()];
}

/** Whether anything changes. */
export const hasChanges = (d: StackDiff) => d.resources.length > 0;
