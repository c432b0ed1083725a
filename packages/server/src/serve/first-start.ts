import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GrimnirError } from "@grimnir/core";
import type { Coordinator, StationConfig, Store } from "@grimnir/core";
import { hashPassword } from "@grimnir/http";
import { bootstrapDemoStation } from "./demo-station.js";
import type { ServerLogger } from "./logger.js";
import type { ServeOptions } from "./options.js";

/**
 * The secret kept in `file`, trimmed; when the file does not exist, `make()`
 * is written there (mode 0600, one line) and returned with `created: true`.
 * Rejects for any other read error.
 */
export async function secretFile(
  file: string,
  make: () => string,
): Promise<{ value: string; created: boolean }> {
  try {
    return { value: (await readFile(file, "utf8")).trim(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const value = make();
  await writeFile(file, value + "\n", { mode: 0o600 });
  return { value, created: true };
}

/**
 * The API's JWT signing secret: `options.jwtSecret` when given, otherwise
 * `<dataDir>/jwt-secret` (32 random bytes as hex, created on first start).
 */
export async function jwtSecretOf(
  options: Pick<ServeOptions, "jwtSecret" | "dataDir">,
): Promise<string> {
  return (
    options.jwtSecret ??
    (await secretFile(join(options.dataDir, "jwt-secret"), () => randomBytes(32).toString("hex")))
      .value
  );
}

/**
 * Run `fn` while holding the Coordinator's `setup` lease (30 s, renewed every
 * 10 s), so instances that start together create missing stations once.
 * Waits for another holder, polling every 500 ms; rejects with `CONFLICT`
 * after 10 minutes of waiting. The lease is released however `fn` ends.
 */
export async function withSetupLease<T>(
  coordinator: Coordinator,
  holder: string,
  fn: () => Promise<T>,
): Promise<T> {
  const ttlMs = 30_000;
  let lease = await coordinator.acquire("setup", holder, ttlMs);
  const deadline = Date.now() + 10 * 60_000;
  while (lease === undefined) {
    if (Date.now() > deadline) {
      throw new GrimnirError(
        "CONFLICT",
        "another instance held the setup lease for 10 minutes; station setup did not run",
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    lease = await coordinator.acquire("setup", holder, ttlMs);
  }
  let held = lease;
  const renewal = setInterval(() => {
    void coordinator.renew(held, ttlMs).then((next) => {
      if (next !== undefined) held = next;
    });
  }, ttlMs / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    await coordinator.release(held);
  }
}

/** What {@link setUpFirstStart} needs. */
export interface FirstStartOptions {
  readonly store: Store;
  readonly coordinator: Coordinator;
  /** The configured stations, in file order. */
  readonly stationConfigs: readonly StationConfig[];
  readonly options: Pick<
    ServeOptions,
    "instanceId" | "demo" | "dataDir" | "mediaDir" | "adminPassword"
  >;
  readonly log: ServerLogger;
}

/**
 * First start, under the setup lease (one instance of a cluster at a time):
 * every configured station missing from the store is created with its
 * mounts; on an empty store with `demo` on, the first goes through
 * {@link bootstrapDemoStation} (generated library) instead. When the store
 * has no users, an `admin` user (admin on every station) is created with
 * `options.adminPassword` or the password kept in `<dataDir>/admin-password`
 * (generated on first use). Stations and users already stored are left alone.
 */
export async function setUpFirstStart(first: FirstStartOptions): Promise<void> {
  const { store, coordinator, stationConfigs, options, log } = first;
  await withSetupLease(coordinator, options.instanceId, async () => {
    const existing = await store.stations.list({ limit: 1000 });
    for (const stationConfig of stationConfigs) {
      const id = stationConfig.station.id;
      if (existing.some((s) => s.id === id)) continue;
      if (existing.length === 0 && options.demo) {
        const report = await bootstrapDemoStation({
          store,
          config: stationConfig,
          mediaRoot: options.mediaDir,
          dataDir: options.dataDir,
          log: (message, context) => log.info(context ?? {}, message),
        });
        log.info(report, "demo station created");
        continue;
      }
      await store.stations.create({
        id,
        name: stationConfig.station.name,
        timezone: stationConfig.station.timezone,
        ...(stationConfig.station.slug === undefined ? {} : { slug: stationConfig.station.slug }),
        active: true,
      });
      for (const mount of stationConfig.mounts) {
        await store.mounts.create({
          id: mount.id,
          stationId: id,
          name: mount.name,
          outputs: mount.outputs,
        });
      }
      log.info({ stationId: id }, "station created from the configuration (empty library)");
    }
    if ((await store.users.list({ limit: 1 })).length === 0) {
      const password =
        options.adminPassword ??
        (
          await secretFile(join(options.dataDir, "admin-password"), () =>
            randomBytes(9).toString("base64url"),
          )
        ).value;
      await store.users.create({
        username: "admin",
        displayName: "Administrator",
        passwordHash: await hashPassword(password),
        roles: [{ stationId: "*", role: "admin" }],
        disabled: false,
      });
      log.info(
        {
          username: "admin",
          passwordFile:
            options.adminPassword === undefined
              ? join(options.dataDir, "admin-password")
              : "GRIMNIR_ADMIN_PASSWORD",
        },
        "admin user created",
      );
    }
  });
}
