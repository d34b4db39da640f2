/** Largest heap that still gets compressed ordinary object pointers (beyond it, pointers double). */
export const MAX_HEAP_MIB = 31 * 1024;

/** JVM sizing for one Cassandra container. */
export interface JvmHeap {
  /** MAX_HEAP_SIZE in MiB. */
  readonly heapMiB: number;
  /** HEAP_NEWSIZE in MiB (young generation). */
  readonly newGenMiB: number;
  /** MAX_DIRECT_MEMORY_SIZE in MiB (off-heap buffers: networking, chunk cache, off-heap memtables). */
  readonly directMiB: number;
}

/** Memory left for everything else in the container (metaspace, thread stacks, native libs, page cache). */
export function headroomMiB(memoryMiB: number): number {
  return Math.max(256, Math.ceil(memoryMiB / 10));
}

/**
 * Heap = min(50% of the container memory limit, 31 GiB) unless `explicitHeapMiB` is given: the
 * other half is for off-heap structures (bloom filters, compression metadata, memtables
 * off-heap) and the page cache Cassandra reads SSTables through.
 */
export function deriveHeap(memoryMiB: number, cpuMillis: number, explicitHeapMiB?: number): JvmHeap {
  const problems = heapProblems(memoryMiB, explicitHeapMiB);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const heapMiB = explicitHeapMiB ?? Math.min(Math.floor(memoryMiB / 2), MAX_HEAP_MIB);
  // cassandra-env.sh's rule of thumb: 100 MiB per core, at most a quarter of the heap.
  const cores = Math.max(1, Math.ceil(cpuMillis / 1000));
  const newGenMiB = Math.min(100 * cores, Math.floor(heapMiB / 4));
  // Without a cap the JVM allows as much direct memory as heap, and Cassandra 5 sizes its
  // buffer pools from the host's RAM: heap + direct could reach the container limit. A quarter
  // of the limit, and never more than what the heap and the headroom leave.
  const directMiB = Math.min(Math.floor(memoryMiB / 4), memoryMiB - heapMiB - headroomMiB(memoryMiB));
  return { heapMiB, newGenMiB, directMiB };
}

/** Every heap rule `memoryMiB`/`heapMiB` break, as messages naming the argument (empty = fine). */
export function heapProblems(memoryMiB: number, heapMiB?: number): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(memoryMiB) || memoryMiB < 1024) {
    problems.push(`memoryMiB: must be an integer >= 1024 (a 512 MiB heap is Cassandra's floor), got ${memoryMiB}`);
  }
  if (heapMiB !== undefined) {
    if (!Number.isInteger(heapMiB) || heapMiB < 256) problems.push(`heapMiB: must be an integer >= 256, got ${heapMiB}`);
    if (heapMiB > memoryMiB / 2) problems.push(`heapMiB: must be <= 50% of memoryMiB (${Math.floor(memoryMiB / 2)}), got ${heapMiB}`);
    if (heapMiB > MAX_HEAP_MIB) problems.push(`heapMiB: must be <= ${MAX_HEAP_MIB} (31 GiB, compressed oops), got ${heapMiB}`);
  }
  return problems;
}
