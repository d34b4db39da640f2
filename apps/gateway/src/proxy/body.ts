import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough, type Readable } from "node:stream";

/** How long the rest of a refused upload is read (and discarded) after the answer, at most. */
export const LINGER_MS = 10_000;

/**
 * The client's request body as undici's request body. undici destroys its body stream when the
 * exchange ends before the upload does (the upstream answered early, e.g. 413 for a body over
 * its cap); destroying the IncomingMessage itself would reset the client's connection before
 * it reads that answer (EPIPE on its side, or a 5xx from a proxy in front). A PassThrough takes
 * the destroy instead, and the rest of the client's body is read and discarded for at most
 * LINGER_MS after the answer (a lingering close), so the client gets the upstream's status.
 */
export function requestBody(req: IncomingMessage, res: ServerResponse): Readable {
  const body = new PassThrough();
  req.pipe(body);
  req.once("error", (err) => body.destroy(err)); // client abort: undici cancels the upstream request
  body.once("close", () => {
    if (req.complete) return;
    req.unpipe(body);
    req.resume();
    res.once("finish", () => {
      if (req.complete) return;
      const timer = setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
      req.once("end", () => clearTimeout(timer));
    });
  });
  return body;
}
