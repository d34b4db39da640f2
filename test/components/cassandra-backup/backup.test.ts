import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installMocks, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { prodArgs } from "../cassandra/fixtures";

const ROOT = join(__dirname, "../../..");
const settle = () => new Promise((r) => setTimeout(r, 50));
const OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D";

describe("CassandraBackup (prod data centre)", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "prod-us-east-1" });
  const { CassandraBackup, BACKUP_NAMES } = await import("../../../components/cassandra-backup/index.js");
  const { CassandraCluster } = await import("../../../components/cassandra/index.js");
  const backup = new CassandraBackup("cassandra-backup", {
    clusterName: "telemetry",
    dataCenter: "us-east-1",
    region: "us-east-1",
    schedule: "0 */6 * * *",
    maxBackupAgeDays: 30,
    maxBackupCount: 120,
    oidcProviderArn: OIDC,
    kubectlImage: "registry.k8s.io/kubectl:v1.35.4",
    clientTls: true,
  });
  const urn = await valueOf(backup.urn);
  const cluster = new CassandraCluster("cassandra", {
    ...prodArgs,
    appRoles: [...(prodArgs.appRoles ?? []), { name: BACKUP_NAMES.cqlRole, access: "read" }],
    backup: { image: "medusa:test", configMapName: BACKUP_NAMES.configMap, serviceAccountName: BACKUP_NAMES.podServiceAccount, cqlRole: BACKUP_NAMES.cqlRole },
  });
  await valueOf(cluster.schemaJobName);
  await valueOf(backup.bucketName);
  await settle();
  const one = (type: string) => {
    const found = recorded.filter((r) => r.type === type && r.parent === urn);
    expect(found, type).toHaveLength(1);
    return found[0].inputs as any;
  };
  const kube = (kind: string, name: string) => recorded.find((r) => r.type.endsWith(`:${kind}`) && (r.inputs as any).metadata?.name === name)?.inputs as any;

  it("owns a versioned, KMS-encrypted, private, TLS-only bucket that is protected from deletion", () => {
    const bucket = recorded.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    expect(bucket.parent).toBe(urn);
    expect(bucket.inputs).toMatchObject({ forceDestroy: false });
    expect(one("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration).toEqual({ status: "Enabled" });
    expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules[0].applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: "aws:kms" });
    expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy").policy).Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  it("expires only purged (noncurrent) versions: live objects may be shared by later differential backups", () => {
    const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules;
    expect(rules.map((r: any) => r.id)).toEqual(["expire-purged-versions", "abort-incomplete-uploads"]);
    expect(rules[0].noncurrentVersionExpiration).toEqual({ noncurrentDays: 7 });
    for (const r of rules) expect(r.expiration).toBeUndefined();
  });

  it("gives the Cassandra pods' ServiceAccount an IRSA role limited to the bucket (no keys anywhere)", () => {
    const trust = JSON.parse(one("aws:iam/role:Role").assumeRolePolicy).Statement[0];
    expect(trust).toMatchObject({ Principal: { Federated: OIDC }, Action: "sts:AssumeRoleWithWebIdentity" });
    expect(trust.Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D:sub": "system:serviceaccount:platform:cassandra",
      "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D:aud": "sts.amazonaws.com",
    });
    const actions = JSON.parse(one("aws:iam/rolePolicy:RolePolicy").policy).Statement.flatMap((s: any) => s.Action);
    expect(actions).not.toContain("s3:*");
    expect(kube("ServiceAccount", "cassandra").metadata.annotations).toHaveProperty("eks.amazonaws.com/role-arn");
    expect(JSON.stringify(recorded.map((r) => r.inputs))).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws_access_key/i);
  });

  it("renders medusa.ini for AWS S3 with the stack's retention and the CA, and no login in it", () => {
    const ini: string = kube("ConfigMap", "cassandra-medusa").data["medusa.ini"];
    expect(ini).toMatch(/^storage_provider = s3$/m);
    expect(ini).toMatch(/^prefix = telemetry-us-east-1$/m);
    expect(ini).toMatch(/^max_backup_age = 30$/m);
    expect(ini).toMatch(/^max_backup_count = 120$/m);
    expect(ini).toMatch(/^certfile = \/etc\/cassandra-tls\/ca.pem$/m);
    // `npm run restore` loads through sstableloader: the Cassandra image's (the sidecar is built FROM it).
    expect(ini).toMatch(/^sstableloader_bin = \/opt\/cassandra\/bin\/sstableloader$/m);
    expect(ini).not.toMatch(/password|username|key_file/);
  });

  it("schedules the backup and a weekly primary-range repair, never overlapping, one node at a time", () => {
    const cron = kube("CronJob", "cassandra-backup");
    expect(cron.spec).toMatchObject({ schedule: "0 */6 * * *", concurrencyPolicy: "Forbid", timeZone: "Etc/UTC" });
    const script: string = cron.spec.jobTemplate.spec.template.spec.containers[0].command[2];
    expect(script).toContain("for pod in $pods; do");
    expect(script).toMatch(/exec "\$pod" -c medusa -- medusa --config-file \/tmp\/medusa.ini backup-node --backup-name "\$name" --mode differential && .* purge/);
    const repair = kube("CronJob", "cassandra-repair");
    expect(repair.spec.schedule).toBe("0 1 * * 0");
    expect(repair.spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain("repair -pr \"$0\"' telemetry");
  });

  it("lets the CronJobs only list pods and exec into them", () => {
    expect(kube("Role", "cassandra-maintenance").rules).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
    ]);
  });

  it("adds the medusa sidecar to every Cassandra pod: data volume, rendered cassandra.yaml, logins from Secrets, IRSA ServiceAccount", () => {
    const sets = recorded.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet");
    expect(sets.length).toBe(3);
    for (const s of sets) {
      const pod = (s.inputs as any).spec.template.spec;
      expect(pod.serviceAccountName).toBe("cassandra");
      const medusa = pod.containers.find((c: any) => c.name === "medusa");
      expect(medusa.image).toBe("medusa:test");
      const main = pod.containers.find((c: any) => c.name === "cassandra");
      const tls = main.volumeMounts.some((m: any) => m.mountPath === "/etc/cassandra-tls") ? ["/etc/cassandra-tls"] : [];
      expect(medusa.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(["/etc/cassandra", ...tls, "/etc/medusa", "/tmp", "/var/lib/cassandra"]);
      expect(medusa.volumeMounts.find((m: any) => m.mountPath === "/etc/cassandra").readOnly).toBe(true);
      for (const e of medusa.env.filter((x: any) => x.name.startsWith("MEDUSA_"))) expect(e.valueFrom.secretKeyRef, e.name).toBeDefined();
      // Least privilege: medusa logs in as its read-only role, never as the superuser.
      expect(medusa.env.find((x: any) => x.name === "MEDUSA_CQL_PASSWORD").valueFrom.secretKeyRef.name).toBe("cassandra-role-platform-backup");
      expect(medusa.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    }
  });

  it("refuses bad arguments, listing every problem", () => {
    expect(
      () => new CassandraBackup("bad", { clusterName: "telemetry", dataCenter: "us-east-1", region: "us-east-1", schedule: "daily", maxBackupAgeDays: 0, maxBackupCount: 0, oidcProviderArn: "arn:aws:iam::1:role/x", kubectlImage: "k" }),
    ).toThrow(/schedule: expected a five-field cron schedule, got "daily"[\s\S]*maxBackupAgeDays: and maxBackupCount are both 0[\s\S]*oidcProviderArn/);
  });
});

