/**
 * Pulumi's official unit-test mocks (`pulumi.runtime.setMocks`), plus a recorder that keeps
 * every registered resource with its URN, parent and inputs (secrets masked). Shared by the
 * offline synth, the component tests and the policy runner.
 */
import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { fakeState, fakeCall } from "./fakes";
import { PROGRAM_DIR } from "./stacks";
import { diffDetails } from "./secret-digest";

export const SECRET_MASK = "[secret]";

export interface SynthResource {
  urn: string;
  type: string;
  name: string;
  /** Parent URN, absent for the stack itself. */
  parent?: string;
  custom: boolean;
  /** URNs this resource waits for (explicit dependsOn, expanded, plus input dependencies), as the engine receives them. */
  dependsOn?: string[];
  /** Inputs as the engine would receive them; secret values replaced by "[secret]". */
  inputs: Record<string, unknown>;
  /** Offline diff only (see ./secret-digest.ts; never in resources.json): top-level input → URNs its value came from. */
  dependencies?: Record<string, string[]>;
  /** Offline diff only: keyed digest per secret path, to tell a rotated secret without its value. */
  secretDigests?: Record<string, string>;
}

/**
 * Replaces every secret value by {@link SECRET_MASK}, keeping the shape of secret objects
 * (a Secret's `stringData` keeps its keys), so manifests stay schema-valid and diffs can say
 * which secret changed without showing it.
 */
export function maskSecrets(value: unknown, inSecret = false): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, inSecret));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[specialSigKey] === specialSecretSig) return maskSecrets(obj.value, true);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskSecrets(v, inSecret)]));
  }
  return inSecret && value !== undefined && value !== null ? SECRET_MASK : value;
}

export interface MockOptions {
  project?: string;
  stack?: string;
  /** Pulumi config, `namespace:key` → string (objects JSON-encoded), as the engine passes it. */
  config?: Record<string, string>;
  /** Outputs other stacks expose to StackReferences, by stack reference name. */
  stackOutputs?: (stackName: string) => Record<string, unknown>;
  /**
   * Working directory of the program. @default - stacks/, where the engine runs it
   * (`main: stacks/` in Pulumi.yaml), so a path that only works from the repo root fails here too.
   */
  cwd?: string;
}

/** Installs the mocks and returns the (growing) list of registered resources, in order. */
export async function installMocks(opts: MockOptions = {}): Promise<SynthResource[]> {
  const recorded: SynthResource[] = [];
  process.chdir(opts.cwd ?? PROGRAM_DIR);
  pulumi.runtime.setAllConfig(opts.config ?? {});
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => fakeState(args, opts.stackOutputs),
      call: (args) => fakeCall(args),
    },
    opts.project ?? "platform",
    opts.stack ?? "local",
    false,
  );
  // The mock monitor does not pass parents to `newResource`; wrap it to record them.
  const monitor = pulumi.runtime.getMonitor() as any;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) => {
    original(req, async (err: unknown, res: any) => {
      if (!err && res) {
        const inputs = (await deserializeProperties(req.getObject(), true)) as Record<string, unknown>;
        recorded.push({
          urn: res.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          inputs: maskSecrets(inputs) as Record<string, unknown>,
          dependsOn: [...req.getDependenciesList()].sort(),
          ...diffDetails(req, inputs), // only when the offline diff asks (env), else nothing
        });
      }
      callback(err, res);
    });
  };
  return recorded;
}

/** Resolves an Output's value under mocks (tests only). */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

/** Whether an Output is marked secret. */
export function isSecretOutput(o: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(o);
}
