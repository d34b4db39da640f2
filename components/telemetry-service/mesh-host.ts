import * as pulumi from "@pulumi/pulumi";
import { httpService, serviceFqdn } from "../shared/http-workload";
import { declareKubeObject } from "../shared/kube";
import { PLATFORM_NAMESPACE, standardLabels } from "../shared/labels";
import { ArgErrors } from "../shared/validate";
import { TELEMETRY_APP } from "./env";

export interface TelemetryMeshHostArgs {
  /** Namespace of the Service. @default "platform" */
  readonly namespace?: string;
  /** Service name: the mesh host the CQRS VirtualService binds to. @default "telemetry" */
  readonly name?: string;
  /** Service port. @default 80 */
  readonly port?: number;
}

/**
 * The `telemetry` Service selecting both roles by app name alone. Clients (the gateway) call
 * this one host; the mesh VirtualService then splits reads and writes between the roles, and
 * the Service gives that host a DNS name and a cluster IP for the sidecars to intercept.
 */
export class TelemetryMeshHost extends pulumi.ComponentResource {
  /** Service name. */
  public readonly serviceName: pulumi.Output<string>;
  /** Service port. */
  public readonly port: pulumi.Output<number>;
  /** In-cluster FQDN, e.g. `telemetry.platform.svc.cluster.local`. */
  public readonly host: pulumi.Output<string>;

  constructor(name: string, args: TelemetryMeshHostArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:apps:TelemetryMeshHost", name, {}, opts);
    const namespace = args.namespace ?? PLATFORM_NAMESPACE;
    const serviceName = args.name ?? "telemetry";
    const port = args.port ?? 80;
    new ArgErrors("TelemetryMeshHost")
      .check(/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(serviceName), "name", `"${serviceName}" is not a Service name`)
      .check(Number.isInteger(port) && port >= 1 && port <= 65535, "port", `${port} must be a port number`)
      .throwIfAny();

    declareKubeObject(
      httpService({
        namespace,
        name: serviceName,
        labels: standardLabels(TELEMETRY_APP, "mesh-host"),
        // Name only, no component: both command and query pods back the host.
        selector: { "app.kubernetes.io/name": TELEMETRY_APP },
        port,
      }),
      { parent: this },
    );
    this.serviceName = pulumi.output(serviceName);
    this.port = pulumi.output(port);
    this.host = pulumi.output(serviceFqdn(serviceName, namespace));
    this.registerOutputs({ serviceName: this.serviceName, port: this.port, host: this.host });
  }
}
