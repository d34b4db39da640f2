import type * as pulumi from "@pulumi/pulumi";
import { AppImages } from "../components/images";
import type { PlatformConfig } from "./config";

export interface StackImages {
  readonly gateway: pulumi.Input<string>;
  readonly telemetry: pulumi.Input<string>;
  /** The Cassandra pods' medusa sidecar; only when backups are on. */
  readonly medusa?: pulumi.Input<string>;
}

/** Image references: built and pushed to the stack's own ECR in the cloud, from config locally. */
export function appImages(cfg: PlatformConfig, awsProvider: pulumi.ProviderResource | undefined): StackImages {
  if (!awsProvider) return { gateway: cfg.images.gateway!, telemetry: cfg.images.telemetry! };
  const buildMedusa = cfg.backup.enabled && !cfg.backup.medusaImage;
  const built = new AppImages("images", { apps: ["gateway", "telemetry", ...(buildMedusa ? ["medusa"] : [])], repositoryPrefix: `platform/${cfg.stack}` }, { providers: [awsProvider] });
  // A config override pins an image (e.g. a hotfix build) without touching the build.
  return {
    gateway: cfg.images.gateway ?? built.refs.gateway,
    telemetry: cfg.images.telemetry ?? built.refs.telemetry,
    medusa: cfg.backup.enabled ? (cfg.backup.medusaImage ?? built.refs.medusa) : undefined,
  };
}
