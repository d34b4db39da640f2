import { envValue, cassandraContainers, parseJvmSizeMiB } from "../../core/cassandra";
import { finding } from "../../core/finding";
import { parseMemory } from "../../core/kube";
import type { Finding, PlatformPolicy } from "../../core/types";

const MiB = 2 ** 20;
/** Above ~32 GiB the JVM loses compressed object pointers; 31 GiB keeps a margin. */
const MAX_HEAP_MiB = 31 * 1024;
/** Memory beyond heap + direct memory (metaspace, thread stacks, native code): max(256 MiB, 10% of the limit). */
export const headroomMiB = (limitMiB: number) => Math.max(256, Math.ceil(limitMiB / 10));

export const cassandraMemoryHeap: PlatformPolicy = {
  name: "platform-cassandra-memory-heap",
  description: "Checks that Cassandra nodes have memory request = limit, an explicit heap of at most half the limit and 31 GiB, and an explicit direct-memory cap with heap + direct + headroom within the limit.",
  enforcementLevel: "mandatory",
  scope: "resource",
  remediation: "Keep requests.memory = limits.memory, set MAX_HEAP_SIZE to at most min(limit / 2, 31 GiB) and MAX_DIRECT_MEMORY_SIZE so that heap + direct + max(256 MiB, 10%) ≤ limit.",
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
      // Without a cap the JVM allows as much direct memory as heap, and Cassandra sizes buffer
      // pools from the host's RAM: the container would be OOM-killed under load.
      const direct = envValue(container, "MAX_DIRECT_MEMORY_SIZE");
      const directMiB = direct === undefined ? undefined : parseJvmSizeMiB(direct);
      if (directMiB === undefined) {
        out.push(finding(sts, `${where} has ${direct === undefined ? "no MAX_DIRECT_MEMORY_SIZE" : `an unparsable MAX_DIRECT_MEMORY_SIZE "${direct}"`}.`, `set MAX_DIRECT_MEMORY_SIZE (e.g. a quarter of the limit) so direct memory does not follow the heap or the host.`));
      } else if (limBytes !== undefined) {
        const limMiB = limBytes / MiB;
        const room = headroomMiB(limMiB);
        if (heapMiB + directMiB + room > limMiB) {
          out.push(finding(sts, `${where} heap ${heap} + direct ${direct} + headroom ${room}M exceed the memory limit ${lim}.`, `lower MAX_DIRECT_MEMORY_SIZE to at most ${Math.max(0, Math.floor(limMiB - heapMiB - room))}M, or lower the heap, or raise the limit.`));
        }
      }
      return out;
    }));
  },
};
