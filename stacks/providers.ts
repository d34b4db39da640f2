import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import type { PlatformConfig } from "./config";

export interface PlatformProviders {
  kubernetes: k8s.Provider;
  /** Absent on the local stack. */
  aws?: aws.Provider;
  /** Absent where `vercel.target` is `none`. */
  vercel?: vercel.Provider;
}

/**
 * Explicit providers, configured per stack: nothing depends on ambient defaults except the
 * credentials themselves (kubeconfig from `platform:kubeconfig` or ESC, AWS from the
 * environment/OIDC, the Vercel token from `platform:vercelApiToken` or VERCEL_API_TOKEN).
 */
export function createProviders(cfg: PlatformConfig): PlatformProviders {
  const secrets = new pulumi.Config("platform");
  const kubernetes = new k8s.Provider("kubernetes", {
    kubeconfig: secrets.getSecret("kubeconfig"),
    context: cfg.kubernetes.context,
    renderYamlToDirectory: cfg.kubernetes.renderYamlToDirectory,
    enableServerSideApply: true,
  });
  if (cfg.stage === "local") return { kubernetes };

  const tags = { "platform:stack": cfg.stack, "platform:stage": cfg.stage, "platform:managed-by": "pulumi" };
  const awsProvider = new aws.Provider("aws", { region: cfg.region as aws.Region, defaultTags: { tags } });
  const vercelProvider =
    cfg.vercel.target === "none" ? undefined : new vercel.Provider("vercel", { apiToken: secrets.getSecret("vercelApiToken"), team: cfg.vercel.teamId });
  return { kubernetes, aws: awsProvider, vercel: vercelProvider };
}
