/**
 * Renders a diff report as plain text (terminal) or Markdown (a PR comment: one table, then a
 * collapsed <details> block per changed stack, truncated to fit GitHub's comment limit).
 */
import type { AnnotatedChange, ResourceDiff, StackDiff } from "./engine";
import { policyLine, type PolicyResult } from "./policy";
import { riskLines, riskMarkdown, type Risk } from "./risk";
import { costLines, costSummary, OMITTED, type CostEstimate } from "../cost/estimate";
import { RECORDED_ON } from "../cost/prices";

export interface StackReport {
  readonly stack: string;
  /** Undefined when a synth failed (see `error`). */
  readonly diff?: StackDiff;
  readonly policy?: PolicyResult;
  /** Monthly cost estimate at head and at the base (absent for a new stack). */
  readonly cost?: { readonly head: CostEstimate; readonly base?: CostEstimate };
  readonly error?: string;
}

export interface DiffReport {
  /** What the user asked for (`origin/main`) and the commit it resolved to. */
  readonly baseRef: string;
  readonly baseCommit: string;
  readonly stacks: readonly StackReport[];
}

/** GitHub rejects comments over 65,536 characters; keep room for the sticky-comment header. */
export const MARKDOWN_LIMIT = 60_000;
/** Lines per stack before its block is cut (a huge stack must not crowd out the others). */
export const STACK_LINE_LIMIT = 300;

const OP_PREFIX: Record<ResourceDiff["op"], string> = { create: "+ ", delete: "- ", update: "~ ", replace: "+-" };

/** Compact JSON, cut at `max` characters (objects get more room: an added route should read whole). */
export function formatValue(v: unknown, max = typeof v === "object" && v !== null ? 400 : 120): string {
  if (v === undefined) return "(none)";
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function changeLine(c: AnnotatedChange): string {
  let text: string;
  if (c.recomputedFrom) {
    const [, , type, name] = c.recomputedFrom.split("::");
    const from = name ? `${type.split("$").pop()} ${name}` : c.recomputedFrom;
    text = `${c.path}: ${c.secret ? "[secret]" : "(current)"} → (recomputed: ${from} is replaced)`;
  } else if (c.secret) {
    text = `${c.path}: ${c.kind === "added" ? "(none) → [secret]" : c.kind === "removed" ? "[secret] → (none)" : "[secret] → [secret] (changed, value hidden)"}`;
  } else {
    text = `${c.path}: ${formatValue(c.old)} → ${formatValue(c.new)}`;
  }
  return c.forcesReplace ? `${text}  [forces replacement: ${c.forcesReplace}]` : text;
}

/** The lines of one stack's resource changes (diff-style prefixes). */
export function resourceLines(d: StackDiff): string[] {
  const lines: string[] = [];
  for (const r of d.resources) {
    let head = `${OP_PREFIX[r.op]} ${r.type} ${r.name}${r.op === "replace" ? (r.deleteFirst ? " (replace: delete first, fixed metadata.name)" : " (replace)") : ""}`;
    if (r.hashRoll) head += r.renamedTo ? `  (replaced by "${r.renamedTo}": content-hashed name, recreated by design)` : `  (replaces "${r.renamedFrom}": new content hash)`;
    else if (r.renamedTo) {
      const object = r.objectRenamed ? "; its metadata.name changes too, so the object is replaced either way" : "";
      head += `  (rename to "${r.renamedTo}"? the URN changes, so Pulumi deletes and recreates it; add aliases: [{ name: "${r.name}" }] to "${r.renamedTo}" to keep it${object})`;
    }
    else if (r.renamedFrom) head += `  (renamed from "${r.renamedFrom}"?)`;
    lines.push(head);
    for (const c of r.changes) lines.push(`      ${changeLine(c)}`);
  }
  return lines;
}

function countsText(d: StackDiff): string {
  const c = d.counts;
  const parts = [
    c.create && `${c.create} to create`,
    c.update && `${c.update} to update`,
    c.replace && `${c.replace} to replace`,
    c.delete && `${c.delete} to delete`,
  ].filter(Boolean);
  return parts.length === 0 ? `no changes (${c.same} resources unchanged)` : `${parts.join(", ")}, ${c.same} unchanged`;
}

/** The one-line summary of a stack. */
export function summaryLine(s: StackReport): string {
  if (!s.diff) return `${s.stack}: synth failed (${firstLine(s.error)})`;
  const base = s.diff.base === "missing" ? " [new stack: absent at the base]" : "";
  return `${s.stack}: ${countsText(s.diff)}${base}; policy: ${s.policy ? policyLine(s.policy) : "not evaluated"}`;
}

const firstLine = (s = "unknown error") => s.split("\n").find((l) => l.trim()) ?? s;

function violationLines(p: PolicyResult | undefined): string[] {
  if (!p || p.violations.length === 0) return [];
  const sorted = [...p.violations].sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1));
  return ["policy violations at head:", ...sorted.map((v) => `  [${v.level}] ${v.policy}: ${v.resource}: ${v.message}`)];
}

