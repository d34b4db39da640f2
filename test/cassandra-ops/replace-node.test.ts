/** Which node `npm run cassandra:replace-node` replaces (the cluster steps run in test/engine). */
import { describe, expect, it } from "vitest";
import { deadAddress, parseNodetoolStatus } from "../../scripts/cassandra/replace-node";

// Shaped like Cassandra 5's `nodetool status` (the ring test parses the real one).
const STATUS = `Datacenter: us-east-1
=====================
Status=Up/Down
|/ State=Normal/Leaving/Joining/Moving
--  Address     Load        Tokens  Owns (effective)  Host ID                               Rack
UN  10.0.1.11   1.2 GiB     16      100.0%            1b8b6a4e-0000-4000-8000-000000000001  a
DN  10.0.2.12   1.1 GiB     16      100.0%            1b8b6a4e-0000-4000-8000-000000000002  b
UN  10.0.3.13   1.2 GiB     16      100.0%            1b8b6a4e-0000-4000-8000-000000000003  c

Datacenter: eu-west-1
=====================
Status=Up/Down
|/ State=Normal/Leaving/Joining/Moving
--  Address     Load        Tokens  Owns (effective)  Host ID                               Rack
DN  10.1.1.21   1.2 GiB     16      100.0%            1b8b6a4e-0000-4000-8000-000000000004  a
`;

describe("replace-node: the dead node", () => {
  const nodes = parseNodetoolStatus(STATUS);
  it("reads every node with its state and data centre", () => {
    expect(nodes.map((n) => `${n.state} ${n.address} ${n.dataCenter}`)).toEqual(["U 10.0.1.11 us-east-1", "D 10.0.2.12 us-east-1", "U 10.0.3.13 us-east-1", "D 10.1.1.21 eu-west-1"]);
  });
  it("takes the one Down node of the data centre, or the given Down address", () => {
    expect(deadAddress(nodes, "us-east-1")).toBe("10.0.2.12");
    expect(deadAddress(nodes, "us-east-1", "10.0.2.12")).toBe("10.0.2.12");
    expect(deadAddress([], "us-east-1", "10.0.2.12")).toBe("10.0.2.12"); // nodetool unavailable: as given
  });
  it("refuses a live node, an unknown address, or a guess between several dead ones", () => {
    expect(() => deadAddress(nodes, "us-east-1", "10.0.1.11")).toThrow("10.0.1.11 is Up in the ring");
    expect(() => deadAddress(nodes, "us-east-1", "10.9.9.9")).toThrow("10.9.9.9 is not a node of the ring");
    const two = parseNodetoolStatus(STATUS.replace("UN  10.0.3.13", "DN  10.0.3.13"));
    expect(() => deadAddress(two, "us-east-1")).toThrow("2 nodes of us-east-1 are Down (10.0.2.12, 10.0.3.13): name the dead one with --address");
    expect(() => deadAddress(nodes, "ap-southeast-1")).toThrow("0 nodes of ap-southeast-1 are Down (none)");
  });
});
