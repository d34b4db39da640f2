/**
 * The local control plane's certificates, made with openssl: a CA, the API server's serving
 * certificate, an admin client certificate (group system:masters) and the service-account
 * signing key. EC P-256 keys: generated in milliseconds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly saKey: string;
  readonly saPub: string;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
const key = (path: string) => openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path]);

function signed(dir: string, name: string, subject: string, ext: string): void {
  key(join(dir, `${name}.key`));
  openssl(["req", "-new", "-key", join(dir, `${name}.key`), "-subj", subject, "-out", join(dir, `${name}.csr`)]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(["x509", "-req", "-in", join(dir, `${name}.csr`), "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key"), "-CAcreateserial", "-days", "365", "-extfile", join(dir, `${name}.ext`), "-out", join(dir, `${name}.crt`)]);
}

/** Creates the PKI under `dir` unless it is already there. */
export function ensurePki(dir: string, serviceIp: string): Pki {
  const pki: Pki = {
    dir,
    caCert: join(dir, "ca.crt"),
    serverCert: join(dir, "apiserver.crt"),
    serverKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    saKey: join(dir, "sa.key"),
    saPub: join(dir, "sa.pub"),
  };
  if (existsSync(pki.saPub)) return pki;
  mkdirSync(dir, { recursive: true });
  key(join(dir, "ca.key"));
  openssl(["req", "-x509", "-new", "-key", join(dir, "ca.key"), "-subj", "/CN=platform-local-ca", "-days", "365", "-out", pki.caCert]);
  signed(dir, "apiserver", "/CN=kube-apiserver",
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:${serviceIp},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n`);
  signed(dir, "admin", "/O=system:masters/CN=platform-admin", "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
  key(pki.saKey);
  openssl(["pkey", "-in", pki.saKey, "-pubout", "-out", pki.saPub]);
  return pki;
}
