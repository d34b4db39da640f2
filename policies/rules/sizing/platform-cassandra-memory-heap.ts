import { envValue, cassandraContainers, parseJvmSizeMiB } from "../../core/cassandra";
import { finding } from "../../core/finding";
import { parseMemory } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

const MiB = 2 ** 20;
/** Above ~32 GiB the JVM loses compressed object pointers; 31 GiB keeps a margin. */
const MAX_HEAP_MiB = 31 * 1024;

export const cassandraMemoryHeap: PlatformPolicy = {
  name: "platform-cassandra-memory-heap",
  description: "Checks that Cassandra nodes have memory request = limit and an explicit heap of at most half the limit and 31 GiB.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Keep requests.memory = limits.memory and set MAX_HEAP_SIZE to at most min(limit / 2, 31 GiB); off-heap memory and the page cache need the rest.",
  checkResource(sts, ctx) {
    return cassandraContainers(sts).flatMap(({ container, where }) => ctx.part(where, () => {
      const out: Finding[] = [];
      const req = container.resources?.requests?.memory;
      const lim = container.resources?.limits?.memory;
      const limBytes = parseMemory(lim);
      if (req === undefined || lim === undefined || parseMemory(req) !== limBytes) {
        out.push(finding(sts, `${where} memory request ${req ?? "(unset)"} differs from its limit ${lim ?? "(unset)"}.`, `set requests.memory equal to limits.memory (the JVM sizes itself once; the kernel must not reclaim it).`));
      }
      const heap = envValue(container, "MAX_HEAP_SIZE");
      const heapMiB = heap === undefined ? undefined : parseJvmSizeMiB(heap);
      if (heapMiB === undefined) {
        out.push(finding(sts, `${where} has ${heap === undefined ? "no MAX_HEAP_SIZE" : `an unparsable MAX_HEAP_SIZE "${heap}"`}.`, `set MAX_HEAP_SIZE (e.g. "16384M") so the heap does not follow the host's RAM.`));
        return out;
      }
      if (limBytes !== undefined && heapMiB > limBytes / MiB / 2) {
        out.push(finding(sts, `${where} MAX_HEAP_SIZE ${heap} exceeds half of the memory limit ${lim}.`, `lower MAX_HEAP_SIZE to at most ${Math.floor(limBytes / MiB / 2)}M or raise the memory limit.`));
      }
      if (heapMiB > MAX_HEAP_MiB) {
        out.push(finding(sts, `${where} MAX_HEAP_SIZE ${heap} exceeds 31 GiB.`, `cap MAX_HEAP_SIZE at ${MAX_HEAP_MiB}M (compressed oops).`));
      }
      return out;
    }));
  },
};
