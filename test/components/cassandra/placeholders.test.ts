import { describe, expect, it } from "vitest";
import { fillPlaceholder } from "../../../components/cassandra/placeholders";

describe("fillPlaceholder", () => {
  it("replaces exact matches at any depth and leaves the rest (and the input) alone", () => {
    const obj = { env: [{ name: "SEEDS", value: "__X__" }, { name: "OTHER", value: "a __X__ b" }], n: 1, nested: { v: "__X__" } };
    const filled = fillPlaceholder(obj, "__X__", "seed-0,seed-1");
    expect(filled).toEqual({ env: [{ name: "SEEDS", value: "seed-0,seed-1" }, { name: "OTHER", value: "a __X__ b" }], n: 1, nested: { v: "seed-0,seed-1" } });
    expect(obj.env[0].value).toBe("__X__");
  });
});
