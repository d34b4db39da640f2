/**
 * The custom-domain DNS cache (apps/dns-cache): its loop must keep completing, or the domain
 * records in Redis expire (TTL 2.5 intervals) and every gateway pod falls back to its own DNS
 * lookups, and a domain that moved away keeps routing until its record expires.
 */
import { DNS_CACHE_METRICS as DNS } from "../../apps/dns-cache/src/metric-names";
import type { AlertRule } from "./dsl";
import { ns, TEAM } from "./rules-common";
import { gauge } from "./synthetic";

const labels = (namespace: string) => ({ namespace, pod: "dns-cache-0" });

/** Rule area of dns-cache: its rules exist only in stacks that deploy it (see deployedRules). */
export const DNS_CACHE_AREA = "dns-cache";

export const DNS_CACHE_RUN_NOT_COMPLETED: AlertRule = {
  name: "DnsCacheRunNotCompleted",
  title: "DNS cache run not completed for three intervals",
  description:
    "dns-cache has not completed a run over the custom domains for more than the threshold number of its own intervals, or no dns-cache pod is scraped at all (only in stacks with custom domains): their Redis records expire and the gateway resolves each custom domain itself (slower; a DNS outage then refuses them with 421).",
  firstCheck: "`kubectl -n platform logs deploy/dns-cache`: RunFailed (Redis unreachable) or DomainLookupFailed (the resolver), and dns_cache_domains_failed_total by reason.",
  severity: "warning",
  notify: TEAM,
  area: DNS_CACHE_AREA,
  intervalSeconds: 60,
  forSeconds: 300,
  breach: "above",
  // Three intervals, whatever the stack's interval is: the app exports its interval.
  thresholds: { local: 3, dev: 3, staging: 3, prod: 3 },
  unit: "count",
  source: {
    kind: "promql",
    windowSeconds: 0,
    metrics: [DNS.lastSuccess, DNS.interval],
    // `or absent(...)`: no dns-cache series at all (the pods are gone) counts as never completed.
    // Safe because the Alerting component adds this rule only where dns-cache is deployed.
    query: (c) => `(time() - max(${DNS.lastSuccess}{${ns(c)}})) / max(${DNS.interval}{${ns(c)}} > 0) or absent(${DNS.lastSuccess}{${ns(c)}}) * 1000`,
    // Rule tests run from time 0 for ~11 minutes with a 60 s interval: a last success at 600 s is
    // at most one interval old; one at 0 is more than three old from 240 s on.
    fixture: {
      healthy: (_t, c) => [gauge(DNS.lastSuccess, labels(c.namespace), 600), gauge(DNS.interval, labels(c.namespace), 60)],
      breach: (_t, c) => [gauge(DNS.lastSuccess, labels(c.namespace), 0), gauge(DNS.interval, labels(c.namespace), 60)],
    },
  },
};
