import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { README, generatedTables, withAllTables, withTable } from "../../scripts/readme-tables";

describe("README", () => {
  const readme = readFileSync(README, "utf8");

  it("carries the tables generated from the code (run `npm run docs:readme`)", () => {
    expect(withAllTables(readme)).toBe(readme);
  });

  it("detects a stale table", () => {
    const stale = withTable(readme, "alerts", "| stale |");
    expect(withAllTables(stale)).not.toBe(stale);
    expect(Object.keys(generatedTables())).toEqual(["config-reference", "alerts"]);
  });

  it("names the two quick-start commands CI runs", () => {
    const ci = readFileSync(`${__dirname}/../../.ci/run`, "utf8");
    expect(readme).toContain("npm run setup");
    expect(readme).toContain("npm test");
    expect(ci).toMatch(/scripts\/setup\.sh/);
    expect(ci).toMatch(/^npm test\b/m);
  });
});
