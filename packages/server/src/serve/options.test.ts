import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { isGrimnirError } from "@grimnir/core";
import { resolveServeOptions } from "./options.js";

/** The CONFIG_INVALID error's field and message of resolving these flags and variables. */
function problem(
  flags: Parameters<typeof resolveServeOptions>[0],
  env: Record<string, string>,
): { field: unknown; message: string } {
  try {
    resolveServeOptions(flags, env);
  } catch (error) {
    if (!isGrimnirError(error, "CONFIG_INVALID")) throw error;
    return { field: error.details["field"], message: error.message };
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("resolveServeOptions", () => {
  it("gives the embedded defaults with no flags and no variables", () => {
    const options = resolveServeOptions({}, {});
    expect(options.storeUrl).toBe(`sqlite:${resolve("./data")}/grimnir.db`);
    expect(options.busUrl).toBe("memory:");
    expect(options.coordinatorUrl).toBe("memory:");
    expect(options.port).toBe(8080);
    expect(options.mediaDir).toBe(resolve("./data/media"));
    expect(options.peers).toEqual([]);
    expect(options.leaseTtlMs).toBe(10_000);
    expect(options.plannerHours).toBe(48);
    expect(options.plannerIntervalMs).toBe(600_000);
    expect(options.demo).toBe(true);
  });

  it("takes the cluster settings from flags, which win over their variables", () => {
    const env = {
      GRIMNIR_PEERS: "x,y",
      GRIMNIR_MEDIA: "/env/media",
      GRIMNIR_LEASE_TTL_MS: "4000",
      GRIMNIR_PLANNER_HOURS: "12",
      GRIMNIR_PLANNER_INTERVAL_MS: "5000",
    };
    const fromEnv = resolveServeOptions({ instanceId: "x" }, env);
    expect(fromEnv.peers).toEqual(["y"]); // an instance is never its own peer
    expect(fromEnv.mediaDir).toBe("/env/media");
    expect(fromEnv.leaseTtlMs).toBe(4000);
    expect(fromEnv.plannerHours).toBe(12);
    expect(fromEnv.plannerIntervalMs).toBe(5000);

    const fromFlags = resolveServeOptions(
      {
        instanceId: "a",
        peers: " b, c ,b",
        media: "/flag/media",
        leaseTtlMs: "3000",
        plannerHours: "24",
        plannerIntervalMs: "60000",
      },
      env,
    );
    expect(fromFlags.peers).toEqual(["b", "c"]);
    expect(fromFlags.mediaDir).toBe("/flag/media");
    expect(fromFlags.leaseTtlMs).toBe(3000);
    expect(fromFlags.plannerHours).toBe(24);
    expect(fromFlags.plannerIntervalMs).toBe(60_000);
  });

  it("names the flag or the variable that holds a bad value", () => {
    expect(problem({ leaseTtlMs: "500" }, {})).toEqual({
      field: "--lease-ttl-ms",
      message: '--lease-ttl-ms must be a whole number of ms >= 1000, got "500"',
    });
    expect(problem({}, { GRIMNIR_LEASE_TTL_MS: "ten" }).field).toBe("GRIMNIR_LEASE_TTL_MS");
    expect(problem({ plannerHours: "169" }, {})).toEqual({
      field: "--planner-hours",
      message: '--planner-hours must be a whole number of hours 1..168, got "169"',
    });
    expect(problem({}, { GRIMNIR_PLANNER_INTERVAL_MS: "" }).field).toBe(
      "GRIMNIR_PLANNER_INTERVAL_MS",
    );
    expect(problem({ peers: "b,c d" }, {})).toEqual({
      field: "--peers",
      message:
        '--peers must be instance ids (letters, digits, ".", "_", "-") separated by commas, got "c d"',
    });
    expect(problem({}, { GRIMNIR_PEERS: "ok,bad/id" }).field).toBe("GRIMNIR_PEERS");
    expect(problem({ port: "70000" }, {}).field).toBe("--port");
    expect(problem({ logLevel: "loud" }, {}).field).toBe("--log-level");
  });
});
