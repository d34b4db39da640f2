import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough, type Readable } from "node:stream";

/** How long the rest of a refused upload is read (and discarded) after the answer, at most. */
export const LINGER_MS = 10_000;

/**
 * The client's request body as undici's request body. undici destroys its body stream when the
 * exchange ends before the upload does (the upstream answered early, e.g. 413 for a body over
 * its cap); destroying the IncomingMessage itself would reset the client's connection. A
 * PassThrough takes the destroy instead; the rest of the body is then read and discarded by
 * endAfterUpload.
 */
export function requestBody(req: IncomingMessage): Readable {
  const body = new PassThrough();
  req.pipe(body);
  req.once("error", (err) => body.destroy(err)); // client abort: undici cancels the upstream request
  body.once("close", () => {
    if (!req.complete) req.unpipe(body);
  });
  return body;
}

/**
 * For a request with a body: when the answer is ready before the upload is over (an upstream's
 * early 413, or the gateway's own 401/404), write it at once but end the response only once the
 * rest of the body has been read and discarded, or after LINGER_MS. Node closes a
 * `Connection: close` socket as soon as the response ends, and closing on unread data resets
 * the connection (EPIPE on the client) before the client reads the answer.
 */
export function endAfterUpload(req: IncomingMessage, res: ServerResponse): void {
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    res.end = end;
    if (req.complete || req.destroyed) return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    const [data, encoding] = args;
    if (data !== undefined && data !== null && typeof data !== "function") {
      if (typeof encoding === "string") this.write(data as string, encoding as BufferEncoding, () => undefined);
      else this.write(data as Buffer | string, () => undefined);
    }
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      (end as (cb?: () => void) => ServerResponse).call(this, callback);
    };
    const timer = setTimeout(finish, LINGER_MS).unref();
    req.once("end", finish);
    req.once("close", finish);
    req.unpipe();
    req.resume();
    return this;
  } as ServerResponse["end"];
}
