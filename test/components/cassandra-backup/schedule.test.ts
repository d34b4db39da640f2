import { describe, expect, it } from "vitest";
import { BACKUP_TOO_OLD, REPAIR_OVERDUE } from "../../../components/alerting/rules-backup";
import { resolveConfig } from "../../../stacks/config";
import { problemsOf, cloudNetwork } from "../../config/support";
import { renderMedusaIni } from "../../../components/cassandra-backup/medusa-config";

/** Longest gap between two runs of a simple cron schedule (`M H * * *`, `M *\/N * * *`, `M H * * D`), hours. */
function periodHours(cron: string): number {
  const [, hour, , , dow] = cron.split(/\s+/);
  if (dow !== "*") return 7 * 24;
  const every = /^\*\/(\d+)$/.exec(hour);
  return every ? Number(every[1]) : 24;
}

describe("backup stage defaults", () => {
  it.each(["dev", "staging", "prod"] as const)("%s: backups on, and the age alert fires only after a missed run", (stage) => {
    const cfg = resolveConfig(`${stage}-us-east-1`, cloudNetwork);
    expect(cfg.backup.enabled).toBe(true);
    const period = periodHours(cfg.backup.schedule);
    expect(BACKUP_TOO_OLD.thresholds[stage]! / 3600).toBeGreaterThan(period);
    // Repairs come round, and the overdue alert fires, before gc_grace_seconds (10 days) runs out.
    expect(periodHours(cfg.backup.repairSchedule)).toBeLessThan(10 * 24);
    expect(REPAIR_OVERDUE.thresholds[stage]! / 3600).toBeGreaterThan(periodHours(cfg.backup.repairSchedule));
    expect(REPAIR_OVERDUE.thresholds[stage]! / 86400).toBeLessThan(10);
  });

  it("prod backs up every 6 hours, dev daily, local never", () => {
    expect(resolveConfig("prod-us-east-1", cloudNetwork).backup.schedule).toBe("0 */6 * * *");
    expect(resolveConfig("dev-us-east-1", cloudNetwork).backup.schedule).toBe("0 3 * * *");
    expect(resolveConfig("local", { images: { gateway: "g", telemetry: "t" } }).backup.enabled).toBe(false);
  });

  it("refuses backups without an IRSA provider, without retention, with a bad schedule, or on local", () => {
    const { backup: _b, ...noBackup } = cloudNetwork;
    expect(problemsOf(() => resolveConfig("prod-us-east-1", { ...noBackup, backup: { maxBackupAgeDays: 0, maxBackupCount: 0, schedule: "hourly" } }))).toEqual([
      "backup.schedule: expected a five-field cron schedule like `0 3 * * *`",
    ]);
    expect(problemsOf(() => resolveConfig("prod-us-east-1", { ...noBackup, backup: { maxBackupAgeDays: 0, maxBackupCount: 0 } }))).toEqual([
      "backup.oidcProviderArn: required when backups are enabled (IRSA trust of the backup role)",
      "backup: maxBackupAgeDays and maxBackupCount are both 0, so backups would never be purged",
    ]);
    expect(problemsOf(() => resolveConfig("local", { images: { gateway: "g", telemetry: "t" }, backup: { enabled: true } }))[0]).toMatch(/^backup.enabled: the local stack has no S3 bucket/);
  });
});

describe("medusa.ini", () => {
  const node = { cassandraYaml: "/etc/cassandra/cassandra.yaml", nodetool: "nodetool", jmxHost: "127.0.0.1", jmxPort: 7199 };
  const storage = { bucket: "b", region: "eu-west-1", prefix: "telemetry-eu-west-1", maxBackupAgeDays: 7, maxBackupCount: 0 };

  it("uses AWS S3 in the stacks and an explicit endpoint only when given (the drill's moto)", () => {
    expect(renderMedusaIni({ storage, node })).not.toMatch(/^(host|port|secure) =/m);
    const drill = renderMedusaIni({ storage: { ...storage, endpoint: { host: "127.0.0.1", port: 15000, secure: false } }, node });
    expect(drill).toMatch(/^storage_provider = s3_compatible$/m);
    expect(drill).toMatch(/^host = 127.0.0.1\nport = 15000\nsecure = False$/m);
  });

  it("keeps medusa from using sudo and from resolving addresses (backups are keyed by the broadcast address)", () => {
    const ini = renderMedusaIni({ storage, node });
    expect(ini).toMatch(/^use_sudo = False$/m);
    expect(ini).toMatch(/^use_sudo_for_restore = False$/m);
    expect(ini).toMatch(/^resolve_ip_addresses = False$/m);
  });
});
