import type { IncomingMessage, ServerResponse } from "node:http";
import { handleIngest, precheckIngest, type IngestDeps } from "./core/ingest.js";
import { LIMITS } from "./core/limits.js";
import { handleQuery, type QueryDeps } from "./core/query.js";
import { SUBJECT_HEADER, TENANT_HEADER } from "./core/subject.js";
import type { HttpResult } from "./core/types.js";

/**
 * Node `(req, res)` glue shared by the Vercel functions and the Kubernetes server: read the body
 * with a hard byte cap, call the core, write the JSON answer.
 */

/** Reads the body, stopping (without buffering more) once it exceeds `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // discard, so the connection can still carry the 413
    return Promise.resolve("too-large");
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (err) => {
      if (!done) reject(err);
    });
  });
}

/** How long the rest of a refused upload is read (and discarded) after the answer, at most. */
export const LINGER_MS = 10_000;

/**
 * Writes the JSON answer. With `req` still uploading (an answer before the whole body, e.g. 413),
 * the answer is written at once but the response ends only when the body has been read (and
 * discarded) or after LINGER_MS: Node closes a `Connection: close` socket when the response
 * ends, and closing on unread data resets the connection before the client reads the answer.
 */
export function sendResult(res: ServerResponse, result: HttpResult, head = false, req?: IncomingMessage): void {
  const payload = JSON.stringify(result.body);
  res.statusCode = result.status;
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(payload));
  if (!req || req.complete || req.destroyed) return void res.end(head ? undefined : payload);
  if (!head) res.write(payload);
  endAfterUpload(req, res);
}

/** Ends `res` once `req`'s body is read to the end (discarding it), or after LINGER_MS. */
export function endAfterUpload(req: IncomingMessage, res: ServerResponse): void {
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    res.end();
  };
  const timer = setTimeout(finish, LINGER_MS).unref();
  req.once("end", finish);
  req.once("close", finish);
  req.resume();
}

export async function serveIngest(req: IncomingMessage, res: ServerResponse, deps: IngestDeps): Promise<HttpResult> {
  const head = {
    method: req.method,
    contentType: req.headers["content-type"],
    idempotencyKey: req.headers["idempotency-key"],
    subjectAssertion: req.headers[SUBJECT_HEADER],
    tenantAssertion: req.headers[TENANT_HEADER],
  };
  // Reject before reading a body we would not accept anyway.
  let result = precheckIngest(head);
  if (result) {
    req.resume();
  } else {
    let body: Buffer | "too-large";
    try {
      body = await readBody(req, LIMITS.maxBodyBytes);
    } catch {
      // The client aborted mid-body: nothing was written and probably nobody reads the answer.
      result = { status: 400, body: { error: "request body could not be read" }, reason: "aborted" };
      if (!res.headersSent && !res.destroyed) sendResult(res, result);
      return result;
    }
    result = await handleIngest({ ...head, body }, deps);
  }
  sendResult(res, result, false, req);
  return result;
}

export async function serveQuery(req: IncomingMessage, res: ServerResponse, deps: QueryDeps): Promise<HttpResult> {
  req.resume();
  const result = await handleQuery({ method: req.method, url: req.url, tenantAssertion: req.headers[TENANT_HEADER] }, deps);
  sendResult(res, result, req.method === "HEAD");
  return result;
}
