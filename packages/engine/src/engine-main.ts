#!/usr/bin/env node
/**
 * `grimnir-engine`: the media engine process. Serves the MediaEngine gRPC API
 * on 127.0.0.1:9091 unless `--port` / `--host` say otherwise, and exits
 * cleanly on SIGINT/SIGTERM.
 *
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import { startEngineServer } from "./grpc/server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9091" },
    host: { type: "string", default: "127.0.0.1" },
    "lead-ms": { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`grimnir-engine: --port must be 0..65535, got "${values.port}"\n`);
  process.exit(2);
}
const server = await startEngineServer({
  port,
  host: values.host,
  leadMs: values["lead-ms"] === undefined ? undefined : Number(values["lead-ms"]),
});
process.stdout.write(`grimnir-engine listening on ${server.address}\n`);
const shutdown = (): void => {
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`grimnir-engine: shutdown failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
