/**
 * Local stand-ins for `pulumi-resource-kubernetes` and `pulumi-resource-random`, used by
 * `npm run up:local` only when the real providers cannot be built here (their Go modules are not
 * served by the module proxy on this network). PLATFORM_STANDIN selects which one:
 * - kubernetes: only what `renderYamlToDirectory` needs: every object is written to
 *   `<dir>/1-manifest/` (CRDs to `0-crd/`) and nothing talks to a cluster;
 * - random: RandomPassword / RandomString (./random.ts).
 * With the real plugins installed (any machine with the Pulumi CLI) none of this runs.
 */
import * as grpc from "@grpc/grpc-js";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { stringify } from "yaml";
import { changedInputs, randomValue } from "./random";
import { type Json, SECRET_SIG, SIG_KEY, UNKNOWN, diffObjects, hasUnknowns, manifestPath, reveal, toKubeObject } from "./render";

const STANDIN = process.env.PLATFORM_STANDIN === "random" ? "random" : "kubernetes";
/** Reported to the engine: the version package.json pins, so no version warning shows. */
const VERSION = process.env.PLATFORM_STANDIN_VERSION ?? (STANDIN === "random" ? "4.21.2" : "4.34.2");
const RENDER_KEY = "renderYamlToDirectory";

let renderDir: string | undefined;

type Call<Req> = { request: Req };
type Done<Res> = (err: grpc.ServiceError | null, res?: Res) => void;

function fail<Res>(done: Done<Res>, message: string): void {
  done({ name: "Error", message, code: grpc.status.FAILED_PRECONDITION, details: message, metadata: new grpc.Metadata() });
}

function struct(value: Json | undefined): structproto.Struct {
  return structproto.Struct.fromJavaScript((value ?? {}) as Record<string, structproto.JavaScriptValue>);
}

function toJson(s: structproto.Struct | undefined): Record<string, Json> {
  return (s?.toJavaScript() ?? {}) as Record<string, Json>;
}

/** Writes the object's manifest and returns its id (`namespace/name` like the real provider). */
function render(inputs: Record<string, Json>): string {
  if (!renderDir) throw new Error(`this stand-in only renders manifests: set the provider's ${RENDER_KEY}`);
  const obj = toKubeObject(inputs);
  const file = manifestPath(renderDir, obj);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, stringify(obj, { lineWidth: 0 }));
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : String(obj.metadata.name);
}

function diffResponse(olds: Record<string, Json>, news: Record<string, Json>, config = false): provproto.DiffResponse {
  const resp = new provproto.DiffResponse();
  const changed = STANDIN === "random" && !config ? changedInputs(olds, news) : undefined;
  const diff = changed
    ? { changes: changed.length > 0, replaces: changed }
    : hasUnknowns(news)
      ? { changes: true, replaces: [] }
      : diffObjects(olds, news);
  resp.setChanges(diff.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
  resp.setReplacesList(diff.replaces);
  return resp;
}

const impl = {
  getPluginInfo(_call: unknown, done: Done<plugproto.PluginInfo>) {
    const info = new plugproto.PluginInfo();
    info.setVersion(VERSION);
    done(null, info);
  },
  getSchema(_call: unknown, done: Done<provproto.GetSchemaResponse>) {
    const resp = new provproto.GetSchemaResponse();
    resp.setSchema("{}");
    done(null, resp);
  },
  checkConfig(call: Call<provproto.CheckRequest>, done: Done<provproto.CheckResponse>) {
    const resp = new provproto.CheckResponse();
    resp.setInputs(call.request.getNews());
    done(null, resp);
  },
  diffConfig(call: Call<provproto.DiffRequest>, done: Done<provproto.DiffResponse>) {
    done(null, diffResponse(toJson(call.request.getOlds()), toJson(call.request.getNews()), true));
  },
  configure(call: Call<provproto.ConfigureRequest>, done: Done<provproto.ConfigureResponse>) {
    const args = reveal(toJson(call.request.getArgs())) as Record<string, Json>;
    const fromVars = call.request.getVariablesMap().get(`kubernetes:config:${RENDER_KEY}`);
    const dir = args[RENDER_KEY] ?? fromVars;
    if (typeof dir === "string" && dir !== "" && !hasUnknowns(dir)) renderDir = dir;
    const resp = new provproto.ConfigureResponse();
    resp.setAcceptsecrets(true);
    resp.setAcceptresources(true);
    resp.setSupportspreview(true);
    done(null, resp);
  },
  check(call: Call<provproto.CheckRequest>, done: Done<provproto.CheckResponse>) {
    const resp = new provproto.CheckResponse();
    resp.setInputs(call.request.getNews());
    done(null, resp);
  },
  diff(call: Call<provproto.DiffRequest>, done: Done<provproto.DiffResponse>) {
    done(null, diffResponse(toJson(call.request.getOlds()), toJson(call.request.getNews())));
  },
  create(call: Call<provproto.CreateRequest>, done: Done<provproto.CreateResponse>) {
    const props = toJson(call.request.getProperties());
    const resp = new provproto.CreateResponse();
    if (STANDIN === "random") {
      const result = call.request.getPreview() ? UNKNOWN : randomValue(props);
      resp.setId(call.request.getPreview() ? "" : "none");
      resp.setProperties(struct({ ...props, result: { [SIG_KEY]: SECRET_SIG, value: result } }));
      return done(null, resp);
    }
    if (call.request.getPreview()) {
      resp.setId("");
      resp.setProperties(struct(props));
      return done(null, resp);
    }
    try {
      resp.setId(render(props));
      resp.setProperties(struct(props));
      done(null, resp);
    } catch (err) {
      fail(done, (err as Error).message);
    }
  },
  update(call: Call<provproto.UpdateRequest>, done: Done<provproto.UpdateResponse>) {
    const news = toJson(call.request.getNews());
    const resp = new provproto.UpdateResponse();
    if (STANDIN === "random") {
      // Only reached for no-op updates (every real change replaces): keep the drawn value.
      resp.setProperties(struct({ ...news, result: toJson(call.request.getOlds()).result ?? null }));
      return done(null, resp);
    }
    try {
      if (!call.request.getPreview()) render(news);
      resp.setProperties(struct(news));
      done(null, resp);
    } catch (err) {
      fail(done, (err as Error).message);
    }
  },
  read(call: Call<provproto.ReadRequest>, done: Done<provproto.ReadResponse>) {
    // Rendered objects have no live state: the recorded state is the truth.
    const resp = new provproto.ReadResponse();
    resp.setId(call.request.getId());
    resp.setProperties(call.request.getProperties());
    resp.setInputs(call.request.getInputs());
    done(null, resp);
  },
  delete(call: Call<provproto.DeleteRequest>, done: Done<emptyproto.Empty>) {
    try {
      if (STANDIN === "kubernetes" && renderDir) rmSync(manifestPath(renderDir, toKubeObject(toJson(call.request.getProperties()))), { force: true });
      done(null, new emptyproto.Empty());
    } catch (err) {
      fail(done, (err as Error).message);
    }
  },
  cancel(_call: unknown, done: Done<emptyproto.Empty>) {
    done(null, new emptyproto.Empty());
  },
};

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(provrpc.ResourceProviderService as unknown as grpc.ServiceDefinition, impl as unknown as grpc.UntypedServiceImplementation);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(err.message);
    process.exit(1);
  }
  // The engine reads the port from the first line of stdout.
  console.log(String(port));
});
