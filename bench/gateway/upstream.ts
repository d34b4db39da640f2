import { createServer } from "node:http";

/** The bench upstream: a small fixed JSON answer, keep-alive, in its own process. Prints its port. */
const body = Buffer.from(JSON.stringify({ ok: true, service: "bench-upstream", items: [1, 2, 3, 4, 5, 6, 7, 8], note: "x".repeat(64) }));
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === "object" && addr ? addr.port : 0}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
