/** Issue #19: redis_exporter beside the in-cluster Redis, password from the Secret, merged by Istio. */
import { describe, expect, it } from "vitest";
import { buildInClusterRedis } from "../../../components/redis/in-cluster";
import { REDIS_EXPORTER_IMAGE, REDIS_EXPORTER_PORT } from "../../../components/redis/exporter";
import { validateManifest } from "../../support/kube-schema";

const objs = buildInClusterRedis({ namespace: "platform", image: "redis:7.4-alpine", memoryMiB: 256, cpuMillis: 250, secretName: "redis-auth", passwordKey: "password" });
const sts = objs.find((o) => o.kind === "StatefulSet") as any;
const exporter = sts.spec.template.spec.containers.find((c: any) => c.name === "redis-exporter");

describe("redis_exporter sidecar", () => {
  it("reads INFO over localhost with the password from the Secret, never a literal", () => {
    expect(exporter.image).toBe(REDIS_EXPORTER_IMAGE);
    expect(exporter.env).toEqual([
      { name: "REDIS_ADDR", value: "redis://localhost:6379" },
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-auth", key: "password" } } },
    ]);
    expect(exporter.ports).toEqual([{ name: "http-metrics", containerPort: REDIS_EXPORTER_PORT, protocol: "TCP" }]);
    expect(exporter.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(exporter.resources.limits).toBeDefined();
  });

  it("points Istio's metrics merging at the exporter (the pod is in the mesh)", () => {
    // Beside the sidecar's drain setting (issue 16).
    expect(sts.spec.template.metadata.annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "9121", "prometheus.io/path": "/metrics" });
    expect(Object.keys(sts.spec.template.metadata.annotations).filter((k) => k.startsWith("prometheus.io/")).sort()).toEqual(["prometheus.io/path", "prometheus.io/port", "prometheus.io/scrape"]);
  });

  it("keeps Redis the first container and the StatefulSet schema-valid", async () => {
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(["redis", "redis-exporter"]);
    await validateManifest(sts);
  });
});
