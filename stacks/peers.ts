import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";

/** Name of a prod region's stack, as other regions reference it. */
export const peerStackName = (org: string, region: string) => `${org}/platform/prod-${region}`;

/**
 * Seeds of the other data centres this one joins: each peer region's stack exports
 * `cassandraSeeds`, read through a StackReference; `cassandra.extraSeeds` adds any outside
 * Pulumi. The first region has no peers and founds the cluster.
 */
export function peerSeeds(cfg: PlatformConfig, refs = peerStacks(cfg)): pulumi.Output<string[]> {
  const fromStacks = refs.map((ref) => ref.requireOutput("cassandraSeeds") as pulumi.Output<string[]>);
  return pulumi.all(fromStacks).apply((lists) => [...lists.flat(), ...cfg.cassandra.extraSeeds]);
}

/** One StackReference per peer region, in config order (the first is the founding region). */
export function peerStacks(cfg: PlatformConfig): pulumi.StackReference[] {
  return cfg.cassandra.peerRegions.map((region) => new pulumi.StackReference(`peer-${region}`, { name: peerStackName(cfg.org, region) }));
}

/**
 * Cassandra roles are cluster-wide, so every joining region logs in with the founding region's
 * superuser password (a secret stack output); the founding region generates it.
 */
export function founderPassword(refs: pulumi.StackReference[]): pulumi.Output<string> | undefined {
  return refs.length > 0 ? pulumi.secret(refs[0].requireOutput("cassandraSuperuserPassword") as pulumi.Output<string>) : undefined;
}

/**
 * The founding region's password for one application role (secret); see {@link founderPassword}.
 * Fails the deploy when the founder does not export it (deployed before the role existed).
 */
export function founderAppRolePassword(refs: pulumi.StackReference[], role: string): pulumi.Output<string> | undefined {
  if (refs.length === 0) return undefined;
  const passwords = refs[0].requireOutput("cassandraAppRolePasswords") as pulumi.Output<Record<string, string>>;
  return pulumi.secret(
    passwords.apply((p) => {
      const password = p?.[role];
      if (!password) throw new Error(`stack ${refs[0].name} exports no Cassandra password for role "${role}": deploy the founding region first`);
      return password;
    }),
  );
}

/**
 * The cluster CA of the founding region (stack outputs `cassandraCaCertPem`, secret
 * `cassandraCaPrivateKeyPem`): a joining region signs its own node certificate with it, so every
 * data centre trusts every other one. Fails the deploy when the founder exports none.
 */
export function founderCa(refs: pulumi.StackReference[]): { caCertPem: pulumi.Output<string>; caPrivateKeyPem: pulumi.Output<string> } | undefined {
  if (refs.length === 0) return undefined;
  const need = (key: string) =>
    (refs[0].requireOutput(key) as pulumi.Output<string>).apply((v) => {
      if (!v) throw new Error(`stack ${refs[0].name} exports no ${key}: deploy the founding region with cassandra.encryption first`);
      return v;
    });
  return { caCertPem: need("cassandraCaCertPem"), caPrivateKeyPem: pulumi.secret(need("cassandraCaPrivateKeyPem")) };
}
