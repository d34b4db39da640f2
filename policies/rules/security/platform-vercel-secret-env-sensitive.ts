import { finding } from "../../core/finding";
import { isSecretName, SECRET_MASK, secretLikeValue } from "../../core/secrets";
import type { Finding, PlatformPolicy } from "../../core/types";

const ENV_VAR = "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable";
const ENV_VARS = "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables";
const PROJECT = "vercel:index/project:Project";

export const vercelSecretEnvSensitive: PlatformPolicy = {
  name: "platform-vercel-secret-env-sensitive",
  description: "Checks that every Vercel environment variable holding a secret (secret value, name pattern or entropy) is marked sensitive.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Set `sensitive: true` on the variable (and pass its value as pulumi.secret) so it cannot be read back from Vercel.",
  checkResource(r, ctx) {
    const out: Finding[] = [];
    const vars: Record<string, any>[] =
      r.type === ENV_VAR ? [r.props] : r.type === ENV_VARS ? r.props.variables ?? [] : r.type === PROJECT ? r.props.environments ?? [] : [];
    for (let i = 0; i < vars.length; i++) out.push(...ctx.part(`variable ${i}`, () => {
      const v = vars[i];
      // The provider marks every `value` secret, so a masked value says nothing: judge the name.
      const value = typeof v.value === "string" && v.value !== SECRET_MASK ? v.value : "";
      const why = secretLikeValue(value) ?? (isSecretName(String(v.key)) ? `secret-like name` : undefined);
      if (why && v.sensitive !== true) {
        return [finding(r, `Vercel env var ${v.key} holds ${why === "secret-like name" ? "a value under a secret-like name" : why} but is not sensitive.`, `set sensitive: true on ${v.key}.`)];
      }
      return [];
    }));
    return out;
  },
};
