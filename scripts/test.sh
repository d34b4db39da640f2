#!/usr/bin/env bash
# `npm test`: the type check, then the four vitest projects one after another. Sequential on
# purpose: the telemetry fault tests stop and restart the shared Cassandra, which must not
# happen under the dashboard's browser test, and two cores are better spent on one suite at a
# time. Every project runs even if an earlier one failed; the exit code says if any did.
#   npm test                 everything
#   npm test -- infra        one or more projects by name
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
results=".state/test-results"
mkdir -p "$results"
projects=("$@")
[ ${#projects[@]} -eq 0 ] && projects=(infra cluster gateway telemetry)

status=0
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || status=1
for p in "${projects[@]}"; do
  echo "== vitest project: $p"
  rm -f "$results/$p.json"
  npx vitest run --config test/vitest.config.ts --project "$p" --reporter=default --reporter=json --outputFile.json="$results/$p.json" || status=1
done
# One closing line over all projects, in the plain "N passed, N failed" form CI reads.
node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const p of process.argv.slice(1)) {
  const f = `.state/test-results/${p}.json`;
  if (!fs.existsSync(f)) { console.log(`(no results for ${p})`); failed++; continue; }
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests; skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that failed to load has no failed test: count it so it cannot pass silently.
  failed += r.numFailedTests + r.testResults.filter((t) => t.status === "failed" && t.assertionResults.every((a) => a.status !== "failed")).length;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "${projects[@]}"
exit $status
