import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { REPO_ROOT } from "../../../scripts/synth/stacks";

let recorded: SynthResource[];
let refs: Record<string, string>;
let mod: typeof import("../../../components/images");

beforeAll(async () => {
  recorded = await installMocks({ stack: "dev-us-east-1" });
  mod = await import("../../../components/images");
  const images = new mod.AppImages("images", { apps: ["gateway", "telemetry"] });
  refs = { gateway: await valueOf(images.refs.gateway), telemetry: await valueOf(images.refs.telemetry) };
  await new Promise((r) => setTimeout(r, 50));
});

describe("AppImages", () => {
  it("owns one scanned, encrypted ECR repository per app", () => {
    const repos = recorded.filter((r) => r.type === "aws:ecr/repository:Repository");
    expect(repos.map((r) => r.inputs.name).sort()).toEqual(["platform/gateway", "platform/telemetry"]);
    for (const r of repos) expect(r.inputs).toMatchObject({ imageScanningConfiguration: { scanOnPush: true } });
  });

  it("builds each app from its own Dockerfile and pushes with masked registry credentials", () => {
    const images = recorded.filter((r) => r.type === "docker-build:index:Image");
    // The program runs in stacks/ (as under the engine); the paths must still reach the repo root.
    expect(process.cwd()).toBe(join(REPO_ROOT, "stacks"));
    expect(images.map((i) => resolve((i.inputs.dockerfile as { location: string }).location)).sort()).toEqual(["gateway", "telemetry"].map((a) => join(REPO_ROOT, "apps", a, "Dockerfile")));
    for (const i of images) expect(resolve((i.inputs.context as { location: string }).location)).toBe(REPO_ROOT);
    for (const i of images) {
      expect(i.inputs.push).toBe(true);
      expect(JSON.stringify(i.inputs)).not.toContain("mock-token");
    }
  });

  it("references images by digest so a rebuild rolls the workloads", () => {
    expect(refs.gateway).toMatch(/\/platform\/gateway@sha256:[0-9a-f]{64}$/);
  });

  it("rejects an empty or invalid app list", () => {
    expect(() => new mod.AppImages("x", { apps: [] })).toThrowError(/apps: must name at least one app/);
    expect(() => new mod.AppImages("y", { apps: ["Bad App"] })).toThrowError(/"Bad App" is not a valid app folder name/);
  });
});
