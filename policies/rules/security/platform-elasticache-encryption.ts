import { finding } from "../../core/finding";
import type { Finding, PlatformPolicy } from "../../core/types";
import { REPLICATION_GROUP } from "../sizing/platform-prod-redis-high-availability";

export const elasticacheEncryption: PlatformPolicy = {
  name: "platform-elasticache-encryption",
  description: "Checks that every ElastiCache replication group encrypts data in transit and at rest.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Set transitEncryptionEnabled: true and atRestEncryptionEnabled: true (clients then connect with TLS).",
  checkResource(rg, ctx) {
    if (rg.type !== REPLICATION_GROUP) return [];
    return ctx.part("encryption settings", () => {
      const out: Finding[] = [];
      const off = [
        rg.props.transitEncryptionEnabled === true ? "" : "transitEncryptionEnabled",
        rg.props.atRestEncryptionEnabled === true || rg.props.atRestEncryptionEnabled === "true" ? "" : "atRestEncryptionEnabled",
      ].filter(Boolean);
      if (off.length > 0) out.push(finding(rg, `ElastiCache replication group ${rg.name} does not set ${off.join(" and ")}.`, `set ${off.map((f) => `${f}: true`).join(", ")}.`));
      return out;
    });
  },
};
