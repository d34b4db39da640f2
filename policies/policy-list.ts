/**
 * The platform's policies, in report order. Kept apart from ./index.ts (which constructs the
 * PolicyPack and so starts the policy server) so tests and the offline runner import them freely.
 */
import type { PlatformPolicy } from "./core/types";
import { cqrsRouting } from "./rules/routing/platform-istio-cqrs-routing";
import { destinationRuleOutlierDetection } from "./rules/routing/platform-istio-destination-rule-outlier-detection";
import { gatewayTls } from "./rules/routing/platform-istio-gateway-tls";
import { httpRouteTimeout } from "./rules/routing/platform-istio-http-route-timeout";
import { retryPolicy } from "./rules/routing/platform-istio-retry-policy";
import { routeDestinationResolves } from "./rules/routing/platform-istio-route-destination-resolves";
import { routeWeights } from "./rules/routing/platform-istio-route-weights";
import { strictMtls } from "./rules/routing/platform-istio-strict-mtls";
import { noUnreachableRoute } from "./rules/routing/platform-istio-virtualservice-no-unreachable-route";
import { cassandraAppsLeastPrivilege } from "./rules/security/platform-cassandra-apps-least-privilege";
import { cassandraPublicCqlClientCertificates } from "./rules/security/platform-cassandra-public-cql-client-certificates";
import { containerHardened } from "./rules/security/platform-k8s-container-hardened";
import { elasticacheEncryption } from "./rules/security/platform-elasticache-encryption";
import { loadBalancerSourceRanges } from "./rules/security/platform-k8s-loadbalancer-source-ranges";
import { noPlaintextSecrets } from "./rules/security/platform-k8s-no-plaintext-secrets";
import { noPrivilegedHostAccess } from "./rules/security/platform-k8s-no-privileged-host-access";
import { vercelSecretEnvSensitive } from "./rules/security/platform-vercel-secret-env-sensitive";
import { cassandraMemoryHeap } from "./rules/sizing/platform-cassandra-memory-heap";
import { cassandraReplicationFactor } from "./rules/sizing/platform-cassandra-replication-factor";
import { cassandraScaleDownGuard } from "./rules/sizing/platform-cassandra-scale-down-guard";
import { containerResources } from "./rules/sizing/platform-k8s-container-resources";
import { prodGatewayMinReplicas } from "./rules/sizing/platform-prod-gateway-min-replicas";
import { prodPodDisruptionBudget } from "./rules/sizing/platform-prod-pod-disruption-budget";
import { prodRedisHighAvailability } from "./rules/sizing/platform-prod-redis-high-availability";
import { prodSizingFloor } from "./rules/sizing/platform-prod-sizing-floor";
import { prodZoneSpread } from "./rules/sizing/platform-prod-zone-spread";
import { vercelFunctionLimits } from "./rules/sizing/platform-vercel-function-limits";

export const ROUTING_POLICIES: readonly PlatformPolicy[] = [
  routeDestinationResolves,
  noUnreachableRoute,
  cqrsRouting,
  httpRouteTimeout,
  retryPolicy,
  routeWeights,
  destinationRuleOutlierDetection,
  strictMtls,
  gatewayTls,
];

export const SIZING_POLICIES: readonly PlatformPolicy[] = [
  containerResources,
  cassandraMemoryHeap,
  cassandraReplicationFactor,
  cassandraScaleDownGuard,
  prodZoneSpread,
  prodPodDisruptionBudget,
  prodGatewayMinReplicas,
  prodRedisHighAvailability,
  prodSizingFloor,
  vercelFunctionLimits,
];

export const SECURITY_POLICIES: readonly PlatformPolicy[] = [
  noPrivilegedHostAccess,
  containerHardened,
  noPlaintextSecrets,
  cassandraAppsLeastPrivilege,
  vercelSecretEnvSensitive,
  elasticacheEncryption,
  loadBalancerSourceRanges,
  cassandraPublicCqlClientCertificates,
];

export const PLATFORM_POLICIES: readonly PlatformPolicy[] = [...ROUTING_POLICIES, ...SIZING_POLICIES, ...SECURITY_POLICIES];
