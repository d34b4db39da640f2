import type { ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import { clientResponseHeaders } from "./headers.js";

/**
 * undici dispatch handler for `stream` routes: upstream status and headers go straight to the
 * client response, body chunks are written as they arrive, and a full client socket pauses the
 * upstream read (backpressure). The lowest-overhead way undici offers to proxy a response.
 */
export class StreamProxyHandler implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private clientGone = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly done: (err?: Error) => void,
  ) {}

  /** The client went away: cancel the upstream request (now, or as soon as it starts). */
  abort(): void {
    this.clientGone = true;
    this.controller?.abort(new Error("client closed the connection"));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error("client closed the connection"));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.res.writeHead(statusCode, clientResponseHeaders(headers, true));
    this.res.on("drain", () => controller.resume());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.res.end();
    this.done();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.done(err);
  }
}
