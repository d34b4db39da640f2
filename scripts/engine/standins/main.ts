/**
 * Local stand-in for `pulumi-resource-random`, the one provider plugin that cannot be had here
 * (the module proxy refuses pulumi-random's provider module): RandomPassword / RandomString with
 * node:crypto (./random.ts). `npm run up:local` puts it last on PATH, so a real plugin wins; with
 * the Pulumi CLI's own plugins installed (any machine with internet) none of this runs.
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { changedInputs, randomValue } from "./random";
import { type Json, SECRET_SIG, SIG_KEY, UNKNOWN } from "./wire";

/** Reported to the engine: the version package.json pins, so no version warning shows. */
const VERSION = process.env.PLATFORM_STANDIN_VERSION ?? "4.21.2";

type Call<Req> = { request: Req };
type Done<Res> = (err: grpc.ServiceError | null, res?: Res) => void;

function struct(value: Json | undefined): structproto.Struct {
  return structproto.Struct.fromJavaScript((value ?? {}) as Record<string, structproto.JavaScriptValue>);
}

function toJson(s: structproto.Struct | undefined): Record<string, Json> {
  return (s?.toJavaScript() ?? {}) as Record<string, Json>;
}

function diffResponse(changed: string[]): provproto.DiffResponse {
  const resp = new provproto.DiffResponse();
  resp.setChanges(changed.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
  resp.setReplacesList(changed);
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
  diffConfig(_call: Call<provproto.DiffRequest>, done: Done<provproto.DiffResponse>) {
    done(null, diffResponse([]));
  },
  configure(_call: Call<provproto.ConfigureRequest>, done: Done<provproto.ConfigureResponse>) {
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
    // Every input change draws a new value (pulumi-random's ForceNew).
    done(null, diffResponse(changedInputs(toJson(call.request.getOlds()), toJson(call.request.getNews()))));
  },
  create(call: Call<provproto.CreateRequest>, done: Done<provproto.CreateResponse>) {
    const props = toJson(call.request.getProperties());
    const resp = new provproto.CreateResponse();
    const preview = call.request.getPreview();
    resp.setId(preview ? "" : "none");
    resp.setProperties(struct({ ...props, result: { [SIG_KEY]: SECRET_SIG, value: preview ? UNKNOWN : randomValue(props) } }));
    done(null, resp);
  },
  update(call: Call<provproto.UpdateRequest>, done: Done<provproto.UpdateResponse>) {
    // Only reached for no-op updates (every real change replaces): keep the drawn value.
    const resp = new provproto.UpdateResponse();
    resp.setProperties(struct({ ...toJson(call.request.getNews()), result: toJson(call.request.getOlds()).result ?? null }));
    done(null, resp);
  },
  read(call: Call<provproto.ReadRequest>, done: Done<provproto.ReadResponse>) {
    // A drawn value has no live state elsewhere: the recorded state is the truth.
    const resp = new provproto.ReadResponse();
    resp.setId(call.request.getId());
    resp.setProperties(call.request.getProperties());
    resp.setInputs(call.request.getInputs());
    done(null, resp);
  },
  delete(_call: Call<provproto.DeleteRequest>, done: Done<emptyproto.Empty>) {
    done(null, new emptyproto.Empty());
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
