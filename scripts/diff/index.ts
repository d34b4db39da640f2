/**
 * Offline preview diff (issue #6): each stack synthesized at a base git ref and at the working
 * tree, compared resource by resource, with the policy pack's verdict at head. For forks and CI
 * without cloud credentials; `pulumi preview --diff` remains the authority where it can run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { synthStack, type SynthResult } from "../synth";
import { SECRET_DIGEST_KEY_ENV } from "../synth/secret-digest";
import { defaultCacheDir, digestKey, repoRoot, resolveCommit, synthAtCommit, type Synth } from "./base-tree";
import { peerFeedSupported, synthInOrder, synthPlan } from "./peers";
import { diffStack } from "./engine";
import { evaluateHeadPolicies } from "./policy";
import { fromSynth } from "../../policies/core/evaluate";
import { packValuesFor } from "../../policies/core/stack-config";
import { estimateStackCost } from "../cost/estimate";
import type { DiffReport, StackReport } from "./render";

export { diffStack, type StackDiff, type ResourceDiff } from "./engine";
export { renderMarkdown, renderText, summaryLine, type DiffReport, type StackReport } from "./render";

export interface OfflineDiffOptions {
  /** Git ref of the base (branch, tag, sha). */
  readonly baseRef: string;
  /** Stacks to diff, in report order. */
  readonly stacks: readonly string[];
  /** Repository whose working tree is the head. @default - the git root of the current directory */
  readonly repo?: string;
  /** Cache of base results and the digest key. @default - `$PLATFORM_CACHE_DIR/diff` */
  readonly cacheDir?: string;
  /** Evaluate the policy pack at head. @default true */
  readonly policies?: boolean;
  /** Synth function (tests). @default synthStack */
  readonly synth?: Synth;
}

export async function offlineDiff(opts: OfflineDiffOptions): Promise<DiffReport> {
  const repo = opts.repo ?? repoRoot(process.cwd());
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const synth = opts.synth ?? synthStack;
  const commit = resolveCommit(repo, opts.baseRef);
  // Children inherit the key and record secret digests + dependencies (scripts/synth/secret-digest.ts).
  const previousKey = process.env[SECRET_DIGEST_KEY_ENV];
  process.env[SECRET_DIGEST_KEY_ENV] = digestKey(cacheDir);
  try {
    // Founders first, their outputs fed to the regions that join them on both sides, unless the
    // base predates that (then neither side is fed, so the seeds do not differ spuriously).
    const plan = synthPlan(opts.stacks, join(repo, "stacks"));
    const feed = peerFeedSupported(repo, commit);
    const base = await synthAtCommit(repo, commit, plan, cacheDir, synth, feed);
    const atHead = plan.ordered.filter((s) => existsSync(join(repo, "stacks", `Pulumi.${s}.yaml`)));
    const head = await synthInOrder({ ...plan, ordered: atHead }, (s, peerOutputs) => synth(s, { cwd: repo, peerOutputs }), feed);
    const reports: StackReport[] = [];
    for (let i = 0; i < opts.stacks.length; i += 2) {
      const batch = opts.stacks.slice(i, i + 2);
      reports.push(...(await Promise.all(batch.map((stack) => stackReport(stack, repo, base.get(stack), head.get(stack), opts.policies ?? true)))));
    }
    return { baseRef: opts.baseRef, baseCommit: commit, stacks: reports };
  } finally {
    if (previousKey === undefined) delete process.env[SECRET_DIGEST_KEY_ENV];
    else process.env[SECRET_DIGEST_KEY_ENV] = previousKey;
  }
}

async function stackReport(stack: string, repo: string, base: SynthResult | undefined | Error, synthesized: SynthResult | Error | undefined, policies: boolean): Promise<StackReport> {
  if (base instanceof Error) return { stack, error: base.message };
  const atHead = existsSync(join(repo, "stacks", `Pulumi.${stack}.yaml`));
  if (!atHead && !base) return { stack, error: `unknown stack "${stack}": no stacks/Pulumi.${stack}.yaml at the base nor at head` };
  if (synthesized instanceof Error) return { stack, error: synthesized.message };
  const head: SynthResult = synthesized ?? { stack, resources: [] }; // removed stack: everything goes
  const diff = diffStack(stack, base?.resources, head.resources);
  const policy = policies && atHead ? await evaluateHeadPolicies(stack, head.resources) : undefined;
  // The base's plan is read from head's config too: a plan change shows in the diff itself.
  const plan = { vercelPlan: atHead ? packValuesFor(stack).vercelPlan : undefined };
  const cost = {
    head: estimateStackCost(stack, fromSynth(head.resources), plan),
    ...(base ? { base: estimateStackCost(stack, fromSynth(base.resources), plan) } : {}),
  };
  return { stack, diff, cost, ...(policy ? { policy } : {}) };
}
