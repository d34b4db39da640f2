/**
 * Property-level diff of two resources' inputs (pure). Paths read like the objects they point
 * into: `spec.maxReplicas`, `spec.template.spec.containers[name=gateway].image`; arrays of
 * named objects (containers, env, ports, routes) are matched by name, so inserting one entry
 * reports that entry, not every index after it.
 */

/** The recorder's placeholder for a secret value (scripts/synth/mocks.ts). */
export const SECRET_MASK = "[secret]";

export interface PropertyChange {
  /** Display path, e.g. `spec.http[name=query].route[0].destination.host`. */
  readonly path: string;
  readonly kind: "added" | "removed" | "changed";
  readonly old?: unknown;
  readonly new?: unknown;
  /** The value is secret: render "[secret]" and never the value. */
  readonly secret?: boolean;
}

/** Digests of secret values by raw path (`a.b[0].c`), as recorded by scripts/synth/secret-digest.ts. */
export type SecretDigests = Readonly<Record<string, string>>;

export interface DiffOptions {
  readonly oldDigests?: SecretDigests;
  readonly newDigests?: SecretDigests;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Unique string `name` on every element: match elements by it. */
function namedKeys(arr: readonly unknown[]): string[] | undefined {
  const names = arr.map((e) => (isObject(e) && typeof e.name === "string" ? e.name : undefined));
  if (names.some((n) => n === undefined) || new Set(names).size !== names.length) return undefined;
  return names as string[];
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Every leaf-level difference between `a` (base) and `b` (head). */
export function diffValues(a: unknown, b: unknown, opts: DiffOptions = {}): PropertyChange[] {
  const out: PropertyChange[] = [];
  walk(a, b, "", "", "", opts, out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, rawA: string, rawB: string, opts: DiffOptions, out: PropertyChange[]): void {
  if (a === SECRET_MASK || b === SECRET_MASK) {
    const secretBoth = a === SECRET_MASK && b === SECRET_MASK;
    if (secretBoth) {
      // Both masked: changed only when both sides recorded digests and they differ.
      const da = opts.oldDigests?.[rawA];
      const db = opts.newDigests?.[rawB];
      if (da !== undefined && db !== undefined && da !== db) out.push({ path, kind: "changed", secret: true });
      return;
    }
    const kind = a === undefined ? "added" : b === undefined ? "removed" : "changed";
    // Secret on one side only: never show either value (the plain side may be the old secret).
    out.push({ path, kind, secret: true });
    return;
  }
  if (a === b && (typeof a !== "object" || a === null)) return; // objects: secret digests below may still differ
  if (a === undefined || b === undefined) {
    out.push(a === undefined ? { path, kind: "added", new: b } : { path, kind: "removed", old: a });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) return walkArrays(a, b, path, rawA, rawB, opts, out);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], join(path, k), join(rawA, k), join(rawB, k), opts, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, kind: "changed", old: a, new: b });
}

function walkArrays(a: unknown[], b: unknown[], path: string, rawA: string, rawB: string, opts: DiffOptions, out: PropertyChange[]): void {
  const primitive = (arr: unknown[]) => arr.every((e) => !isObject(e) && !Array.isArray(e) && e !== SECRET_MASK);
  if (primitive(a) && primitive(b)) {
    // Lists of scalars (args, hosts, subnet ids) read best whole: [a, b] → [a, b, c].
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, kind: "changed", old: a, new: b });
    return;
  }
  const na = namedKeys(a);
  const nb = namedKeys(b);
  if (na && nb) {
    const names = [...na, ...nb.filter((n) => !na.includes(n))];
    for (const n of names) {
      const ia = na.indexOf(n);
      const ib = nb.indexOf(n);
      walk(ia < 0 ? undefined : a[ia], ib < 0 ? undefined : b[ib], `${path}[name=${n}]`, `${rawA}[${ia}]`, `${rawB}[${ib}]`, opts, out);
    }
    return;
  }
  for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, `${rawA}[${i}]`, `${rawB}[${i}]`, opts, out);
}

/** Share of leaf values two input objects have in common (0..1), for rename detection. */
export function similarity(a: unknown, b: unknown): number {
  const la = leaves(a);
  const lb = leaves(b);
  if (la.size === 0 && lb.size === 0) return 1;
  let same = 0;
  for (const [k, v] of la) if (lb.get(k) === v) same++;
  return same / Math.max(la.size, lb.size);
}

function leaves(v: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(v)) v.forEach((e, i) => leaves(e, `${path}[${i}]`, out));
  else if (isObject(v)) for (const [k, e] of Object.entries(v)) leaves(e, join(path, k), out);
  else out.set(path, JSON.stringify(v));
  return out;
}
