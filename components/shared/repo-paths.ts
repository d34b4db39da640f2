import { join, relative } from "node:path";

/** The repository root (this file is components/shared/repo-paths.ts). */
export const REPO_ROOT = join(__dirname, "..", "..");

/**
 * A path inside the repository, as seen from the program's working directory. `Pulumi.yaml`
 * has `main: stacks/`, and the engine then runs the program and its provider plugins with
 * `stacks/` as the working directory (pulumi pkg/engine getPwdMain), so a literal "./apps"
 * would resolve inside stacks/. Relative (not absolute) so state does not carry a checkout path.
 */
export function repoPath(...segments: string[]): string {
  return relative(process.cwd(), join(REPO_ROOT, ...segments)) || ".";
}
