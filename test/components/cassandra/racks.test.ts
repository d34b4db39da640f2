import { describe, expect, it } from "vitest";
import { racksFor, rackProblems, zoneSuffix } from "../../../components/cassandra/racks";

describe("racks", () => {
  it("derives short, DNS-safe suffixes from zone names", () => {
    expect(zoneSuffix("us-east-1a")).toBe("a");
    expect(zoneSuffix("ap-southeast-1c")).toBe("c");
    expect(zoneSuffix("us-east-1-bos-1a")).toBe("bos-1a");
    expect(zoneSuffix("zone_B")).toBe("zone-b");
  });

  it("puts one rack per zone, pinned to it, with equal replicas", () => {
    expect(racksFor(["eu-west-1a", "eu-west-1b", "eu-west-1c"], 6)).toEqual([
      { suffix: "a", rack: "eu-west-1a", zone: "eu-west-1a", replicas: 2 },
      { suffix: "b", rack: "eu-west-1b", zone: "eu-west-1b", replicas: 2 },
      { suffix: "c", rack: "eu-west-1c", zone: "eu-west-1c", replicas: 2 },
    ]);
  });

  it("falls back to one unpinned rack1 without zones", () => {
    expect(racksFor([], 1)).toEqual([{ suffix: "rack1", rack: "rack1", replicas: 1 }]);
  });

  it("rejects uneven racks, duplicate zones and clashing suffixes", () => {
    expect(rackProblems(["us-east-1a", "us-east-1b"], 3)).toEqual([expect.stringContaining("multiple of the number of zones (2)")]);
    expect(rackProblems(["us-east-1a", "us-east-1a"], 2)).toEqual([expect.stringContaining("must be distinct")]);
    expect(rackProblems(["us-east-1a", "eu-west-1a"], 2)).toEqual([expect.stringContaining("distinct non-empty suffixes")]);
    expect(() => racksFor(["us-east-1a", "us-east-1b"], 3)).toThrow(/multiple/);
  });
});
