import { z } from "zod";

/** An env value holding JSON: parsed, or one clear issue naming the parse error (then `.pipe` the shape). */
export const jsonEnv = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `not valid JSON (${(err as Error).message})` });
    return z.NEVER;
  }
});
