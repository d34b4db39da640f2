import type * as pulumi from "@pulumi/pulumi";
import { AppImages } from "../components/images";
import type { PlatformConfig } from "./config";

export interface AppImageRefs {
  gateway: pulumi.Input<string>;
  telemetry: pulumi.Input<string>;
  /** Only when custom domains are configured (no image is built otherwise). */
  dnsCache?: pulumi.Input<string>;
}

/** Image references: built and pushed to the stack's own ECR in the cloud, from config locally. */
export function appImages(cfg: PlatformConfig, awsProvider: pulumi.ProviderResource | undefined): AppImageRefs {
  const customDomains = Object.keys(cfg.customDomains.domains).length > 0;
  if (!awsProvider) return { gateway: cfg.images.gateway!, telemetry: cfg.images.telemetry!, dnsCache: customDomains ? cfg.images.dnsCache : undefined };
  const apps = ["gateway", "telemetry", ...(customDomains && !cfg.images.dnsCache ? ["dns-cache"] : [])];
  const built = new AppImages("images", { apps, repositoryPrefix: `platform/${cfg.stack}` }, { providers: [awsProvider] });
  // A config override pins an image (e.g. a hotfix build) without touching the build.
  return {
    gateway: cfg.images.gateway ?? built.refs.gateway,
    telemetry: cfg.images.telemetry ?? built.refs.telemetry,
    dnsCache: customDomains ? (cfg.images.dnsCache ?? built.refs["dns-cache"]) : undefined,
  };
}
