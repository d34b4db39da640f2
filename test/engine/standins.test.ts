import { describe, expect, it } from "vitest";
import { changedInputs, randomValue } from "../../scripts/engine/standins/random";
import { SECRET_SIG, SIG_KEY } from "../../scripts/engine/standins/wire";

describe("random stand-in", () => {
  const seq = (values: number[]) => {
    let i = 0;
    return (max: number) => values[i++ % values.length] % max;
  };

  it("draws the requested length from the enabled classes only", () => {
    const value = randomValue({ length: 32, special: false });
    expect(value).toHaveLength(32);
    expect(value).toMatch(/^[A-Za-z0-9]+$/);
    expect(randomValue({ length: 32, special: false })).not.toBe(value);
  });

  it("honours minimums and overrideSpecial", () => {
    const value = randomValue({ length: 6, lower: false, upper: false, numeric: true, minNumeric: 2, overrideSpecial: "#" }, seq([0, 1, 2]));
    expect(value).toMatch(/^[0-9#]{6}$/);
    expect(value.replace(/[^0-9]/g, "").length).toBeGreaterThanOrEqual(2);
  });

  it("rejects impossible inputs", () => {
    expect(() => randomValue({ length: 0 })).toThrow(/length/);
    expect(() => randomValue({ length: 4, lower: false, upper: false, numeric: false, special: false })).toThrow(/character class/);
  });

  it("replaces on any input change and ignores the drawn result", () => {
    const state = { length: 32, special: false, result: { [SIG_KEY]: SECRET_SIG, value: "x" } };
    expect(changedInputs(state, { length: 32, special: false })).toEqual([]);
    expect(changedInputs(state, { length: 24, special: false })).toEqual(["length"]);
  });
});
