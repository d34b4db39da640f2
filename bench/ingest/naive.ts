import type { IncomingMessage, ServerResponse } from "node:http";
import { Client } from "cassandra-driver";

/**
 * The anti-pattern from the source article, kept only as the benchmark baseline: a new client,
 * connect, one awaited INSERT per event and a shutdown on every request.
 */
export function naiveIngestHandler(opts: { contactPoint: string; port: number; localDataCenter: string; keyspace: string }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const client = new Client({
      contactPoints: [opts.contactPoint],
      protocolOptions: { port: opts.port },
      localDataCenter: opts.localDataCenter,
      keyspace: opts.keyspace,
    });
    try {
      await client.connect();
      const events = (JSON.parse(Buffer.concat(chunks).toString()) as { events: { source: string; level: string; message: string }[] }).events;
      for (const e of events) {
        await client.execute(
          "INSERT INTO events (source, day, event_id, level, message) VALUES (?, toDate(now()), now(), ?, ?)",
          [e.source, e.level, e.message],
          { prepare: true },
        );
      }
      res.statusCode = 202;
      res.end(JSON.stringify({ status: "accepted" }));
    } catch {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: "Internal Server Error" }));
    } finally {
      await client.shutdown();
    }
  };
}
