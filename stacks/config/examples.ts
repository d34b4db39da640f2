/**
 * Example values: the shipped stack files carry placeholders (account ids, subnets, hosts...)
 * marked with a trailing `# EXAMPLE` comment. `npm run preflight` and the preview workflow
 * refuse a stack that still carries one, and config validation refuses example names (RFC 2606
 * / RFC 6761) where a real value is vital (the JWT issuer and audience).
 */

/** The marker a placeholder line ends with. */
export const EXAMPLE_MARKER = /#\s*EXAMPLE\b/;

/** Names reserved for documentation and tests (RFC 2606, RFC 6761) and AWS's documentation account. */
const RESERVED_NAME = /(^|[./@])(example\.(com|net|org)|[a-z0-9-]+\.(example|test|invalid|localhost)|localhost)(?=$|[/:?#.\s"'])/i;
const DOC_ACCOUNT = /\b123456789012\b/;

/** Whether a value is (or contains) a documentation-only name or account id. */
export function isExampleValue(value: string): boolean {
  return RESERVED_NAME.test(value) || DOC_ACCOUNT.test(value);
}

export interface ExampleLine {
  /** 1-based line number in the stack file. */
  readonly line: number;
  /** The line without its comment, trimmed. */
  readonly text: string;
  /** Why it counts as an example. */
  readonly reason: "marked # EXAMPLE" | "documentation-only name or account";
}

/** Every line of a stack file that still carries an example value, marked or recognisable. */
export function exampleLines(stackYaml: string): ExampleLine[] {
  const out: ExampleLine[] = [];
  stackYaml.split("\n").forEach((raw, i) => {
    const hash = raw.search(/(^|\s)#/);
    const text = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (text === "") return; // comment-only lines explain, they set nothing
    if (EXAMPLE_MARKER.test(raw)) out.push({ line: i + 1, text, reason: "marked # EXAMPLE" });
    else if (isExampleValue(text)) out.push({ line: i + 1, text, reason: "documentation-only name or account" });
  });
  return out;
}
