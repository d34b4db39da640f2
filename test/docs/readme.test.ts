import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { README, withConfigTable } from "../../scripts/readme-config";
import { configReferenceMarkdown } from "../../stacks/config/reference";

describe("README", () => {
  it("carries the config reference generated from the schema and tiers (run `npm run docs:config`)", () => {
    const readme = readFileSync(README, "utf8");
    expect(withConfigTable(readme, configReferenceMarkdown())).toBe(readme);
  });

  it("names the two quick-start commands CI runs", () => {
    const readme = readFileSync(README, "utf8");
    const ci = readFileSync(`${__dirname}/../../.ci/run`, "utf8");
    expect(readme).toContain("npm run setup");
    expect(readme).toContain("npm test");
    expect(ci).toMatch(/scripts\/setup\.sh/);
    expect(ci).toMatch(/^npm test$/m);
  });
});
