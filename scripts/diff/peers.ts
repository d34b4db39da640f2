/**
 * Joining prod regions read their founder's outputs (Cassandra seeds, the cluster CA) through
 * StackReferences. The offline diff synthesizes the stacks a region joins first and feeds their
 * outputs to it, on the base side and at head alike, so a change to the founder (its seed domain,
 * say) shows in every region that reads it instead of fakes hiding it. `pulumi preview` still
 * reads the deployed founder (the PR comment says so); this is the offline half.
 */
import { execFileSync } from "node:child_process";
import type { SynthResult } from "../synth";
import { PEER_OUTPUTS_ENV } from "../synth/fakes";
import { discoverStacks } from "../synth/stacks";

export type PeerOutputs = Record<string, Record<string, unknown>>;
export type SynthOne = (stack: string, peerOutputs: PeerOutputs | undefined) => Promise<SynthResult>;

export interface SynthPlan {
  /** The asked stacks plus every stack they join (transitively), founders first. */
  readonly ordered: readonly string[];
  /** Stack → every stack it joins, transitively. */
  readonly joins: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The order to synthesize `stacks` in, with the stacks they join (`platform:cassandra.peerRegions`). */
export function synthPlan(stacks: readonly string[], stacksDir: string): SynthPlan {
  const plans = discoverStacks(stacksDir); // deploy order: a stack after those it joins
  const joins = new Map<string, Set<string>>();
  for (const p of plans) joins.set(p.stack, new Set(p.after.flatMap((d) => [d, ...(joins.get(d) ?? [])])));
  const want = new Set(stacks);
  for (const s of stacks) for (const d of joins.get(s) ?? []) want.add(d);
  const ordered = plans.map((p) => p.stack).filter((s) => want.has(s));
  return { ordered: [...ordered, ...stacks.filter((s) => !ordered.includes(s))], joins }; // unknown names last: they fail on their own
}

/** Whether the synth at `commit` reads fed outputs (older commits synthesize with fakes only). */
export function peerFeedSupported(repo: string, commit: string): boolean {
  try {
    return execFileSync("git", ["-C", repo, "show", `${commit}:scripts/synth/fakes.ts`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).includes(PEER_OUTPUTS_ENV);
  } catch {
    return false;
  }
}

/**
 * Synthesizes the plan's stacks two at a time, never a stack beside one it joins, feeding each
 * the outputs of every stack already done when `feed` is on (a program reads only the references
 * it declares). `known` holds results had beforehand (the base's cache); they are not redone.
 */
export async function synthInOrder(plan: SynthPlan, synthOne: SynthOne, feed: boolean, known: ReadonlyMap<string, SynthResult | undefined | Error> = new Map()): Promise<Map<string, SynthResult | Error>> {
  const results = new Map<string, SynthResult | Error>();
  const fed = (): PeerOutputs | undefined => {
    if (!feed) return undefined;
    const out: PeerOutputs = {};
    for (const [stack, r] of [...known, ...results]) if (r && !(r instanceof Error) && r.outputs) out[stack] = r.outputs;
    return out;
  };
  const todo = plan.ordered.filter((s) => !known.has(s));
  for (let i = 0; i < todo.length; ) {
    const wave = [todo[i]];
    if (i + 1 < todo.length && !plan.joins.get(todo[i + 1])?.has(todo[i])) wave.push(todo[i + 1]);
    const peerOutputs = fed();
    const settled = await Promise.allSettled(wave.map((s) => synthOne(s, peerOutputs)));
    settled.forEach((r, j) => results.set(wave[j], r.status === "fulfilled" ? r.value : (r.reason as Error)));
    i += wave.length;
  }
  return results;
}
