import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localStackConfig } from "../../scripts/engine/local-config";

describe("local stack config for the engine run", () => {
  const committed = { config: { "platform:kubernetes": { context: "kind-platform" }, "platform:images": { gateway: "g:dev" } } };
  const dir = mkdtempSync(join(tmpdir(), "local-config-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: platform-local\n");

  it("points the kubernetes provider at the kubeconfig's current context and keeps the rest", () => {
    const out = localStackConfig(committed, kubeconfig);
    expect(out.config).toEqual({
      "platform:kubernetes": { context: "platform-local" },
      "platform:images": { gateway: "g:dev" },
    });
    expect(out.encryptionsalt).toBeUndefined();
    expect(committed.config["platform:kubernetes"]).toEqual({ context: "kind-platform" }); // input not mutated
  });

  it("carries the passphrase salt of the local stack", () => {
    expect(localStackConfig(committed, kubeconfig, "v1:abc").encryptionsalt).toBe("v1:abc");
  });

  it("refuses a relative kubeconfig path (the provider resolves it from the plugin's cwd) and one without a context", () => {
    expect(() => localStackConfig(committed, "state/kubeconfig")).toThrow(/absolute/);
    const empty = join(dir, "empty");
    writeFileSync(empty, "apiVersion: v1\nkind: Config\n");
    expect(() => localStackConfig(committed, empty)).toThrow(/no current-context/);
  });
});
