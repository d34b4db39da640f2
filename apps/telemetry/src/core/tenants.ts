import { LIMITS } from "./limits.js";

/**
 * Which event sources each tenant may touch: stack config `platform:customDomains.tenants`,
 * `{"<tenant>": ["<source>", "<prefix>*", ...]}`, passed to the server as JSON (env
 * TENANT_SOURCES). A pattern is a source name, or a prefix followed by one trailing `*`.
 * Shared by the server (matching) and the stack config (validation), so both read one grammar.
 */
export type TenantSourcePatterns = Readonly<Record<string, readonly string[]>>;

/** One tenant's patterns, compiled: exact names and prefixes. */
export interface SourceMatcher {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export type TenantRegistry = ReadonlyMap<string, SourceMatcher>;

/** Why `pattern` is not a source pattern, or undefined when it is one. */
export function sourcePatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string") return "must be a string";
  const star = pattern.indexOf("*");
  if (pattern === "*") return `"*" alone would allow every source (a tenant is a restriction; name its sources or a prefix)`;
  if (pattern.length === 0) return "must not be empty";
  if (star !== -1 && star !== pattern.length - 1) return `"${pattern.slice(0, 80)}": "*" may only end a pattern (a prefix)`;
  if (pattern.length - (star === -1 ? 0 : 1) > LIMITS.maxSourceChars) return `"${pattern.slice(0, 80)}…" is longer than a source (${LIMITS.maxSourceChars} characters)`;
  // Same rule as an event's source (core/validation.ts): such a pattern could never match.
  if (/\p{Cc}/u.test(pattern)) return "must not contain control characters";
  return undefined;
}

/** Every problem of a registry (`<tenant>[<i>]: reason`), empty when it is valid. */
export function tenantRegistryProblems(registry: unknown): string[] {
  if (typeof registry !== "object" || registry === null || Array.isArray(registry)) return ["must be an object {\"<tenant>\": [\"<source pattern>\", ...]}"];
  const problems: string[] = [];
  for (const [tenant, patterns] of Object.entries(registry)) {
    if (!Array.isArray(patterns)) {
      problems.push(`${tenant}: must be a list of source patterns`);
      continue;
    }
    if (patterns.length === 0) problems.push(`${tenant}: must list at least one source pattern`);
    patterns.forEach((p, i) => {
      const problem = sourcePatternProblem(p);
      if (problem) problems.push(`${tenant}[${i}]: ${problem}`);
    });
  }
  return problems;
}

/** Compiles a registry that {@link tenantRegistryProblems} found valid. */
export function compileTenantRegistry(registry: TenantSourcePatterns): TenantRegistry {
  const out = new Map<string, SourceMatcher>();
  for (const [tenant, patterns] of Object.entries(registry)) {
    out.set(tenant, {
      exact: new Set(patterns.filter((p) => !p.endsWith("*"))),
      prefixes: patterns.filter((p) => p.endsWith("*")).map((p) => p.slice(0, -1)),
    });
  }
  return out;
}

export function matchesSource(m: SourceMatcher, source: string): boolean {
  return m.exact.has(source) || m.prefixes.some((p) => source.startsWith(p));
}
