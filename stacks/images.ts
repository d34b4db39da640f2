import type * as pulumi from "@pulumi/pulumi";
import { AppImages } from "../components/images";
import type { PlatformConfig } from "./config";

/** Image references: built and pushed to the stack's own ECR in the cloud, from config locally. */
export function appImages(cfg: PlatformConfig, awsProvider: pulumi.ProviderResource | undefined): { gateway: pulumi.Input<string>; telemetry: pulumi.Input<string> } {
  if (!awsProvider) return { gateway: cfg.images.gateway!, telemetry: cfg.images.telemetry! };
  const built = new AppImages("images", { apps: ["gateway", "telemetry"], repositoryPrefix: `platform/${cfg.stack}` }, { providers: [awsProvider] });
  // A config override pins an image (e.g. a hotfix build) without touching the build.
  return { gateway: cfg.images.gateway ?? built.refs.gateway, telemetry: cfg.images.telemetry ?? built.refs.telemetry };
}
