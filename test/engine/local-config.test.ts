import { describe, expect, it } from "vitest";
import { localStackConfig } from "../../scripts/engine/local-config";

describe("local stack config for the engine run", () => {
  const committed = { config: { "platform:kubernetes": { context: "kind-platform" }, "platform:images": { gateway: "g:dev" } } };

  it("adds the render directory next to the committed kubernetes settings and keeps the rest", () => {
    const out = localStackConfig(committed, "/abs/manifests");
    expect(out.config).toEqual({
      "platform:kubernetes": { context: "kind-platform", renderYamlToDirectory: "/abs/manifests" },
      "platform:images": { gateway: "g:dev" },
    });
    expect(out.encryptionsalt).toBeUndefined();
    expect(committed.config["platform:kubernetes"]).toEqual({ context: "kind-platform" }); // input not mutated
  });

  it("carries the passphrase salt of the local stack", () => {
    expect(localStackConfig(committed, "/abs/m", "v1:abc").encryptionsalt).toBe("v1:abc");
  });

  it("refuses a relative render directory (the provider resolves it from the plugin's cwd)", () => {
    expect(() => localStackConfig(committed, "out/m")).toThrow(/absolute/);
  });
});
