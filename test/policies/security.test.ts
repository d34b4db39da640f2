import { describe, expect, it } from "vitest";
import { isSecretName, secretLikeValue } from "../../policies/core/secrets";
import { encryptionYaml } from "../../components/cassandra/encryption";
import { TLS_DIR } from "../../components/cassandra/scripts";
import { cassandraAppsLeastPrivilege } from "../../policies/rules/security/platform-cassandra-apps-least-privilege";
import { cassandraPublicCqlClientCertificates } from "../../policies/rules/security/platform-cassandra-public-cql-client-certificates";
import { containerHardened } from "../../policies/rules/security/platform-k8s-container-hardened";
import { elasticacheEncryption } from "../../policies/rules/security/platform-elasticache-encryption";
import { loadBalancerSourceRanges } from "../../policies/rules/security/platform-k8s-loadbalancer-source-ranges";
import { noPlaintextSecrets } from "../../policies/rules/security/platform-k8s-no-plaintext-secrets";
import { noPrivilegedHostAccess } from "../../policies/rules/security/platform-k8s-no-privileged-host-access";
import { vercelSecretEnvSensitive } from "../../policies/rules/security/platform-vercel-secret-env-sensitive";
import { clone, goodStack, messages, obj } from "./fixtures";

const base = goodStack();
const fresh = () => clone(base);
const pod = (s: ReturnType<typeof fresh>, name: string) => obj(s, "Deployment", name).spec.template.spec;
/** A random-looking 32-char token (base64 alphabet, 5.0 bits/char). */
const TOKEN = "q8Zr2LxV9pK4mW7tN1bY6cH3sJ0dF5gA";

describe("secret heuristics", () => {
  it("tells secret names from names about secrets", () => {
    expect(["REDIS_PASSWORD", "jwt.secret", "API_KEY", "apiKey", "GITHUB_TOKEN", "db-credentials"].map(isSecretName)).toEqual([true, true, true, true, true, true]);
    expect(["JWT_KEY_FILE", "REDIS_PASSWORD_FILE", "TOKEN_URL", "SECRET_NAME", "REDIS_HOST", "JWT_ALG"].map(isSecretName)).toEqual([false, false, false, false, false, false]);
  });
  it("spots secret values by format and entropy, not digests, paths or prose", () => {
    expect(secretLikeValue(TOKEN)).toMatch(/^a high-entropy string/);
    expect(secretLikeValue("-----BEGIN RSA PRIVATE KEY-----\nabc")).toBe("a PEM private key");
    expect(secretLikeValue("AKIAABCDEFGHIJKLMNOP")).toBe("an AWS access key id");
    expect(secretLikeValue("redis://user:hunter2@redis:6379")).toBe("a URL with a password");
    expect(secretLikeValue("[secret]")).toBe("a Pulumi secret");
    for (const ok of [`sha256:${"0123456789abcdef".repeat(4)}`, "/etc/gateway/jwt/key", "https://auth.example.com/.well-known/jwks.json", "CREATE KEYSPACE IF NOT EXISTS telemetry", "registry.example.com/gateway:1.2.3"]) {
      expect(secretLikeValue(ok)).toBeUndefined();
    }
  });
});

describe("platform-k8s-no-privileged-host-access", () => {
  it("passes pods without host access", () => {
    expect(messages(noPrivilegedHostAccess, fresh())).toEqual([]);
  });
  it("flags privileged containers, hostPath and hostNetwork", () => {
    const s = fresh();
    const p = pod(s, "gateway");
    p.hostNetwork = true;
    p.volumes = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }];
    p.containers[0].securityContext.privileged = true;
    expect(messages(noPrivilegedHostAccess, s)).toEqual([
      `Deployment platform/gateway: Pod spec sets hostNetwork: true. Fix: remove hostNetwork; pods must not share the node's namespaces.`,
      `Deployment platform/gateway: Volume "docker" mounts hostPath /var/run/docker.sock. Fix: use an emptyDir, ConfigMap/Secret or PersistentVolumeClaim instead.`,
      `Deployment platform/gateway: containers[0] "gateway" is privileged. Fix: set securityContext.privileged: false (hardenedContainerSecurity()).`,
    ]);
  });
});

describe("platform-k8s-container-hardened", () => {
  it("passes hardened containers (runAsNonRoot may come from the pod)", () => {
    const s = fresh();
    delete pod(s, "gateway").containers[0].securityContext.runAsNonRoot;
    expect(messages(containerHardened, s)).toEqual([]);
  });
  it("flags root, writable root filesystem and privilege escalation", () => {
    const s = fresh();
    const sc = pod(s, "telemetry-query").containers[0].securityContext;
    sc.runAsUser = 0;
    delete sc.readOnlyRootFilesystem;
    sc.allowPrivilegeEscalation = true;
    expect(messages(containerHardened, s)).toEqual([
      `Deployment platform/telemetry-query: containers[0] "telemetry-query": runAsUser is 0, readOnlyRootFilesystem is not true, allowPrivilegeEscalation is not false. Fix: set securityContext { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } on containers[0] "telemetry-query".`,
    ]);
  });
});

