/**
 * Values the engine does not know yet. In a preview, an input computed from another resource's
 * output (an endpoint of a cache being replaced, a generated password) reaches the pack as a
 * sentinel; `@pulumi/policy` wraps props in a proxy that throws `UnknownValueError` when a check
 * reads one, and turns that error into ONE advisory "can't run policy" for the whole policy
 * call (server.js, makeAnalyzeRpcFun / makeAnalyzeStackRpcFun). A violation next to the unknown
 * value would go unreported. So checks wrap each independent piece in `ctx.part(...)`
 * ({@link Evaluation}): an unknown read skips that piece only; the rest still reports, and the
 * skipped pieces are reported afterwards through the SDK's own advisory path.
 */
import * as proxyModule from "@pulumi/policy/proxy";
import { DEFAULT_PACK_CONFIG, type CheckContext, type Finding, type PackConfig } from "./types";

/** `@pulumi/policy/proxy` is internal (its .d.ts is empty); these are the parts we use. */
interface ProxyInternals {
  UnknownValueError: new (sentinel: string, props: string[]) => Error;
  unknownCheckingProxy<T>(value: T): T;
  unknownStringValue: string;
  unknownBooleanValue: string;
  unknownNumberValue: string;
  unknownArrayValue: string;
  unknownObjectValue: string;
}
const proxy = proxyModule as unknown as ProxyInternals;

/** The sentinels the engine sends for unknown values (also the Pulumi wire protocol's). */
export const UNKNOWN = {
  string: proxy.unknownStringValue,
  boolean: proxy.unknownBooleanValue,
  number: proxy.unknownNumberValue,
  array: proxy.unknownArrayValue,
  object: proxy.unknownObjectValue,
} as const;

/** Props as the SDK hands them to a policy: reading an unknown value throws. */
export const engineProps = <T extends object>(props: T): T => proxy.unknownCheckingProxy(props);

export const isUnknownError = (e: unknown): e is Error => e instanceof proxy.UnknownValueError;

/** An `UnknownValueError` (so the SDK reports it as "can't run … during preview") with our text. */
export function unknownError(message: string): Error {
  const e = new proxy.UnknownValueError(UNKNOWN.string, []);
  e.message = message;
  return e;
}

/** One policy call's context: config, and the pieces skipped for unknown values. */
export class Evaluation implements CheckContext {
  readonly config: PackConfig;
  readonly skipped: string[] = [];
  constructor(config: Partial<PackConfig> = {}) {
    this.config = { ...DEFAULT_PACK_CONFIG, ...config };
  }
  part(what: string, fn: () => Finding[]): Finding[] {
    try {
      return fn();
    } catch (e) {
      if (!isUnknownError(e)) throw e;
      this.skipped.push(`${what}: ${e.message}`);
      return [];
    }
  }
  /** What was skipped, as one sentence; undefined when everything was checked. */
  skippedText(): string | undefined {
    return this.skipped.length === 0 ? undefined : `not checked, unknown until the update: ${this.skipped.join("; ")}`;
  }
}
