/**
 * Drives the pack through `@pulumi/policy`'s own analyzer RPC handlers (server.js
 * makeAnalyzeRpcFun / makeAnalyzeStackRpcFun) with protobuf requests shaped as the engine sends
 * them: properties as a google.protobuf.Struct, unknown values as the engine's sentinels. So the
 * SDK's deserialization, unknown-checking proxy, enforcement levels and "can't run policy"
 * handling are the real ones; only the gRPC transport and the CLI are left out.
 */
import * as serverModule from "@pulumi/policy/server";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { toCrossGuardPolicy } from "../../policies/core/crossguard";
import type { PlatformPolicy, ResourceLike } from "../../policies/core/types";

type Rpc = (call: { request: unknown }, callback: (err: unknown, resp: any) => void) => Promise<void>;
const server = serverModule as unknown as {
  makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: unknown[]): Rpc;
  makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: unknown[]): Rpc;
};
const pb = analyzerPb as any;
const Struct = (structPb as any).Struct;

export interface Diagnostic {
  readonly policy: string;
  readonly level: "advisory" | "mandatory" | "remediate" | "disabled";
  readonly urn: string;
  readonly message: string;
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const; // pulumirpc.EnforcementLevel

function call(rpc: Rpc, request: unknown): Promise<Diagnostic[]> {
  return new Promise((resolve, reject) => {
    void rpc({ request }, (err, resp) => {
      if (err) return reject(err);
      resolve(resp.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], urn: d.getUrn(), message: d.getMessage() })));
    });
  });
}

const options = () => new pb.AnalyzerResourceOptions();

/** What the engine's Analyze call (one resource, before its step) returns for these policies. */
export function analyze(policies: readonly PlatformPolicy[], r: ResourceLike): Promise<Diagnostic[]> {
  const req = new pb.AnalyzeRequest();
  req.setType(r.type);
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setProperties(Struct.fromJavaScript(r.props));
  req.setOptions(options());
  return call(server.makeAnalyzeRpcFun("platform", "0.1.0", "advisory", policies.map(toCrossGuardPolicy)), req);
}

/** Analyze for every resource, as the engine does during a preview or update. */
export async function analyzeEach(policies: readonly PlatformPolicy[], resources: readonly ResourceLike[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const r of resources) out.push(...(await analyze(policies, r)));
  return out;
}

/** What the engine's AnalyzeStack call (end of the preview/update) returns. */
export function analyzeStack(policies: readonly PlatformPolicy[], resources: readonly ResourceLike[]): Promise<Diagnostic[]> {
  const req = new pb.AnalyzeStackRequest();
  req.setResourcesList(resources.map((r) => {
    const res = new pb.AnalyzerResource();
    res.setType(r.type);
    res.setUrn(r.urn);
    res.setName(r.name);
    res.setProperties(Struct.fromJavaScript(r.props));
    res.setOptions(options());
    res.setDependenciesList((r.dependencies ?? []).map((d) => d.urn));
    return res;
  }));
  return call(server.makeAnalyzeStackRpcFun("platform", "0.1.0", "advisory", policies.map(toCrossGuardPolicy)), req);
}
