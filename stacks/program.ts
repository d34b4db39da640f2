import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppImages } from "../components/images";
import { standardLabels } from "../components/shared/labels";
import { TelemetryFunctions } from "../components/telemetry-functions";
import type { PlatformConfig } from "./config";
import { createProviders } from "./providers";

/** What each stack exports; prod regions read `cassandraSeeds` of each other. */
export interface PlatformOutputs {
  stage: string;
  region: string;
  cassandraDataCenter: string;
  cassandraSeeds: pulumi.Output<string[]>;
}

/** Declares the whole platform of one stack from its resolved config. */
export function declarePlatform(cfg: PlatformConfig): PlatformOutputs {
  const providers = createProviders(cfg);
  const k8sOpts: pulumi.ComponentResourceOptions = { providers: [providers.kubernetes] };
  const namespace = new k8s.core.v1.Namespace(
    cfg.namespace,
    { metadata: { name: cfg.namespace, labels: { ...standardLabels("platform", "namespace"), "istio-injection": "enabled" } } },
    { provider: providers.kubernetes },
  );
  const inNamespace = { ...k8sOpts, dependsOn: [namespace] };
  const images = appImages(cfg, providers.aws);
  void images;
  void inNamespace;

  if (providers.vercel && cfg.vercel.target !== "none") {
    new TelemetryFunctions(
      "telemetry-functions",
      {
        projectName: `telemetry-${cfg.stack}`,
        teamId: cfg.vercel.teamId,
        target: cfg.vercel.target,
        functionRegion: cfg.vercel.functionRegion!,
        plan: cfg.vercel.plan,
        maxDurationSeconds: cfg.vercel.maxDurationSeconds,
        memoryMb: cfg.vercel.memoryMb,
        cassandra: { contactPoints: [], dataCenter: cfg.region, keyspace: cfg.cassandra.keyspace, username: "x", password: pulumi.secret("y") },
      },
      { providers: [providers.vercel] },
    );
  }
  return { stage: cfg.stage, region: cfg.region, cassandraDataCenter: cfg.region, cassandraSeeds: pulumi.output([]) };
}

/** Image references: built and pushed to the stack's own ECR in the cloud, from config locally. */
function appImages(cfg: PlatformConfig, awsProvider: pulumi.ProviderResource | undefined): { gateway: pulumi.Input<string>; telemetry: pulumi.Input<string> } {
  if (!awsProvider) return { gateway: cfg.images.gateway!, telemetry: cfg.images.telemetry! };
  const built = new AppImages("images", { apps: ["gateway", "telemetry"] }, { providers: [awsProvider] });
  return { gateway: cfg.images.gateway ?? built.refs.gateway, telemetry: cfg.images.telemetry ?? built.refs.telemetry };
}
