/**
 * RandomPassword / RandomString for the local stand-in `pulumi-resource-random` (see ./main.ts):
 * the character-set rules of pulumi-random (length, upper/lower/numeric/special, min*,
 * overrideSpecial) with node:crypto as the source. Every input change replaces, as there.
 */
import { randomInt } from "node:crypto";
import { type Json, canonical, reveal } from "./wire";

const SETS = {
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  numeric: "0123456789",
  special: "!@#$%&*()-_=+[]{}<>:?",
} as const;

export type RandomInputs = Record<string, Json>;

/** Draws a value honouring every character-class rule; `pick` is injectable for tests. */
export function randomValue(inputs: RandomInputs, pick: (max: number) => number = randomInt): string {
  const flag = (k: string) => inputs[k] !== false; // pulumi-random defaults every class to true
  const num = (k: string) => (typeof inputs[k] === "number" ? (inputs[k] as number) : 0);
  const length = num("length");
  if (length < 1) throw new Error(`length must be at least 1, got ${JSON.stringify(inputs.length)}`);
  const special = typeof inputs.overrideSpecial === "string" ? inputs.overrideSpecial : SETS.special;
  const classes: Array<[string, string, number]> = [
    ["lower", SETS.lower, num("minLower")],
    ["upper", SETS.upper, num("minUpper")],
    ["numeric", SETS.numeric, num("minNumeric")],
    ["special", special, num("minSpecial")],
  ];
  const enabled = classes.filter(([k, chars]) => flag(k) && chars.length > 0);
  if (enabled.length === 0) throw new Error("at least one character class must be enabled");
  const draw = (chars: string) => chars[pick(chars.length)];
  const out: string[] = [];
  for (const [, chars, min] of enabled) for (let i = 0; i < min; i++) out.push(draw(chars));
  const all = enabled.map(([, chars]) => chars).join("");
  while (out.length < length) out.push(draw(all));
  for (let i = out.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.join("");
}

/** Input keys whose value changed (each forces a new value, like pulumi-random's ForceNew). */
export function changedInputs(oldState: RandomInputs, newInputs: RandomInputs): string[] {
  const olds = reveal(oldState) as RandomInputs;
  const news = reveal(newInputs) as RandomInputs;
  return Object.keys(news)
    .filter((k) => k !== "__defaults" && k !== "result" && k !== "bcryptHash")
    .filter((k) => canonical(olds[k] ?? null) !== canonical(news[k] ?? null))
    .sort();
}
