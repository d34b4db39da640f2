/** Largest heap that still gets compressed ordinary object pointers (beyond it, pointers double). */
export const MAX_HEAP_MIB = 31 * 1024;

/** JVM sizing for one Cassandra container. */
export interface JvmHeap {
  /** MAX_HEAP_SIZE in MiB. */
  readonly heapMiB: number;
  /** HEAP_NEWSIZE in MiB (young generation). */
  readonly newGenMiB: number;
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
  return { heapMiB, newGenMiB };
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
