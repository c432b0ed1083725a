import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  MemoryCoordinator,
  MemoryCoordinatorHub,
  MemoryStore,
  parseStationConfig,
} from "@grimnir/core";
import { verifyPassword } from "@grimnir/http";
import { jwtSecretOf, secretFile, setUpFirstStart, withSetupLease } from "./first-start.js";
import { createServerLogger } from "./logger.js";
import { EMBEDDED_STATION_YAML } from "./options.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "grimnir-first-start-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A data directory, store and coordinator for one first start, closed after the test. */
async function firstStartFixture(): Promise<{
  dataDir: string;
  store: MemoryStore;
  coordinator: MemoryCoordinator;
}> {
  const dataDir = await tempDir();
  const store = new MemoryStore();
  const coordinator = new MemoryCoordinator({ hub: new MemoryCoordinatorHub() });
  cleanups.push(
    () => store.close(),
    () => coordinator.close(),
  );
  return { dataDir, store, coordinator };
}

describe("secretFile", () => {
  it("creates the secret once (mode 0600) and reads the same value afterwards", async () => {
    const file = join(await tempDir(), "jwt-secret");
    const first = await secretFile(file, () => "s3cret");
    expect(first).toEqual({ value: "s3cret", created: true });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toBe("s3cret\n");
    const again = await secretFile(file, () => "other");
    expect(again).toEqual({ value: "s3cret", created: false });
  });

  it("rejects when the path cannot be read for another reason than absence", async () => {
    const dir = await tempDir();
    await expect(secretFile(dir, () => "x")).rejects.toMatchObject({ code: "EISDIR" });
  });
});

describe("jwtSecretOf", () => {
  it("prefers the configured secret and otherwise keeps a generated one in the data dir", async () => {
    const dataDir = await tempDir();
    expect(await jwtSecretOf({ jwtSecret: "given", dataDir })).toBe("given");
    const generated = await jwtSecretOf({ dataDir });
    expect(generated).toMatch(/^[0-9a-f]{64}$/);
    expect(await jwtSecretOf({ dataDir })).toBe(generated);
  });
});

describe("withSetupLease", () => {
  it("waits until another instance released the setup lease", async () => {
    const hub = new MemoryCoordinatorHub();
    const other = new MemoryCoordinator({ hub });
    const mine = new MemoryCoordinator({ hub });
    cleanups.push(
      () => other.close(),
      () => mine.close(),
    );
    const held = await other.acquire("setup", "other", 30_000);
    expect(held).toBeDefined();
    let releasedAt = 0;
    setTimeout(() => {
      releasedAt = Date.now();
      void other.release(held!);
    }, 200);
    const ranAt = await withSetupLease(mine, "mine", async () => Date.now());
    expect(releasedAt).toBeGreaterThan(0);
    expect(ranAt).toBeGreaterThanOrEqual(releasedAt);
    // Released again afterwards: the other instance can take it at once.
    expect(await other.acquire("setup", "other", 30_000)).toBeDefined();
  });
});

describe("setUpFirstStart", () => {
  it("creates the configured station, its mounts and the admin user once", async () => {
    const { dataDir, store, coordinator } = await firstStartFixture();
    const config = parseStationConfig(EMBEDDED_STATION_YAML, "<test>").config;
    const first = {
      store,
      coordinator,
      stationConfigs: [config],
      options: { instanceId: "a", demo: false, dataDir, mediaDir: join(dataDir, "media") },
      log: createServerLogger("silent"),
    };
    await setUpFirstStart(first);
    await setUpFirstStart(first);

    const stations = await store.stations.list({ limit: 10 });
    expect(stations.map((s) => [s.id, s.name, s.timezone, s.active])).toEqual([
      ["demo", "Grimnir Demo Radio", "UTC", true],
    ]);
    const mounts = await store.mounts.list("demo", { limit: 10 });
    expect(mounts.map((m) => m.id)).toEqual(["main"]);
    const users = await store.users.list({ limit: 10 });
    expect(users.map((u) => [u.username, u.roles])).toEqual([
      ["admin", [{ stationId: "*", role: "admin" }]],
    ]);
    const password = (await readFile(join(dataDir, "admin-password"), "utf8")).trim();
    expect(await verifyPassword(password, users[0]!.passwordHash)).toBe(true);
  });

  it("uses the configured admin password and writes no password file", async () => {
    const { dataDir, store, coordinator } = await firstStartFixture();
    await setUpFirstStart({
      store,
      coordinator,
      stationConfigs: [],
      options: {
        instanceId: "a",
        demo: false,
        dataDir,
        mediaDir: dataDir,
        adminPassword: "correct horse",
      },
      log: createServerLogger("silent"),
    });
    const [admin] = await store.users.list({ limit: 1 });
    expect(await verifyPassword("correct horse", admin!.passwordHash)).toBe(true);
    await expect(stat(join(dataDir, "admin-password"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
