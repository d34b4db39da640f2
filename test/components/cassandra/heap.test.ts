import { describe, expect, it } from "vitest";
import { deriveHeap, heapProblems, MAX_HEAP_MIB } from "../../../components/cassandra/heap";

describe("deriveHeap", () => {
  it("takes half of the memory limit", () => {
    expect(deriveHeap(32 * 1024, 4000).heapMiB).toBe(16 * 1024);
    expect(deriveHeap(2048, 1000).heapMiB).toBe(1024);
  });

  it("caps the heap at 31 GiB (compressed oops)", () => {
    expect(deriveHeap(100 * 1024, 8000).heapMiB).toBe(31 * 1024);
    expect(MAX_HEAP_MIB).toBe(31744);
  });

  it("sizes the young generation at 100 MiB per core, at most a quarter of the heap", () => {
    expect(deriveHeap(32 * 1024, 4000).newGenMiB).toBe(400);
    expect(deriveHeap(32 * 1024, 3500).newGenMiB).toBe(400); // partial cores round up
    expect(deriveHeap(1024, 8000).newGenMiB).toBe(128); // 512 / 4
  });

  it("keeps an explicit heap that respects both limits", () => {
    expect(deriveHeap(32 * 1024, 4000, 8192).heapMiB).toBe(8192);
  });

  it("rejects an explicit heap above 50% of the limit or above 31 GiB", () => {
    expect(() => deriveHeap(32 * 1024, 4000, 20 * 1024)).toThrow(/heapMiB: must be <= 50% of memoryMiB \(16384\), got 20480/);
    expect(heapProblems(128 * 1024, 40 * 1024)).toEqual([expect.stringContaining("heapMiB: must be <= 31744")]);
    expect(heapProblems(64 * 1024, 33 * 1024)).toHaveLength(2);
  });

  it("rejects too little memory", () => {
    expect(heapProblems(512)).toEqual([expect.stringContaining("memoryMiB: must be an integer >= 1024")]);
  });

  it("caps direct memory at a quarter of the limit, leaving heap + direct + headroom within it", async () => {
    const { headroomMiB } = await import("../../../components/cassandra/heap");
    expect(deriveHeap(32 * 1024, 4000).directMiB).toBe(8192);
    expect(deriveHeap(2048, 1000).directMiB).toBe(512);
    // The smallest node: 512 heap + 256 direct + 256 headroom = 1024.
    expect(deriveHeap(1024, 1000).directMiB).toBe(256);
    for (const mem of [1024, 1536, 2048, 4096, 32 * 1024, 100 * 1024]) {
      const h = deriveHeap(mem, 1000);
      expect(h.heapMiB + h.directMiB + headroomMiB(mem), String(mem)).toBeLessThanOrEqual(mem);
      expect(h.directMiB, String(mem)).toBeGreaterThan(0);
    }
  });
});

