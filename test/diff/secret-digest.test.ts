import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { describe, expect, it } from "vitest";
import { writeSynthOutput } from "../../scripts/synth";
import { collectSecretDigests, diffDetails, secretDigest } from "../../scripts/synth/secret-digest";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const inputs = { metadata: { name: "s" }, stringData: { password: secret("hunter2"), user: "app" }, env: [{ name: "A", value: secret("x") }] };
const noDeps = { getPropertydependenciesMap: () => ({ forEach: () => undefined }) };

describe("secret digests", () => {
  it("are off without a key, so the normal synth records nothing extra", () => {
    expect(collectSecretDigests(inputs, undefined)).toBeUndefined();
    expect(diffDetails(noDeps, inputs)).toEqual({}); // env key unset in the test process
  });

  it("digest every secret leaf by raw path, keyed, without the value", () => {
    const d = collectSecretDigests(inputs, "k1")!;
    expect(Object.keys(d)).toEqual(["stringData.password", "env[0].value"]);
    expect(d["stringData.password"]).toBe(secretDigest("hunter2", "k1"));
    expect(d["stringData.password"]).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
    expect(JSON.stringify(d)).not.toContain("hunter2");
    // Another key gives another digest: without the cache's key file a digest is useless.
    expect(collectSecretDigests(inputs, "k2")!["stringData.password"]).not.toBe(d["stringData.password"]);
  });

  it("never reach resources.json", () => {
    const out = mkdtempSync(join(tmpdir(), "synth-out-"));
    const files = writeSynthOutput(
      {
        stack: "local",
        resources: [
          {
            urn: "urn:pulumi:local::platform::kubernetes:core/v1:Secret::s",
            type: "kubernetes:core/v1:Secret",
            name: "s",
            parent: "urn:pulumi:local::platform::pulumi:pulumi:Stack::platform-local",
            custom: true,
            inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { password: "[secret]" } },
            dependencies: { stringData: ["urn:pulumi:local::platform::random:index/randomPassword:RandomPassword::pw"] },
            secretDigests: { "stringData.password": secretDigest("hunter2", "k") },
          },
        ],
      },
      out,
    );
    const text = readFileSync(files.resources, "utf8");
    expect(text).not.toContain("hmac-sha256");
    expect(text).not.toContain("dependencies");
    expect(text).toContain('"password": "[secret]"');
  });
});
