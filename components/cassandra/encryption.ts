import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { TLS_DIR } from "./scripts";

/** The cluster CA a data centre's node certificate is signed by (the founder's, shared by stack outputs). */
export interface CassandraEncryptionArgs {
  /** CA certificate (PEM) every node and client trusts. */
  readonly caCertPem: pulumi.Input<string>;
  /** CA private key (PEM, secret): signs this data centre's node certificate. */
  readonly caPrivateKeyPem: pulumi.Input<string>;
  /** Accept plaintext CQL beside TLS (a migration step while clients move to TLS). @default false */
  readonly clientOptional?: boolean;
  /**
   * Mutual TLS on the CQL port: every client presents a certificate of the cluster CA (on when
   * the port is published beyond the cluster, e.g. for the Vercel functions). @default false
   */
  readonly requireClientCertificates?: boolean;
}

/** File names inside the TLS Secret (mounted at {@link TLS_DIR}). */
export const KEYSTORE_FILE = "keystore.pem";
export const CA_FILE = "ca.pem";

/**
 * cassandra.yaml blocks for internode (every connection, also within a DC) and client
 * encryption with PEM files (Cassandra >= 4.1's PEMBasedSslContextFactory: no JKS, no keystore
 * password; the unencrypted PKCS#8 key lives only in the Secret). Internode TLS is mutual
 * (`require_client_auth`): only nodes holding a certificate of the cluster CA can join.
 * `optional: false` on both sides, or plaintext peers and clients would still be accepted.
 * `requireClientCertificates` makes the CQL port mutual too (one port serves every client, so
 * in-cluster clients then need a certificate as well). Endpoint (hostname) verification is off: nodes connect to broadcast IPs, which a certificate
 * issued before the pod existed cannot name; trust comes from the CA, which is per cluster.
 */
export function encryptionYaml(dir: string = TLS_DIR, clientOptional = false, requireClientCertificates = false): string {
  const factory = ["  ssl_context_factory:", "    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory"];
  return [
    "server_encryption_options:",
    "  internode_encryption: all",
    "  optional: false",
    ...factory,
    `  keystore: ${dir}/${KEYSTORE_FILE}`,
    `  truststore: ${dir}/${CA_FILE}`,
    "  require_client_auth: true",
    "  require_endpoint_verification: false",
    "client_encryption_options:",
    "  enabled: true",
    `  optional: ${clientOptional}`,
    ...factory,
    `  keystore: ${dir}/${KEYSTORE_FILE}`,
    // With client certificates required, a client must chain to the cluster CA (the truststore).
    ...(requireClientCertificates ? [`  truststore: ${dir}/${CA_FILE}`, "  require_client_auth: true"] : ["  require_client_auth: false"]),
    "",
  ].join("\n");
}

/** Two years; Pulumi issues a new one within the last 30 days (the next deploy rolls it out). */
const VALIDITY_HOURS = 2 * 365 * 24;
const EARLY_RENEWAL_HOURS = 30 * 24;

/** A new CA for one Cassandra cluster (created by the founding region only). */
export function createClusterCa(name: string, clusterName: string, opts: pulumi.CustomResourceOptions): { caCertPem: pulumi.Output<string>; caPrivateKeyPem: pulumi.Output<string> } {
  const key = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "RSA", rsaBits: 3072 }, opts);
  const cert = new tls.SelfSignedCert(
    `${name}-ca`,
    {
      privateKeyPem: key.privateKeyPem,
      isCaCertificate: true,
      subject: { commonName: `${clusterName} Cassandra CA`, organization: "platform" },
      // The CA outlives many node certificates; rotating it means re-issuing every DC's.
      validityPeriodHours: 5 * 365 * 24,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    },
    opts,
  );
  return { caCertPem: cert.certPem, caPrivateKeyPem: pulumi.secret(key.privateKeyPem) };
}

/**
 * This data centre's node certificate, signed by the cluster CA: one per DC (every pod of the
 * DC presents it), valid for server and client use (internode TLS is mutual).
 */
export function issueNodeCertificate(
  name: string,
  args: { dataCenter: string; dnsNames: string[]; ca: CassandraEncryptionArgs },
  opts: pulumi.CustomResourceOptions,
): { keystorePem: pulumi.Output<string>; caPem: pulumi.Output<string> } {
  const key = new tls.PrivateKey(`${name}-node-key`, { algorithm: "RSA", rsaBits: 2048 }, opts);
  const csr = new tls.CertRequest(
    `${name}-node-csr`,
    { privateKeyPem: key.privateKeyPem, subject: { commonName: `cassandra.${args.dataCenter}`, organization: "platform" }, dnsNames: args.dnsNames },
    opts,
  );
  const cert = signWithClusterCa(`${name}-node-cert`, csr, args.ca, ["server_auth", "client_auth"], opts);
  // PEMBasedSslContextFactory wants the PKCS#8 key followed by the certificate in one file.
  const keystorePem = pulumi.secret(pulumi.interpolate`${key.privateKeyPemPkcs8}${cert.certPem}`);
  return { keystorePem, caPem: pulumi.output(args.ca.caCertPem) };
}

/**
 * A client certificate signed by the cluster CA, for clients of a node that requires one
 * (`requireClientCertificates`): the Vercel functions, the in-cluster apps and Jobs.
 */
export function issueClientCertificate(
  name: string,
  args: { commonName: string; ca: Pick<CassandraEncryptionArgs, "caCertPem" | "caPrivateKeyPem"> },
  opts: pulumi.CustomResourceOptions,
): { certPem: pulumi.Output<string>; privateKeyPem: pulumi.Output<string> } {
  const key = new tls.PrivateKey(`${name}-client-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const csr = new tls.CertRequest(`${name}-client-csr`, { privateKeyPem: key.privateKeyPem, subject: { commonName: args.commonName, organization: "platform" } }, opts);
  const cert = signWithClusterCa(`${name}-client-cert`, csr, args.ca, ["client_auth"], opts);
  return { certPem: cert.certPem, privateKeyPem: pulumi.secret(key.privateKeyPemPkcs8) };
}

/** A certificate signed by the cluster CA with its validity and renewal window; `uses` beyond the key's. */
function signWithClusterCa(
  name: string,
  csr: tls.CertRequest,
  ca: Pick<CassandraEncryptionArgs, "caCertPem" | "caPrivateKeyPem">,
  uses: string[],
  opts: pulumi.CustomResourceOptions,
): tls.LocallySignedCert {
  return new tls.LocallySignedCert(
    name,
    {
      certRequestPem: csr.certRequestPem,
      caCertPem: ca.caCertPem,
      caPrivateKeyPem: ca.caPrivateKeyPem,
      validityPeriodHours: VALIDITY_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["digital_signature", "key_encipherment", ...uses],
    },
    opts,
  );
}
