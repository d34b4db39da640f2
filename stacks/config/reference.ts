/**
 * The config reference table of the README, generated from the schema (descriptions) and the
 * tiers (defaults per stage), so the docs cannot drift from the code. `npm run docs:config`.
 */
import { z } from "zod";
import { resolveConfig } from "./load";
import { settingsSchema } from "./schema";

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
}

/** Example inputs a cloud stage needs before its defaults resolve (subnets, groups, JWT). */
const EXAMPLE_REQUIRED: Record<string, Record<string, unknown>> = {
  local: { images: { gateway: "<image>", telemetry: "<image>" } },
  cloud: {
    redis: { subnetIds: ["subnet-0abc"], securityGroupIds: ["sg-0abc"] },
    cassandra: { publicEndpoint: { sourceRanges: ["192.0.2.0/24"] } }, // the functions' egress ranges
    gateway: { jwt: { issuer: "https://idp/", audience: "<aud>" } },
    jwtKey: "<secret>", // a key source (or gateway.jwt.keySecretName)
    backup: { oidcProviderArn: "arn:aws:iam::000000000000:oidc-provider/<issuer>" },
  },
};

const STACK_OF_STAGE = { local: "local", dev: "dev-us-east-1", staging: "staging-us-east-1", prod: "prod-us-east-1" } as const;

function leaves(schema: JsonSchema, prefix: string[] = []): { path: string[]; description: string }[] {
  const props = schema.properties;
  if (!props || schema.type === "array") return [{ path: prefix, description: schema.description ?? "" }];
  return Object.entries(props).flatMap(([k, v]) => leaves(v.anyOf?.find((s) => s.properties) ?? v, [...prefix, k]));
}

function show(value: unknown): string {
  if (value === undefined) return "—";
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `\`${JSON.stringify(value)}\``;
  if (typeof value === "object" && value !== null) return `\`${JSON.stringify(value)}\``; // records, e.g. selector labels
  return `\`${String(value)}\``;
}

/** Markdown table: key, meaning, default per stage (us-east-1 for the cloud stages). */
export function configReferenceMarkdown(): string {
  const json = z.toJSONSchema(settingsSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const resolved = Object.entries(STACK_OF_STAGE).map(([stage, stack]) => resolveConfig(stack, EXAMPLE_REQUIRED[stage === "local" ? "local" : "cloud"]));
  const rows = leaves(json).map(({ path, description }) => {
    const at = (o: unknown) => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
    const values = resolved.map((cfg, i) => (at(EXAMPLE_REQUIRED[i === 0 ? "local" : "cloud"]) !== undefined ? "*required*" : show(at(cfg))));
    return `| \`platform:${path[0]}\` → \`${path.slice(1).join(".") || "(value)"}\` | ${description.replaceAll("|", "\\|")} | ${values.join(" | ")} |`;
  });
  return ["| key | meaning | local | dev | staging | prod |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

if (require.main === module) console.log(configReferenceMarkdown());
