import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { repoPath } from "../shared/repo-paths";
import { ArgErrors } from "../shared/validate";

export interface AppImagesArgs {
  /** Apps to build, each from `apps/<app>/Dockerfile`. */
  readonly apps: readonly string[];
  /** Build context, relative to the program's working directory (Dockerfiles use the shared package.json). @default - the repository root */
  readonly context?: string;
  /** Image tag. @default "latest" (the pushed digest pins what runs) */
  readonly tag?: string;
  /** Target platform. @default "linux/amd64" */
  readonly platform?: string;
  /**
   * ECR repository name prefix: `<prefix>/<app>`. Per stack, since several stacks share an
   * account and region and ECR names are unique there. @default "platform"
   */
  readonly repositoryPrefix?: string;
  /** Expire untagged images after this many days. @default 14 */
  readonly untaggedExpiryDays?: number;
}

/**
 * One ECR repository per app, owned by the stack (named per stack: see `repositoryPrefix`), and an image built from the app's
 * Dockerfile and pushed there. Workloads reference the pushed digest, so a rebuild rolls them.
 */
export class AppImages extends pulumi.ComponentResource {
  /** `repository@sha256:…` per app. */
  public readonly refs: Record<string, pulumi.Output<string>> = {};
  public readonly repositories: Record<string, aws.ecr.Repository> = {};

  constructor(name: string, args: AppImagesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:build:AppImages", name, {}, opts);
    const errors = new ArgErrors("AppImages");
    errors.check(args.apps.length > 0, "apps", "must name at least one app");
    for (const app of args.apps) errors.check(/^[a-z][a-z0-9-]*$/.test(app), "apps", `"${app}" is not a valid app folder name`);
    const prefix = args.repositoryPrefix ?? "platform";
    // ECR: lower-case segments of letters, digits, . _ -, separated by "/".
    errors.check(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(prefix), "repositoryPrefix", `"${prefix}" is not a valid ECR repository name prefix`);
    errors.throwIfAny();

    // Resolved from the repository root, not the working directory (the engine runs in stacks/).
    const context = args.context ?? repoPath();
    const auth = aws.ecr.getAuthorizationTokenOutput({}, { parent: this });
    for (const app of args.apps) {
      const repo = this.createRepository(`${prefix}/${app}`, app, args.untaggedExpiryDays ?? 14);
      this.repositories[app] = repo;
      const image = new dockerBuild.Image(
        app,
        {
          context: { location: context },
          dockerfile: { location: join(context, "apps", app, "Dockerfile") },
          platforms: [(args.platform ?? "linux/amd64") as dockerBuild.Platform],
          push: true,
          tags: [pulumi.interpolate`${repo.repositoryUrl}:${args.tag ?? "latest"}`],
          registries: [{ address: repo.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
        },
        { parent: this },
      );
      this.refs[app] = pulumi.interpolate`${repo.repositoryUrl}@${image.digest}`;
    }
    this.registerOutputs({ refs: this.refs });
  }

  private createRepository(name: string, app: string, untaggedExpiryDays: number): aws.ecr.Repository {
    const repo = new aws.ecr.Repository(
      app,
      { name, imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: "AES256" }], forceDelete: false },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      app,
      {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [{ rulePriority: 1, description: "expire untagged", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays }, action: { type: "expire" } }],
        }),
      },
      { parent: this },
    );
    return repo;
  }
}