describe("medusa version", () => {
  it("the sidecar image and the drill run the same cassandra-medusa", () => {
    const docker = /ARG MEDUSA_VERSION=(\S+)/.exec(readFileSync(join(ROOT, "apps/medusa/Dockerfile"), "utf8"))![1];
    const script = /MEDUSA_VERSION="(\S+)"/.exec(readFileSync(join(ROOT, "scripts/medusa.sh"), "utf8"))![1];
    expect(docker).toBe(script);
  });
});

describe("medusa sidecar start script", () => {
  it("writes the node's own medusa.ini: the ConfigMap's template plus fqdn = its pod IP under [storage]", async () => {
    const { mkdtempSync, writeFileSync: write, readFileSync: read } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { execFileSync } = await import("node:child_process");
    const { MEDUSA_SIDECAR_SCRIPT, MEDUSA_CONFIG_DIR, MEDUSA_INI } = await import("../../../components/cassandra/medusa-sidecar.js");
    const { renderMedusaIni } = await import("../../../components/cassandra-backup/medusa-config.js");
    const dir = mkdtempSync(join(tmpdir(), "medusa-sidecar-"));
    write(join(dir, "medusa.ini"), renderMedusaIni({ storage: { bucket: "b", region: "us-east-1", prefix: "t-us-east-1", maxBackupAgeDays: 1, maxBackupCount: 0 }, node: { cassandraYaml: "/c.yaml", nodetool: "nodetool", jmxHost: "127.0.0.1", jmxPort: 7199 } }));
    // Only the line that writes the ini (the rest keeps the container alive), with the mounts moved to dir.
    const writeIni = MEDUSA_SIDECAR_SCRIPT.split("\n").find((l) => l.startsWith("sed "))!.replaceAll(MEDUSA_CONFIG_DIR, dir).replaceAll(MEDUSA_INI, join(dir, "out.ini"));
    execFileSync("sh", ["-c", writeIni], { env: { ...process.env, POD_IP: "10.1.2.3" } });
    expect(read(join(dir, "out.ini"), "utf8")).toMatch(/^\[storage\]\nfqdn = 10\.1\.2\.3\nstorage_provider = s3$/m);
  });
});
