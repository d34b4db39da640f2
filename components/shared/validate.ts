/**
 * Collects argument problems so a component reports all of them at once, each naming the
 * argument and the bad value (the aws-cdk habit), instead of failing on the first.
 */
export class ArgErrors {
  private readonly problems: string[] = [];

  constructor(private readonly component: string) {}

  /** Records `message` for `arg` unless `ok`. */
  check(ok: boolean, arg: string, message: string): this {
    if (!ok) this.problems.push(`${arg}: ${message}`);
    return this;
  }

  /** Throws one error listing every recorded problem. */
  throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new Error(`${this.component}: invalid arguments:\n  - ${this.problems.join("\n  - ")}`);
    }
  }
}

export const isPositiveInt = (n: number) => Number.isInteger(n) && n > 0;
