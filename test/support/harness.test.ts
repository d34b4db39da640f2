import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, valueOf, SECRET_MASK } from "../../scripts/synth/mocks";

describe("mock harness", () => {
  it("records resources with parents and masks secrets", async () => {
    const recorded = await installMocks({ stack: "local" });
    const k8s = await import("@pulumi/kubernetes");
    class Parent extends pulumi.ComponentResource {
      constructor(name: string) {
        super("platform:test:Parent", name);
        new k8s.core.v1.Secret("s", { metadata: { name: "s" }, stringData: { password: pulumi.secret("hunter2") } }, { parent: this });
        new k8s.core.v1.ConfigMap("c", { metadata: { name: "c" }, data: { plain: "value" } }, { parent: this });
        this.registerOutputs({});
      }
    }
    const p = new Parent("p");
    await valueOf(p.urn);
    await new Promise((r) => setTimeout(r, 50));
    const secret = recorded.find((r) => r.type === "kubernetes:core/v1:Secret")!;
    expect(secret.parent).toBe(await valueOf(p.urn));
    expect(JSON.stringify(secret.inputs)).not.toContain("hunter2");
    expect(secret.inputs.stringData).toEqual({ password: SECRET_MASK }); // keys kept, values masked
    const cm = recorded.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
    expect((cm.inputs.data as any).plain).toBe("value");
  });
});
