/**
 * Rewrites the config reference table in README.md from the code (`npm run docs:config -- --write`
 * does the same). The README test fails when the table is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configReferenceMarkdown } from "../stacks/config/reference";

export const README = join(__dirname, "..", "README.md");
const START = "<!-- config-reference:start -->";
const END = "<!-- config-reference:end -->";

/** README text with the table between the markers replaced by `table`. */
export function withConfigTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`;
}

if (require.main === module) {
  writeFileSync(README, withConfigTable(readFileSync(README, "utf8"), configReferenceMarkdown()));
  console.log("README.md: config reference updated");
}
