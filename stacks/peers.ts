import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";

/** Name of a prod region's stack, as other regions reference it. */
export const peerStackName = (org: string, region: string) => `${org}/platform/prod-${region}`;

/**
 * Seeds of the other data centres this one joins: each peer region's stack exports
 * `cassandraSeeds`, read through a StackReference; `cassandra.extraSeeds` adds any outside
 * Pulumi. The first region has no peers and founds the cluster.
 */
export function peerSeeds(cfg: PlatformConfig): pulumi.Output<string[]> {
  const fromStacks = cfg.cassandra.peerRegions.map((region) => {
    const ref = new pulumi.StackReference(`peer-${region}`, { name: peerStackName(cfg.org, region) });
    return ref.requireOutput("cassandraSeeds") as pulumi.Output<string[]>;
  });
  return pulumi.all(fromStacks).apply((lists) => [...lists.flat(), ...cfg.cassandra.extraSeeds]);
}
