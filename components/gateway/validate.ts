import { parseCidr } from "../../apps/gateway/src/config/index";
import type { GatewayRoute } from "../../apps/gateway/src/config/keys";
import { DOMAIN_NAME, TENANT_ID } from "../../apps/dns-cache/src/shared/record";
import { ArgErrors, isPositiveInt } from "../shared/validate";
import { quoteEnvValue } from "./env-file";
import type { GatewayArgs } from "./index";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Checks every Gateway argument and throws one error listing each problem. */
export function validate(args: GatewayArgs, routes: readonly GatewayRoute[]): void {
  const e = new ArgErrors("Gateway");
  const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
  e.check(args.namespace === undefined || dnsLabel.test(args.namespace), "namespace", `"${args.namespace}" is not a DNS label`);
  e.check(typeof args.image !== "string" || args.image.length > 0, "image", "must not be empty");
  e.check(/^[a-z0-9-]+$/.test(args.region), "region", `"${args.region}" must be a region name such as eu-west-1`);
  e.check(/^[a-z0-9-]+$/.test(args.stage), "stage", `"${args.stage}" must be a stage name such as prod`);
  e.check(isPositiveInt(args.minReplicas), "minReplicas", `${args.minReplicas} must be a positive integer`);
  e.check(isPositiveInt(args.maxReplicas) && args.maxReplicas >= args.minReplicas, "maxReplicas", `${args.maxReplicas} must be an integer >= minReplicas (${args.minReplicas})`);
  const cpu = args.targetCpuPercent ?? 70;
  e.check(Number.isInteger(cpu) && cpu >= 1 && cpu <= 100, "targetCpuPercent", `${cpu} must be an integer from 1 to 100`);
  e.check(isPositiveInt(args.size.cpuMillis), "size.cpuMillis", `${args.size.cpuMillis} must be a positive integer`);
  e.check(isPositiveInt(args.size.memoryMiB), "size.memoryMiB", `${args.size.memoryMiB} must be a positive integer`);
  e.check((args.size.cpuLimitMillis ?? args.size.cpuMillis) >= args.size.cpuMillis, "size.cpuLimitMillis", `${args.size.cpuLimitMillis} must be >= cpuMillis`);
  e.check(routes.length > 0, "routes", "needs at least one route");
  const prefixes = routes.map((r) => r.prefix);
  for (const p of prefixes) e.check(/^\/[A-Za-z0-9._~\-/]*$/.test(p), "routes", `prefix "${p}" must start with / and hold only path characters`);
  e.check(new Set(prefixes).size === prefixes.length, "routes", `duplicate prefixes in ${JSON.stringify(prefixes)}`);
  e.check(envSafe(JSON.stringify(routes)), "routes", "cannot be written to a .env file (holds both ' and `)");
  const needsAuth = routes.some((r) => r.auth);
  e.check(!needsAuth || args.jwt !== undefined, "jwt", "is required when a route has auth: true");
  if (args.jwt) {
    const sources = [args.jwt.key, args.jwt.keySecretName].filter((s) => s !== undefined).length;
    e.check(sources === 1, "jwt", `needs exactly one of key or keySecretName (got ${sources})`);
    for (const k of ["algorithm", "issuer", "audience"] as const) {
      e.check(args.jwt[k].length > 0 && envSafe(args.jwt[k]), `jwt.${k}`, `${JSON.stringify(args.jwt[k])} must be non-empty and one line`);
    }
  }
  e.check(!(args.redis?.password !== undefined && args.redis?.passwordSecretName !== undefined), "redis", "give password or passwordSecretName, not both");
  e.check(args.logLevel === undefined || LOG_LEVELS.includes(args.logLevel), "logLevel", `"${args.logLevel}" must be one of ${LOG_LEVELS.join(", ")}`);
  e.check(args.upstreamTimeoutMs === undefined || isPositiveInt(args.upstreamTimeoutMs), "upstreamTimeoutMs", `${args.upstreamTimeoutMs} must be a positive integer`);
  for (const p of args.trustedProxies ?? []) e.check(parseCidr(p) !== undefined, "trustedProxies", `${JSON.stringify(p)} is not an IP address or CIDR`);
  if (args.customDomains) {
    const cd = args.customDomains;
    e.check(args.subjectSigning === true, "customDomains", "needs subjectSigning: true (the gateway signs the tenant header with the subject key)");
    e.check(DOMAIN_NAME.test(cd.publicHost), "customDomains.publicHost", `"${cd.publicHost}" is not a lower-case domain name`);
    for (const [domain, tenant] of Object.entries(cd.domains)) {
      e.check(DOMAIN_NAME.test(domain) && domain !== cd.publicHost, `customDomains.domains["${domain}"]`, "must be a lower-case domain name other than publicHost");
      e.check(TENANT_ID.test(tenant), `customDomains.domains["${domain}"]`, `tenant "${tenant}" must be a-z, 0-9, - (at most 63)`);
    }
    e.check(cd.dnsTimeoutMs === undefined || (isPositiveInt(cd.dnsTimeoutMs) && cd.dnsTimeoutMs <= 10_000), "customDomains.dnsTimeoutMs", `${cd.dnsTimeoutMs} must be an integer from 1 to 10000`);
  }
  e.check(args.cacheL1MaxMiB === undefined || isPositiveInt(args.cacheL1MaxMiB), "cacheL1MaxMiB", `${args.cacheL1MaxMiB} must be a positive integer`);
  e.throwIfAny();
}

function envSafe(value: string): boolean {
  try {
    quoteEnvValue(value);
    return true;
  } catch {
    return false;
  }
}
