/**
 * npm run diff -- --base <git-ref> [--stack <name>... | --all] [--format text|markdown] [--out <file>]
 * Offline preview diff of each stack between a git ref and the working tree (see ./index.ts).
 * Exit 0 when every stack was compared (changes or not), 1 when a synth failed, 2 on usage.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SHIPPED_STACKS } from "../synth";
import { offlineDiff, renderMarkdown, renderText } from "./index";
import { reportRisks } from "./render";
import { BLOCKING, RISK_LABEL } from "./risk";

const USAGE = "usage: npm run diff -- --base <git-ref> [--stack <name>...] | --all [--format text|markdown] [--out <file>] [--risk-out <file.json>] [--no-policy] [--repo <dir>]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      base: { type: "string" },
      stack: { type: "string", multiple: true },
      all: { type: "boolean" },
      format: { type: "string", default: "text" },
      out: { type: "string" },
      repo: { type: "string" },
      "no-policy": { type: "boolean" },
      "risk-out": { type: "string" },
    },
  });
  const stacks = values.all ? [...SHIPPED_STACKS] : (values.stack ?? []);
  if (!values.base || stacks.length === 0 || (values.format !== "text" && values.format !== "markdown")) {
    console.error(USAGE);
    return 2;
  }
  const report = await offlineDiff({ baseRef: values.base, stacks, repo: values.repo, policies: !values["no-policy"] });
  const text = values.format === "markdown" ? renderMarkdown(report) : renderText(report);
  if (values.out) writeFileSync(values.out, text);
  // For the CI gate: outage/data-loss risks need the PR label (preview.yml).
  if (values["risk-out"]) {
    const risks = reportRisks(report);
    writeFileSync(values["risk-out"], `${JSON.stringify({ blocking: risks.filter((r) => BLOCKING.includes(r.kind)).length, label: RISK_LABEL, risks }, null, 2)}\n`);
  }
  else process.stdout.write(text);
  return report.stacks.some((s) => s.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
