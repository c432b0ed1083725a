import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AdapterRegistry, adapters } from "@grimnir/core";
import { SqliteStore, parseStoreUrl, registerSqlStores } from "./index.js";

describe("registerSqlStores", () => {
  it("registers postgres, postgresql and sqlite on core's registry when the package is imported", () => {
    expect(adapters.schemes("store")).toEqual(
      expect.arrayContaining(["postgres", "postgresql", "sqlite"]),
    );
    const registry = new AdapterRegistry();
    registerSqlStores(registry);
    expect(registry.schemes("store")).toEqual(["postgres", "postgresql", "sqlite"]);
  });

  it("opens sqlite::memory: and sqlite:<relative file> stores from URLs", async () => {
    const memory = await adapters.createStore("sqlite::memory:");
    expect(memory).toBeInstanceOf(SqliteStore);
    await memory.ping();
    await memory.close();
    const dir = mkdtempSync(join(tmpdir(), "grimnir-url-"));
    try {
      const file = await adapters.createStore(`sqlite:${join(dir, "nested", "grimnir.db")}`);
      const station = await file.stations.create({ name: "Radio", timezone: "UTC", active: true });
      await file.close();
      const again = await adapters.createStore(`sqlite://${join(dir, "nested", "grimnir.db")}`);
      expect(await again.stations.get(station.id)).toEqual(station);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses store URLs and rejects foreign ones with CONFIG_INVALID", () => {
    expect(parseStoreUrl("sqlite:./data/grimnir.db")).toEqual({
      dialect: "sqlite",
      location: "./data/grimnir.db",
    });
    expect(parseStoreUrl("sqlite::memory:")).toEqual({ dialect: "sqlite", location: ":memory:" });
    expect(parseStoreUrl("sqlite:///var/lib/grimnir.db")).toEqual({
      dialect: "sqlite",
      location: "/var/lib/grimnir.db",
    });
    expect(parseStoreUrl("postgresql://u@h/db")).toEqual({
      dialect: "postgres",
      location: "postgresql://u@h/db",
    });
    expect(() => parseStoreUrl("sqlite:")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
    expect(() => parseStoreUrl("mysql://x")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });

  it("reports an unopenable SQLite file as STORE_UNAVAILABLE, never a raw driver error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "grimnir-bad-"));
    try {
      writeFileSync(join(dir, "file"), "not a directory");
      await expect(SqliteStore.open(join(dir, "file", "x.db"))).rejects.toMatchObject({
        name: "GrimnirError",
        code: "STORE_UNAVAILABLE",
      });
      writeFileSync(
        join(dir, "garbage.db"),
        "this is not an SQLite database, just text long enough to have a header".repeat(20),
      );
      await expect(SqliteStore.open(join(dir, "garbage.db"))).rejects.toMatchObject({
        name: "GrimnirError",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
