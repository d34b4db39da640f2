import { describe, expect, it } from "vitest";
import { kplusHardenedContainerSecurity, stripCdk8sPlusLabels } from "../../../components/shared/cdk8s-plus";
import { hardenedContainerSecurity } from "../../../components/shared/security";

// Tests for the shared cdk8s-plus helpers added with the Cassandra and Redis components.
describe("shared cdk8s-plus helpers", () => {
  it("strips cdk8s-plus' metadata.addr label at any depth and keeps everything else", () => {
    const input = {
      selector: { "cdk8s.io/metadata.addr": "x", a: "1" },
      list: [{ labels: { "cdk8s.io/metadata.addr": "y", b: "2" } }],
      n: 3,
    };
    expect(stripCdk8sPlusLabels(input)).toEqual({ selector: { a: "1" }, list: [{ labels: { b: "2" } }], n: 3 });
    expect(input.selector["cdk8s.io/metadata.addr"]).toBe("x"); // not mutated
  });

  it("mirrors the shared hardened container context", () => {
    const k = kplusHardenedContainerSecurity(999);
    const h = hardenedContainerSecurity(999);
    expect(k).toMatchObject({ user: h.runAsUser, group: h.runAsGroup, ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false });
    expect(k.capabilities?.drop).toEqual(["ALL"]);
    expect(k.seccompProfile?.type).toBe("RuntimeDefault");
  });
});
