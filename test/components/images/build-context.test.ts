import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../scripts/synth/stacks";

// The build context after .dockerignore, listed with BuildKit's own matcher (moby/patternmatcher,
// scripts/docker-context), and its content hash.
const tool = spawnSync("bash", [join(REPO_ROOT, "scripts/docker-context.sh"), "path"], { encoding: "utf8" });
if (tool.status !== 0) throw new Error("docker-context is not installed: run `npm run setup`");
const context = (dir: string) => JSON.parse(execFileSync(tool.stdout.trim(), [dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })) as { files: string[]; hash: string };

const NEVER = ["node_modules/", ".state/", ".pulumi-local/", ".git/", ".git"];
const touch = (root: string, path: string, content = "x") => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};

describe("image build context (.dockerignore)", () => {
  it("the repository's context leaves out node_modules, local state, rendered Secrets and git, and keeps what the Dockerfiles COPY", () => {
    const { files } = context(REPO_ROOT);
    for (const prefix of NEVER) expect(files.filter((f) => f === prefix || f.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`)), prefix).toEqual([]);
    expect(files.filter((f) => f.includes("/node_modules/"))).toEqual([]);
    for (const app of ["gateway", "telemetry", "dns-cache"]) {
      const copies = readFileSync(join(REPO_ROOT, "apps", app, "Dockerfile"), "utf8")
        .split("\n")
        .filter((l) => /^COPY\s/.test(l) && !l.includes("--from="))
        .flatMap((l) => l.trim().split(/\s+/).slice(1, -1));
      for (const src of copies) expect(files.some((f) => f === src || f.startsWith(`${src}/`)), `${app} Dockerfile: COPY ${src}`).toBe(true);
    }
  });

  it("its hash ignores local state and dependencies, and follows the sources", () => {
    const root = mkdtempSync(join(tmpdir(), "context-"));
    copyFileSync(join(REPO_ROOT, ".dockerignore"), join(root, ".dockerignore"));
    for (const f of ["package.json", "package-lock.json", "tsconfig.json", "apps/gateway/src/main.ts", "apps/telemetry/src/server.ts", "apps/gateway/Dockerfile"]) touch(root, f);
    const first = context(root);
    expect(first.files).toEqual(["apps/gateway/Dockerfile", "apps/gateway/src/main.ts", "apps/telemetry/src/server.ts", "package-lock.json", "package.json", "tsconfig.json"]);
    for (const f of ["node_modules/pino/index.js", ".state/cassandra/data/x.db", ".pulumi-local/local/secret.yaml", ".git/HEAD", "apps/gateway/node_modules/x/index.js", "apps/telemetry/dist/server.js", "out/local/manifests.yaml"]) touch(root, f);
    expect(context(root)).toEqual(first);
    touch(root, "apps/gateway/src/main.ts", "changed");
    expect(context(root).hash).not.toBe(first.hash);
  });
});
