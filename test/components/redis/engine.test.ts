import { describe, expect, it } from "vitest";
import { maxMemoryMiB, parameterGroupFamily } from "../../../components/redis/engine";

describe("redis engine helpers", () => {
  it("maps engine versions to ElastiCache parameter group families", () => {
    expect(parameterGroupFamily("redis", "7.1")).toBe("redis7");
    expect(parameterGroupFamily("redis", "7.0")).toBe("redis7");
    expect(parameterGroupFamily("redis", "6.2")).toBe("redis6.x");
    expect(parameterGroupFamily("valkey", "8.0")).toBe("valkey8");
    expect(parameterGroupFamily("valkey", "7.2")).toBe("valkey7");
  });

  it("rejects versions without a family", () => {
    expect(() => parameterGroupFamily("redis", "5.0.6")).toThrow(/no ElastiCache parameter group family for redis 5.0.6/);
    expect(() => parameterGroupFamily("valkey", "6.2")).toThrow(/valkey 6.2/);
  });

  it("leaves a quarter of the container memory outside maxmemory", () => {
    expect(maxMemoryMiB(256)).toBe(192);
    expect(maxMemoryMiB(1000)).toBe(750);
  });
});
