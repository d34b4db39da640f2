/**
 * The base side of the offline diff: a git ref → its commit → each stack synthesized in a
 * temporary `git worktree` of that commit, cached by commit and stack so a second run (or
 * the next PR against the same base) skips the synth.
 *
 * The worktree has no node_modules: it gets a symlink to the repo's own, so the base code runs
 * with the head's dependencies (fine for the diff; a base whose lockfile differs a lot may
 * synth differently than it would on its own).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { SynthResult } from "../synth";
import { synthInOrder, type PeerOutputs, type SynthPlan } from "./peers";

/** `$PLATFORM_CACHE_DIR/diff` (default `~/.cache/platform/diff`), outside the repo. */
export function defaultCacheDir(): string {
  return join(process.env.PLATFORM_CACHE_DIR ?? join(homedir(), ".cache", "platform"), "diff");
}

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** The top-level directory of the git repository containing `dir`. */
export function repoRoot(dir: string): string {
  return git(dir, "rev-parse", "--show-toplevel");
}

/** Full commit id of `ref`, or a clear error. */
export function resolveCommit(repo: string, ref: string): string {
  try {
    return git(repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  } catch {
    throw new Error(`--base ${ref}: not a commit in ${repo} (fetch it first, e.g. git fetch origin ${ref})`);
  }
}

/** Whether `path` exists in `commit`. */
export function existsAtCommit(repo: string, commit: string, path: string): boolean {
  try {
    git(repo, "cat-file", "-e", `${commit}:${path}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The HMAC key for secret digests: random, created once per cache directory (mode 0600), so
 * cached base results stay comparable and a digest is useless without this file.
 */
export function digestKey(cacheDir: string): string {
  const file = join(cacheDir, "digest-key");
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

export type Synth = (stack: string, opts: { cwd: string; peerOutputs?: PeerOutputs }) => Promise<SynthResult>;

/**
 * Synthesizes the plan's stacks at `commit`: cached results first, then one worktree for the rest
 * (removed afterwards), founders before the regions that join them, fed their outputs when `feed`
 * (./peers.ts). Stacks whose file does not exist at the commit map to `undefined`, a failed synth
 * to its Error (the other stacks still get compared).
 */
export async function synthAtCommit(
  repo: string,
  commit: string,
  plan: SynthPlan,
  cacheDir: string,
  synth: Synth,
  feed: boolean,
): Promise<Map<string, SynthResult | undefined | Error>> {
  const results = new Map<string, SynthResult | undefined | Error>();
  const cacheFile = (stack: string) => join(cacheDir, "results", commit, `${stack}.json`);
  const todo: string[] = [];
  for (const stack of plan.ordered) {
    if (!existsAtCommit(repo, commit, `stacks/Pulumi.${stack}.yaml`)) results.set(stack, undefined);
    else if (existsSync(cacheFile(stack))) results.set(stack, JSON.parse(readFileSync(cacheFile(stack), "utf8")) as SynthResult);
    else todo.push(stack);
  }
  if (todo.length === 0) return results;
  if (!existsAtCommit(repo, commit, "scripts/synth/run-stack.ts")) {
    throw new Error(`base ${commit.slice(0, 12)} has no scripts/synth/run-stack.ts (it predates the offline synth): pick a newer --base`);
  }
  const dir = join(cacheDir, "worktrees", commit);
  removeWorktree(repo, dir);
  mkdirSync(join(cacheDir, "worktrees"), { recursive: true });
  git(repo, "worktree", "add", "--detach", "--force", dir, commit);
  try {
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"), "dir");
    const done = await synthInOrder({ ...plan, ordered: todo }, (s, peerOutputs) => synth(s, { cwd: dir, peerOutputs }), feed, results);
    for (const [stack, r] of done) {
      if (r instanceof Error) {
        results.set(stack, new Error(`at the base: ${r.message}`));
        continue;
      }
      mkdirSync(join(cacheDir, "results", commit), { recursive: true });
      writeFileSync(cacheFile(stack), JSON.stringify(r), { mode: 0o600 });
      results.set(stack, r);
    }
  } finally {
    removeWorktree(repo, dir);
  }
  return results;
}

function removeWorktree(repo: string, dir: string): void {
  if (existsSync(dir)) {
    try {
      git(repo, "worktree", "remove", "--force", dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  git(repo, "worktree", "prune");
}
