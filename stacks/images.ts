import type * as pulumi from "@pulumi/pulumi";
import { AppImages } from "../components/images";
import type { PlatformConfig } from "./config";

export interface StackImages {
  readonly gateway: pulumi.Input<string>;
  readonly telemetry: pulumi.Input<string>;
  /** Only when custom domains are configured (no image is built otherwise). */
  readonly dnsCache?: pulumi.Input<string>;
  /** The Cassandra pods' medusa sidecar; only when backups are on. */
  readonly medusa?: pulumi.Input<string>;
}

/** Image references: built and pushed to the stack's own ECR in the cloud, from config locally. */
export function appImages(cfg: PlatformConfig, awsProvider: pulumi.ProviderResource | undefined): StackImages {
  const customDomains = Object.keys(cfg.customDomains.domains).length > 0;
  if (!awsProvider) return { gateway: cfg.images.gateway!, telemetry: cfg.images.telemetry!, dnsCache: customDomains ? cfg.images.dnsCache : undefined };
  const buildMedusa = cfg.backup.enabled && !cfg.backup.medusaImage;
  const apps = ["gateway", "telemetry", ...(customDomains && !cfg.images.dnsCache ? ["dns-cache"] : []), ...(buildMedusa ? ["medusa"] : [])];
  const built = new AppImages("images", { apps, repositoryPrefix: `platform/${cfg.stack}` }, { providers: [awsProvider] });
  // A config override pins an image (e.g. a hotfix build) without touching the build.
  return {
    gateway: cfg.images.gateway ?? built.refs.gateway,
    telemetry: cfg.images.telemetry ?? built.refs.telemetry,
    dnsCache: customDomains ? (cfg.images.dnsCache ?? built.refs["dns-cache"]) : undefined,
    medusa: cfg.backup.enabled ? (cfg.backup.medusaImage ?? built.refs.medusa) : undefined,
  };
}
