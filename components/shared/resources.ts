/** CPU and memory for one container; requests default to the limits (guaranteed QoS). */
export interface ContainerSize {
  /** CPU request in millicores. */
  readonly cpuMillis: number;
  /** CPU limit in millicores. @default - same as the request */
  readonly cpuLimitMillis?: number;
  /** Memory request and limit in MiB (kept equal: no OOM surprises under pressure). */
  readonly memoryMiB: number;
}

/** Kubernetes `resources` block for a {@link ContainerSize}. */
export function containerResources(size: ContainerSize) {
  const cpuLimit = size.cpuLimitMillis ?? size.cpuMillis;
  if (cpuLimit < size.cpuMillis) {
    throw new Error(`cpuLimitMillis (${cpuLimit}) must be >= cpuMillis (${size.cpuMillis})`);
  }
  return {
    requests: { cpu: `${size.cpuMillis}m`, memory: `${size.memoryMiB}Mi` },
    limits: { cpu: `${cpuLimit}m`, memory: `${size.memoryMiB}Mi` },
  };
}
