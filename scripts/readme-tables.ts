/**
 * README tables generated from the code: the config reference (schema + tiers) and the alert
 * list (typed rules). `npm run docs:readme` rewrites them; a test fails when they are stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { alertTableMarkdown } from "../components/alerting/docs";
import { PLATFORM_ALERT_RULES } from "../components/alerting/rules";
import { configReferenceMarkdown } from "../stacks/config/reference";

export const README = join(__dirname, "..", "README.md");

/** Generated tables by marker name (`<!-- name:start -->` … `<!-- name:end -->`). */
export function generatedTables(): Record<string, string> {
  return { "config-reference": configReferenceMarkdown(), alerts: alertTableMarkdown(PLATFORM_ALERT_RULES) };
}

/** README text with the table between the markers of `name` replaced by `table`. */
export function withTable(readme: string, name: string, table: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return `${readme.slice(0, a + start.length)}\n${table}\n${readme.slice(b)}`;
}

/** README text with every generated table up to date. */
export function withAllTables(readme: string): string {
  return Object.entries(generatedTables()).reduce((text, [name, table]) => withTable(text, name, table), readme);
}

if (require.main === module) {
  writeFileSync(README, withAllTables(readFileSync(README, "utf8")));
  console.log("README.md: generated tables updated");
}
