import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Four projects so a run of the infrastructure tests never waits on a database:
// - infra: Pulumi programs under mocks, config, synth, policies, alert rules (no servers but
//   moto's AWS API, which the preflight's network test starts on 127.0.0.1:15100 and stops)
// - cluster: the local control plane (etcd, kube-apiserver, scheduler, controller-manager, kwok),
//   istioctl, and the real Pulumi engine + Kubernetes provider applying `local` to it
// - gateway: the gateway app against a real Redis (started by its global setup)
// - telemetry: the telemetry app against a real Cassandra (started by its global setup), and
//   the Cassandra schema Job against a second, auth-enabled node, and the alerting end-to-end
//   test (real Prometheus + Alertmanager) against its own node with the JMX agent (`*.live.test.ts`)
export default defineConfig({
  // The config lives in test/; paths below are relative to the repo root.
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    projects: [
      {
        test: {
          name: "infra",
          include: ["test/**/*.test.ts"],
          exclude: ["test/apps/**", "test/cluster/**", "test/engine/engine.test.ts", "test/**/*.live.test.ts", "node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts", "test/engine/engine.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } }, // one control plane (ports, state dir), one file at a time
        },
      },
      {
        test: {
          name: "gateway",
          include: ["test/apps/gateway/**/*.test.ts", "test/apps/dns-cache/**/*.test.ts"],
          globalSetup: ["test/apps/gateway/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "telemetry",
          include: ["test/apps/telemetry/**/*.test.ts", "test/components/**/*.live.test.ts", "test/alerting/**/*.live.test.ts"],
          globalSetup: ["test/apps/telemetry/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } }, // one Cassandra, tests run one file at a time
        },
      },
    ],
  },
});