describe("platform-cassandra-apps-least-privilege", () => {
  it("passes apps on their own roles while the schema Job logs in as the superuser", () => {
    expect(messages(cassandraAppsLeastPrivilege, fresh())).toEqual([]);
  });
  it("flags an app reading the superuser's Secret by env, envFrom or volume", () => {
    const s = fresh();
    pod(s, "telemetry-command").containers[0].env.find((e: any) => e.name === "CASSANDRA_PASSWORD").valueFrom.secretKeyRef.name = "cassandra-credentials";
    pod(s, "gateway").containers[0].envFrom = [{ secretRef: { name: "cassandra-credentials" } }];
    pod(s, "telemetry-query").volumes = [{ name: "db", secret: { secretName: "cassandra-credentials" } }];
    expect(messages(cassandraAppsLeastPrivilege, s)).toEqual([
      `Deployment platform/gateway: containers[0] "gateway" envFrom reads the Cassandra superuser's Secret cassandra-credentials. Fix: run gateway as an app role: reference its Secret cassandra-role-<name> instead.`,
      `Deployment platform/telemetry-command: containers[0] "telemetry-command" env CASSANDRA_PASSWORD reads the Cassandra superuser's Secret cassandra-credentials. Fix: run telemetry-command as an app role: reference its Secret cassandra-role-<name> instead.`,
      `Deployment platform/telemetry-query: volume "db" reads the Cassandra superuser's Secret cassandra-credentials. Fix: run telemetry-query as an app role: reference its Secret cassandra-role-<name> instead.`,
    ]);
  });
});

describe("platform-k8s-no-plaintext-secrets", () => {
  it("passes Secret references and plain config", () => {
    expect(messages(noPlaintextSecrets, fresh())).toEqual([]);
  });
  it("flags a secret-named literal env var and a high-entropy one", () => {
    const s = fresh();
    pod(s, "gateway").containers[0].env.push({ name: "JWT_SECRET", value: "changeme" }, { name: "UPSTREAM_OPTS", value: `--auth ${TOKEN}` });
    expect(messages(noPlaintextSecrets, s)).toEqual([
      `Deployment platform/gateway: containers[0] "gateway" env JWT_SECRET holds a value under secret-like name "JWT_SECRET" in plain text. Fix: use env JWT_SECRET with valueFrom.secretKeyRef instead of a literal value.`,
      `Deployment platform/gateway: containers[0] "gateway" env UPSTREAM_OPTS holds a high-entropy string (5.0 bits/char) in plain text. Fix: use env UPSTREAM_OPTS with valueFrom.secretKeyRef instead of a literal value.`,
    ]);
  });
  it("flags a password line in a .env ConfigMap and a Pulumi secret in a ConfigMap", () => {
    const s = fresh();
    const cm = obj(s, "ConfigMap", "gateway-env");
    cm.data["gateway.env"] += "REDIS_PASSWORD=hunter2\n";
    obj(s, "ConfigMap", "cassandra-schema").data.password = "[secret]";
    expect(messages(noPlaintextSecrets, s)).toEqual([
      `ConfigMap platform/cassandra-schema: data "password" holds a Pulumi secret in plain text. Fix: move "password" into a Secret and mount or reference it from there.`,
      `ConfigMap platform/gateway-env: data "gateway.env" line REDIS_PASSWORD holds a value under secret-like name "REDIS_PASSWORD" in plain text. Fix: remove REDIS_PASSWORD from the ConfigMap and inject it from a Secret.`,
    ]);
  });
});

