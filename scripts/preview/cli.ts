/**
 * npm run --silent preview:comment -- --stack <s> --sha <commit> --outcome <success|failure|cancelled|skipped|new-stack>
 *   [--events <event-log.jsonl>] [--run-url <url>] [--out <file>]
 * Writes the PR comment of one stack's engine preview (./comment.ts). Exit 1 when the summary
 * turns a green step into a failure (cluster unreachable: no server-side validation).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { discoverStacks } from "../synth/stacks";
import { renderComment, summarize, type Outcome } from "./comment";

const { values } = parseArgs({ options: { stack: { type: "string" }, sha: { type: "string" }, outcome: { type: "string" }, events: { type: "string" }, "run-url": { type: "string" }, out: { type: "string" } } });
const outcomes: Outcome[] = ["success", "failure", "cancelled", "skipped", "new-stack"];
if (!values.stack || !values.sha || !outcomes.includes(values.outcome as Outcome)) {
  console.error("usage: npm run --silent preview:comment -- --stack <s> --sha <commit> --outcome <success|failure|cancelled|skipped|new-stack> [--events <file>] [--run-url <url>] [--out <file>]");
  process.exit(2);
}
const events = values.events && existsSync(values.events)
  ? readFileSync(values.events, "utf8").split("\n").filter((l) => l.trim()).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } })
  : [];
const peers = discoverStacks().find((p) => p.stack === values.stack)?.after ?? [];
const input = { stack: values.stack, sha: values.sha, outcome: values.outcome as Outcome, events, runUrl: values["run-url"], peers };
const summary = summarize(input);
const text = renderComment(input, summary);
if (values.out) writeFileSync(values.out, text);
else process.stdout.write(text);
process.exit(summary.forcedFailure ? 1 : 0);