/** Every stack's risks, in report order. */
export const reportRisks = (report: DiffReport): Risk[] => report.stacks.flatMap((s) => s.diff?.risks ?? []);

export function renderText(report: DiffReport): string {
  const out = [`Offline diff: base ${report.baseRef} (${report.baseCommit.slice(0, 12)}) → working tree`, "", ...riskLines(reportRisks(report)), ""];
  for (const s of report.stacks) {
    out.push(`== ${summaryLine(s)}`);
    if (s.error) out.push(...s.error.split("\n").map((l) => `   ${l}`));
    if (s.cost) out.push(`   cost: ${costSummary(s.cost.head, s.cost.base)}`, ...costLines(s.cost.head).map((l) => `     ${l}`));
    if (s.diff) {
      out.push(...resourceLines(s.diff).map((l) => `   ${l}`));
      out.push(...s.diff.notes.map((n) => `   note: ${n}`));
    }
    out.push(...violationLines(s.policy).map((l) => `   ${l}`), "");
  }
  const total = report.stacks.filter((s) => s.diff && s.diff.resources.length > 0).length;
  out.push(total === 0 && report.stacks.every((s) => s.diff) ? "No changes in any stack." : `${total} of ${report.stacks.length} stacks change.`);
  return `${out.join("\n")}\n`;
}

const mdEscape = (s: string) => s.replace(/\|/g, "\\|").replace(/</g, "&lt;");
const fence = (s: string) => s.replace(/```/g, "'''");

export function renderMarkdown(report: DiffReport, limit = MARKDOWN_LIMIT): string {
  const head = [
    `### Offline preview diff: \`${mdEscape(report.baseRef)}\` (${report.baseCommit.slice(0, 7)}) → this branch`,
    "",
    "_Synthesized under Pulumi mocks (no cloud access): resource inputs only, secrets never shown. `pulumi preview` per stack is the authority when credentials are available._",
    "",
    riskMarkdown(reportRisks(report)),
    "| Stack | Create | Update | Replace | Delete | Unchanged | Policy | Monthly cost (estimate) |",
    "|---|---:|---:|---:|---:|---:|---|---|",
    ...report.stacks.map((s) => {
      if (!s.diff) return `| ${s.stack} | | | | | | ❌ synth failed | |`;
      const c = s.diff.counts;
      const policy = !s.policy ? "–" : s.policy.status === "pass" ? "✅ pass" : s.policy.status === "fail" ? "❌ fail" : "⚠️ error";
      const cost = s.cost ? mdEscape(costSummary(s.cost.head, s.cost.base)) : "–";
      return `| ${s.stack} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} | ${policy} | ${cost} |`;
    }),
    "",
    `_Cost: on-demand list prices recorded ${RECORDED_ON} (scripts/cost/prices.ts); not included: ${OMITTED.join("; ")}. \`npm run cost -- --stack <name>\` prints the breakdown._`,
    "",
  ];
  const changed = report.stacks.filter((s) => !s.diff || s.diff.resources.length > 0 || (s.policy?.violations.length ?? 0) > 0);
  if (report.stacks.every((s) => s.diff && s.diff.resources.length === 0)) head.push("**No changes** in any stack.", "");
  let out = head.join("\n");
  const omitted: string[] = [];
  for (const s of changed) {
    let lines = s.error ? s.error.split("\n") : [...resourceLines(s.diff!), ...s.diff!.notes.map((n) => `note: ${n}`), ...violationLines(s.policy)];
    let cut = 0;
    if (lines.length > STACK_LINE_LIMIT) {
      cut = lines.length - STACK_LINE_LIMIT;
      lines = lines.slice(0, STACK_LINE_LIMIT);
    }
    const block = (ls: string[], n: number) =>
      [
        `<details><summary><b>${mdEscape(s.stack)}</b>: ${mdEscape(summaryLine(s).slice(s.stack.length + 2))}</summary>`,
        "",
        "```diff",
        ...ls.map(fence),
        "```",
        ...(n > 0 ? ["", `_… ${n} more lines truncated: run \`npm run diff -- --base ${report.baseRef} --stack ${s.stack}\` for the full diff._`] : []),
        "",
        "</details>",
        "",
      ].join("\n");
    let text = block(lines, cut);
    // Over the comment limit: shorten this block to what fits, and only list the rest.
    while (out.length + text.length > limit - 500 && lines.length > 0) {
      const drop = Math.max(1, Math.ceil(lines.length / 4));
      lines = lines.slice(0, lines.length - drop);
      cut += drop;
      text = block(lines, cut);
    }
    if (out.length + text.length > limit - 500) omitted.push(summaryLine(s));
    else out += `\n${text}`;
  }
  if (omitted.length > 0) {
    out += `\n_Comment size limit reached; not shown (run \`npm run diff\` locally):_\n${omitted.map((l) => `- ${mdEscape(l)}`).join("\n")}\n`;
  }
  return out;
}
