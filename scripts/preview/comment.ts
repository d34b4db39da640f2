/**
 * The per-stack PR comment of an engine preview, built from `pulumi preview --event-log` and the
 * step's outcome — posted on success AND failure (pulumi/actions comments only on success, so a
 * failed preview used to leave the previous push's comment looking current). It opens with the
 * risk summary (../diff/risk.ts), then the policy section: mandatory, advisory and "could not
 * run" (the SDK's advisory for unknown values), and carries a marker naming the commit.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { assessRisks, riskMarkdown, type PlannedChange, type Risk } from "../diff/risk";

export type Outcome = "success" | "failure" | "cancelled" | "skipped" | "new-stack";

export interface PreviewInput {
  readonly stack: string;
  /** The PR head commit the preview ran on. */
  readonly sha: string;
  /** The preview step's outcome (`steps.<id>.outcome`), or `new-stack` when the stack does not exist yet. */
  readonly outcome: Outcome;
  /** The engine's event log (JSON lines); empty when the preview never started. */
  readonly events: readonly EngineEvent[];
  /** Link to the run's log. */
  readonly runUrl?: string;
  /** Stacks this one reads through StackReferences (a joining prod region's founder and peers). */
  readonly peers?: readonly string[];
}

export interface PolicyLine {
  readonly level: "mandatory" | "advisory" | "could not run";
  readonly policy: string;
  readonly urn?: string;
  readonly message: string;
}

export interface PreviewSummary {
  readonly outcome: Outcome;
  /** Why the outcome is a failure even though the engine exited 0 (e.g. no server-side validation). */
  readonly forcedFailure?: string;
  readonly changes: Readonly<Record<string, number>>;
  readonly risks: readonly Risk[];
  readonly policies: readonly PolicyLine[];
  readonly errors: readonly string[];
}

/** The marker the comment carries: which stack and commit it describes. */
export const marker = (stack: string, sha: string) => `<!-- platform-preview stack=${stack} sha=${sha} -->`;

/** The Kubernetes provider's message when it cannot reach the cluster (it then skips server-side validation). */
const UNREACHABLE = /cluster is unreachable|unreachable cluster|failed to contact the cluster|unable to (?:connect|load schema)/i;

const OPS: Record<string, PlannedChange["op"] | undefined> = {
  create: "create", update: "update", replace: "replace", "create-replacement": "replace", "delete-replaced": "replace",
  "discard-replaced": "replace", delete: "delete", "read-replacement": "replace",
};

/** Reads the event log: planned operations, risks, policy diagnostics, errors. */
export function summarize(input: PreviewInput): PreviewSummary {
  const planned = new Map<string, PlannedChange>();
  const policies: PolicyLine[] = [];
  const errors: string[] = [];
  let unreachable: string | undefined;
  for (const e of input.events) {
    const m = e.resourcePreEvent?.metadata;
    const op = m ? OPS[m.op] : undefined;
    if (m && op && m.type !== "pulumi:pulumi:Stack") {
      const prev = planned.get(m.urn);
      planned.set(m.urn, {
        urn: m.urn, type: m.type, name: m.urn.split("::").pop() ?? m.urn,
        op: prev?.op === "replace" ? "replace" : op,
        paths: [...(prev?.paths ?? []), ...(m.diffs ?? []), ...Object.keys(m.detailedDiff ?? {})],
        old: prev?.old ?? m.old?.inputs, new: m.new?.inputs ?? prev?.new,
      });
    }
    const p = e.policyEvent;
    if (p) {
      const cannot = /can't run policy/.test(p.message);
      policies.push({ level: cannot ? "could not run" : p.enforcementLevel === "mandatory" ? "mandatory" : "advisory", policy: p.policyName, urn: p.resourceUrn, message: p.message.trim() });
    }
    const d = e.diagnosticEvent;
    if (d && (d.severity === "error" || d.severity === "warning") && UNREACHABLE.test(d.message)) unreachable ??= d.message.trim();
    if (d && d.severity === "error") errors.push(d.message.trim());
  }
  const changes: Record<string, number> = {};
  for (const c of planned.values()) changes[c.op] = (changes[c.op] ?? 0) + 1;
  return {
    outcome: unreachable && input.outcome === "success" ? "failure" : input.outcome,
    ...(unreachable ? { forcedFailure: `the cluster was unreachable, so the Kubernetes provider skipped server-side validation: ${unreachable.split("\n")[0]}` } : {}),
    changes,
    risks: assessRisks(input.stack, [...planned.values()]),
    policies,
    errors,
  };
}

const HEADLINE: Record<Outcome, string> = {
  success: "✅ preview succeeded",
  failure: "❌ preview FAILED",
  cancelled: "⚪ preview cancelled",
  skipped: "⚪ preview did not run",
  "new-stack": "🆕 new stack: not in the backend yet (the deploy creates it; see the offline diff)",
};

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");
const short = (urn?: string) => (urn ? urn.split("::").slice(-2).join(" ") : "(stack)");

/** The comment's Markdown. */
export function renderComment(input: PreviewInput, s = summarize(input)): string {
  const counts = Object.entries(s.changes).map(([op, n]) => `${n} to ${op}`).join(", ") || "no changes";
  const out = [
    marker(input.stack, input.sha),
    `### \`pulumi preview\` of \`${input.stack}\` at ${input.sha.slice(0, 7)}: ${HEADLINE[s.outcome]}`,
    "",
    ...(s.forcedFailure ? [`**Failed:** ${esc(s.forcedFailure)}`, ""] : []),
    ...(input.peers?.length
      ? [`_Previewed against the **deployed** ${input.peers.map((p) => `\`${p}\``).join(", ")} (StackReference outputs: seeds, passwords), not against this PR's version of them; the deploy re-previews this stack after those are up._`, ""]
      : []),
    riskMarkdown(s.risks),
    `**Changes:** ${counts}.`,
    "",
  ];
  const by = (level: PolicyLine["level"]) => s.policies.filter((p) => p.level === level);
  const mandatory = by("mandatory");
  const advisory = by("advisory");
  const cannot = by("could not run");
  out.push(`**Policies:** ${mandatory.length} mandatory violation(s), ${advisory.length} advisory, ${cannot.length} could not run${s.outcome === "failure" || s.outcome === "success" ? "" : " (the pack did not run to completion)"}.`, "");
  if (s.policies.length > 0) {
    out.push("| Level | Policy | Resource | Message |", "|---|---|---|---|");
    for (const p of [...mandatory, ...advisory, ...cannot]) out.push(`| ${p.level} | ${p.policy} | ${esc(short(p.urn))} | ${esc(p.message)} |`);
    out.push("");
  }
  if (s.errors.length > 0) out.push("<details><summary>Errors</summary>", "", "```", ...s.errors.slice(0, 20).map((e) => e.replace(/```/g, "'''")), "```", "", "</details>", "");
  if (input.runUrl) out.push(`[Full log](${input.runUrl}) · this comment describes commit ${input.sha}; a newer push replaces it.`);
  return `${out.join("\n")}\n`;
}
