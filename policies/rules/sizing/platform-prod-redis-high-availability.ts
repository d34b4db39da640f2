import { finding } from "../../core/finding";
import { isProdResource } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

export const prodRedisHighAvailability: PlatformPolicy = {
  name: "platform-prod-redis-high-availability",
  description: "Checks that in prod every ElastiCache replication group is multi-AZ with automatic failover and at least one replica.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Set multiAzEnabled: true, automaticFailoverEnabled: true and numCacheClusters ≥ 2 on the replication group.",
  checkResource(rg, ctx) {
    if (rg.type !== REPLICATION_GROUP || !isProdResource(rg)) return [];
    return ctx.part("availability settings", () => {
      const out: Finding[] = [];
      const p = rg.props;
      const nodes = p.numCacheClusters ?? (p.replicasPerNodeGroup !== undefined ? p.replicasPerNodeGroup + 1 : 1);
      const missing = [
        p.multiAzEnabled === true ? "" : `multiAzEnabled is ${p.multiAzEnabled ?? "unset"}`,
        p.automaticFailoverEnabled === true ? "" : `automaticFailoverEnabled is ${p.automaticFailoverEnabled ?? "unset"}`,
        nodes >= 2 ? "" : `only ${nodes} node(s)`,
      ].filter(Boolean);
      if (missing.length > 0) {
        out.push(finding(rg, `ElastiCache replication group ${rg.name} is not highly available in prod: ${missing.join(", ")}.`, `set multiAzEnabled: true, automaticFailoverEnabled: true and numCacheClusters ≥ 2.`));
      }
      return out;
    });
  },
};