describe("platform-vercel-secret-env-sensitive", () => {
  const vars = (s: ReturnType<typeof fresh>) => s.filter((r) => r.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable");
  it("passes sensitive secrets and plain non-secrets", () => {
    expect(messages(vercelSecretEnvSensitive, fresh())).toEqual([]);
  });
  it("flags a secret-named variable and a high-entropy value that are not sensitive", () => {
    const s = fresh();
    vars(s)[0].props.sensitive = false;
    vars(s)[1].props.value = TOKEN;
    expect(messages(vercelSecretEnvSensitive, s)).toEqual([
      `vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable env-cassandra_password: Vercel env var CASSANDRA_PASSWORD holds a value under a secret-like name but is not sensitive. Fix: set sensitive: true on CASSANDRA_PASSWORD.`,
      `vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable env-cassandra_keyspace: Vercel env var CASSANDRA_KEYSPACE holds a high-entropy string (5.0 bits/char) but is not sensitive. Fix: set sensitive: true on CASSANDRA_KEYSPACE.`,
    ]);
  });
});

describe("platform-elasticache-encryption", () => {
  const rg = (s: ReturnType<typeof fresh>) => s.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!.props;
  it("passes with encryption in transit and at rest", () => {
    expect(messages(elasticacheEncryption, fresh())).toEqual([]);
  });
  it("flags a replication group without encryption", () => {
    const s = fresh();
    rg(s).transitEncryptionEnabled = false;
    delete rg(s).atRestEncryptionEnabled;
    expect(messages(elasticacheEncryption, s)).toEqual([
      `aws:elasticache/replicationGroup:ReplicationGroup redis: ElastiCache replication group redis does not set transitEncryptionEnabled and atRestEncryptionEnabled. Fix: set transitEncryptionEnabled: true, atRestEncryptionEnabled: true.`,
    ]);
  });
});

describe("platform-k8s-loadbalancer-source-ranges", () => {
  it("passes ClusterIP Services, restricted and internal load balancers", () => {
    const s = fresh();
    Object.assign(obj(s, "Service", "gateway").spec, { type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] });
    Object.assign(obj(s, "Service", "cassandra-client"), { metadata: { ...obj(s, "Service", "cassandra-client").metadata, annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } } });
    obj(s, "Service", "cassandra-client").spec.type = "LoadBalancer";
    expect(messages(loadBalancerSourceRanges, s)).toEqual([]);
  });
  it("flags a public LoadBalancer open to the world", () => {
    const s = fresh();
    obj(s, "Service", "gateway").spec.type = "LoadBalancer";
    Object.assign(obj(s, "Service", "telemetry").spec, { type: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"] });
    expect(messages(loadBalancerSourceRanges, s)).toEqual([
      `Service platform/gateway: Public LoadBalancer Service has no loadBalancerSourceRanges. Fix: list the allowed client CIDRs in spec.loadBalancerSourceRanges, or annotate the Service as an internal load balancer.`,
      `Service platform/telemetry: Public LoadBalancer Service allows 0.0.0.0/0. Fix: list the allowed client CIDRs in spec.loadBalancerSourceRanges, or annotate the Service as an internal load balancer.`,
    ]);
  });
});

describe("platform-cassandra-public-cql-client-certificates", () => {
  /** The stack with `cassandra-client` published on an NLB, its nodes rendering `yaml`. */
  const published = (yaml: string | undefined, annotations: Record<string, string> = {}) => {
    const s = fresh();
    const svc = obj(s, "Service", "cassandra-client");
    svc.spec.type = "LoadBalancer";
    svc.spec.selector = { "app.kubernetes.io/name": "cassandra", "app.kubernetes.io/component": "database" }; // as the component's
    svc.spec.loadBalancerSourceRanges = ["203.0.113.0/24"];
    svc.metadata.annotations = annotations;
    for (const r of s.filter((x) => x.type === "kubernetes:apps/v1:StatefulSet")) {
      if (yaml !== undefined) r.props.spec.template.spec.initContainers[0].command[2] = `cat >>/config/cassandra.yaml <<'PLATFORM_YAML'\n${yaml}PLATFORM_YAML`;
    }
    return s;
  };

  it("passes CQL inside the cluster, internal load balancers, and a public one in front of nodes requiring client certificates", () => {
    expect(messages(cassandraPublicCqlClientCertificates, fresh())).toEqual([]);
    expect(messages(cassandraPublicCqlClientCertificates, published(undefined, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }))).toEqual([]);
    expect(messages(cassandraPublicCqlClientCertificates, published(encryptionYaml(TLS_DIR, false, true)))).toEqual([]);
  });

  it("flags a public CQL load balancer in front of nodes without client-certificate auth", () => {
    const withoutCerts = messages(cassandraPublicCqlClientCertificates, published(encryptionYaml(TLS_DIR)));
    expect(withoutCerts).toHaveLength(3); // one per rack
    expect(withoutCerts[0]).toBe(
      "Service platform/cassandra-client: Public LoadBalancer on port 9042 reaches StatefulSet cassandra-a, which does not require client certificates (require_client_auth: false). Fix: set client_encryption_options enabled: true, optional: false, require_client_auth: true and a truststore (CassandraCluster publicEndpoint does).",
    );
    expect(messages(cassandraPublicCqlClientCertificates, published(encryptionYaml(TLS_DIR, true, true)))[0]).toMatch(/accepts plaintext clients/);
    expect(messages(cassandraPublicCqlClientCertificates, published(undefined))[0]).toMatch(/renders no client_encryption_options/);
  });

  it("flags a public CQL load balancer whose selector reaches no Cassandra node", () => {
    const s = published(encryptionYaml(TLS_DIR, false, true));
    obj(s, "Service", "cassandra-client").spec.selector = { app: "something-else" };
    expect(messages(cassandraPublicCqlClientCertificates, s)).toEqual([
      "Service platform/cassandra-client: Public LoadBalancer on port 9042 selects no Cassandra node whose client authentication can be checked. Fix: select the Cassandra pods (and require client certificates on them), or make the load balancer internal.",
    ]);
  });
});
