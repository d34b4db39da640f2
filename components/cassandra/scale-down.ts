import { contentHash } from "../shared/hash";
import type { KubeObject } from "../shared/kube";
import { buildNodetoolJob } from "./job";
import { JMX_PORT } from "./scripts";
import { NAME } from "./workload";
import { SCALE_DOWN_COMPONENT, scaleDownTargets, type ScaleDownTarget } from "./scale-down-targets";

export { SCALE_DOWN_COMPONENT, parseScaleDownTargets, scaleDownTargets, type ScaleDownTarget } from "./scale-down-targets";

/**
 * Safe scale-down. A StatefulSet that shrinks deletes its highest pods: a Cassandra node removed
 * that way still owns its token ranges (its replicas are simply gone until someone runs
 * `nodetool removenode`, and with RF 1 its data is lost). So every Cassandra StatefulSet waits
 * for this Job, which decommissions (streams away, then leaves the ring) each node the new
 * replica count would remove, before Pulumi changes the StatefulSet. The policy
 * `platform-cassandra-scale-down-guard` refuses a StatefulSet without it.
 */
export interface ScaleDownJobSpec {
  readonly namespace: string;
  readonly image: string;
  /** Every Cassandra StatefulSet of the data centre with its declared replicas. */
  readonly targets: readonly ScaleDownTarget[];
  /** DNS suffix of the pods (`<pod>.<domain>`: the headless Service publishes not-ready pods too). */
  readonly podDomain: string;
  readonly jmxSecretName: string;
  /** Wait loop for a node's JMX (attempts x interval). */
  readonly waitAttempts: number;
  readonly waitIntervalSeconds: number;
  readonly backoffLimit: number;
}

/**
 * The guard's shell script (env: SCALE_DOWN_TARGETS, POD_DOMAIN, JMX_USERNAME/PASSWORD).
 *
 * 1. Counts, per StatefulSet, the pods beyond the target that exist (DNS of `<sts>-<n>`): more
 *    than one in a rack is refused before anything changes, because an OrderedReady StatefulSet
 *    only deletes the lowest unready pod of several condemned ones (a decommissioned node stops
 *    listening, so it is unready) and the rollout would hang; shrink one node per rack per deploy.
 * 2. For each condemned pod, asks a node that stays (`<sts>-0`) for the ring: not in the ring →
 *    already gone (a re-run); `UN` → `nodetool decommission` on that node (Cassandra itself
 *    refuses when the data centre would keep fewer nodes than a keyspace's replication factor);
 *    `UL` → a decommission in flight, waited for; down → refused (a dead node cannot stream: use
 *    `nodetool removenode`, then deploy again).
 */
export function scaleDownJobScript(attempts: number, intervalSeconds: number): string {
  return [
    "set -eu",
    "export HOME=/tmp",
    `nt() { n="$1"; shift; nodetool -h "$n" -p ${JMX_PORT} -u "$JMX_USERNAME" -pw "$JMX_PASSWORD" "$@"; }`,
    'addr() { getent hosts "$1.$POD_DOMAIN" | awk \'{ print $1; exit }\'; }',
    "# the ring as a node that stays sees it: `<state> <address>` per node",
    'ring() { for t in $SCALE_DOWN_TARGETS; do a="$(addr "${t%:*}-0")" || continue; [ -n "$a" ] || continue; if out="$(nt "$a" status 2>/dev/null)"; then printf "%s\\n" "$out" | awk \'$1 ~ /^[UD][NLJM]$/ { print $1, $2 }\'; return 0; fi; done; return 1; }',
    "state_of() { ring | awk -v a=\"$1\" '$2 == a { print $1 }'; }",
    'condemned=""',
    "for t in $SCALE_DOWN_TARGETS; do",
    '  sts="${t%:*}"; keep="${t##*:}"; n="$keep"',
    '  while [ -n "$(addr "$sts-$n")" ]; do n=$((n + 1)); done',
    '  extra=$((n - keep))',
    '  if [ "$extra" -gt 1 ]; then echo "$sts would lose $extra pods at once ($keep..$((n - 1))): shrink by one node per rack per deploy" >&2; exit 1; fi',
    '  if [ "$extra" -eq 1 ]; then condemned="$condemned $sts-$keep"; fi',
    "done",
    'if [ -z "$condemned" ]; then echo "no Cassandra node to decommission"; exit 0; fi',
    "for pod in $condemned; do",
    '  a="$(addr "$pod")"',
    "  i=0",
    '  until r="$(ring)"; do',
    "    i=$((i + 1))",
    `    if [ "$i" -ge ${attempts} ]; then echo "no staying node answered nodetool status after ${attempts} attempts" >&2; exit 1; fi`,
    `    sleep ${intervalSeconds}`,
    "  done",
    '  s="$(printf "%s\\n" "$r" | awk -v a="$a" \'$2 == a { print $1 }\')"',
    '  case "$s" in',
    '    "") echo "$pod ($a) is not in the ring: nothing to decommission" ;;',
    '    UN) echo "decommissioning $pod ($a)"; nt "$a" decommission; echo "$pod decommissioned" ;;',
    '    UL) echo "$pod ($a) is already leaving; waiting"',
    `        while [ -n "$(state_of "$a")" ]; do sleep ${intervalSeconds}; done; echo "$pod left the ring" ;;`,
    '    D?) echo "$pod ($a) is down ($s): a dead node cannot stream its data. Run nodetool removenode <its host ID> on a live node, then deploy again" >&2; exit 1 ;;',
    '    *) echo "$pod ($a) is $s (joining or moving): not decommissioning it now" >&2; exit 1 ;;',
    "  esac",
    "done",
  ].join("\n");
}

/**
 * The guard Job. Its name hashes the targets, script and image: a changed replica count (up or
 * down) is a new Job that runs before the StatefulSets change; an unchanged one is left alone.
 */
export function buildScaleDownJob(spec: ScaleDownJobSpec): KubeObject {
  const script = scaleDownJobScript(spec.waitAttempts, spec.waitIntervalSeconds);
  const targets = scaleDownTargets(spec.targets);
  return buildNodetoolJob({
    namespace: spec.namespace,
    image: spec.image,
    component: SCALE_DOWN_COMPONENT,
    name: `${NAME}-scale-down-${contentHash(targets, spec.podDomain, script, spec.image).slice(0, 10)}`,
    script,
    env: { SCALE_DOWN_TARGETS: targets, POD_DOMAIN: spec.podDomain },
    jmxSecretName: spec.jmxSecretName,
    backoffLimit: spec.backoffLimit,
  });
}
