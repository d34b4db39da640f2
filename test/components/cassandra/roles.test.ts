import { describe, expect, it } from "vitest";
import { installMocks, isSecretOutput, valueOf, type SynthResource } from "../../../scripts/synth/mocks";
import { appRoleGrants } from "../../../components/cassandra/roles";
import { localArgs } from "./fixtures";

describe("CassandraCluster application roles", async () => {
  const recorded: SynthResource[] = await installMocks({ stack: "local" });
  const { CassandraCluster } = await import("../../../components/cassandra/index.js");
  const cluster = new CassandraCluster("cassandra", {
    ...localArgs,
    appRoles: [
      { name: "app_writer", access: "readWrite" },
      { name: "app_reader", access: "read", password: "given-by-the-founding-region" },
    ],
  });
  await valueOf(cluster.schemaJobName);
  await new Promise((r) => setTimeout(r, 50));
  const secrets = recorded.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.inputs as any);
  const job = recorded.find((r) => r.type === "kubernetes:batch/v1:Job" && (r.inputs as any).metadata.name.startsWith("cassandra-schema-"))!.inputs as any;
  const container = job.spec.template.spec.containers[0];

  it("declares a Secret per role beside the superuser's, values masked, and generates only missing passwords", () => {
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(["cassandra-credentials", "cassandra-jmx", "cassandra-role-app-reader", "cassandra-role-app-writer"]);
    for (const s of secrets) expect(s.stringData).toEqual({ username: "[secret]", password: "[secret]" });
    const generated = recorded.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name);
    expect(generated.sort()).toEqual(["cassandra-jmx", "cassandra-role-app_writer", "cassandra-superuser"]);
  });

  it("passes each role's password to the schema Job from its Secret, never as a literal", () => {
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
    expect(env.CASSANDRA_ROLE_APP_WRITER_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: "cassandra-role-app-writer", key: "password" });
    expect(env.CASSANDRA_ROLE_APP_READER_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: "cassandra-role-app-reader", key: "password" });
    expect(JSON.stringify(job)).not.toContain("given-by-the-founding-region");
  });

  it("creates the roles after the schema, with keyspace-scoped grants only", () => {
    const script: string = container.command[2];
    expect(script.indexOf("ensure_role app_writer")).toBeGreaterThan(script.indexOf("schema.cql"));
    expect(script).toContain(`ensure_role app_writer "$CASSANDRA_ROLE_APP_WRITER_PASSWORD" "GRANT SELECT ON KEYSPACE telemetry TO app_writer; GRANT MODIFY ON KEYSPACE telemetry TO app_writer"`);
    expect(script).toContain(`ensure_role app_reader "$CASSANDRA_ROLE_APP_READER_PASSWORD" "GRANT SELECT ON KEYSPACE telemetry TO app_reader; REVOKE MODIFY ON KEYSPACE telemetry FROM app_reader"`);
    expect(script).toContain("SUPERUSER = false");
    expect(appRoleGrants("ks", { name: "r", access: "read" })).not.toMatch(/ALL|CREATE|ALTER|DROP|AUTHORIZE/);
  });

  it("exposes each role's credentials as typed outputs, the password secret", async () => {
    const reader = cluster.appRoles["app_reader"]!;
    expect(await valueOf(reader.secretName)).toBe("cassandra-role-app-reader");
    expect(await valueOf(reader.username)).toBe("app_reader");
    expect(await valueOf(reader.password)).toBe("given-by-the-founding-region");
    expect(await isSecretOutput(reader.password)).toBe(true);
    expect(await isSecretOutput(cluster.appRoles["app_writer"]!.password)).toBe(true);
  });

  it("rejects bad roles, listing every problem", () => {
    let message = "";
    try {
      new CassandraCluster("bad-roles", {
        ...localArgs,
        appRoles: [
          { name: "Bad-Name", access: "read" },
          { name: "cassandra", access: "read" },
          { name: "platform", access: "readWrite" },
          { name: "twice", access: "read" },
          { name: "twice", access: "admin" as never },
        ],
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`appRoles[0].name: must match`);
    expect(message).toContain(`got "Bad-Name"`);
    expect(message).toContain(`appRoles[1].name`);
    expect(message).toContain(`appRoles[2].name`);
    expect(message).toContain(`appRoles[4].name: "twice" is listed twice`);
    expect(message).toContain(`appRoles[4].access: must be read or readWrite, got "admin"`);
  });
});
