import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createServerLogger } from "./logger.js";
import { ShutdownSequence } from "./shutdown.js";

function capturingLogger(): { logger: ReturnType<typeof createServerLogger>; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: createServerLogger("info", sink), lines };
}

describe("ShutdownSequence", () => {
  it("stops parts in the reverse order they started", async () => {
    const stopped: string[] = [];
    const shutdown = new ShutdownSequence(createServerLogger("silent"));
    for (const part of ["store", "bus", "engine", "api"]) {
      shutdown.push(async () => {
        stopped.push(part);
      });
    }
    await shutdown.run();
    expect(stopped).toEqual(["api", "engine", "bus", "store"]);
  });

  it("logs a failing step and still stops everything started before it", async () => {
    const { logger, lines } = capturingLogger();
    const stopped: string[] = [];
    const shutdown = new ShutdownSequence(logger);
    shutdown.push(async () => {
      stopped.push("store");
    });
    shutdown.push(async () => {
      throw new Error("engine did not answer");
    });
    await expect(shutdown.run()).resolves.toBeUndefined();
    expect(stopped).toEqual(["store"]);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string } });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toBe("shutdown step failed");
    expect(logged[0]!.err?.message).toBe("engine did not answer");
  });

  it("runs each step once, however often it is run", async () => {
    let runs = 0;
    const shutdown = new ShutdownSequence(createServerLogger("silent"));
    shutdown.push(async () => {
      runs += 1;
    });
    await shutdown.run();
    await shutdown.run();
    expect(runs).toBe(1);
  });
});
