import type { AdapterRegistry } from "@grimnir/core";
import { openSqlStore } from "./open.js";

/**
 * Register the SQL store for the `postgres:`, `postgresql:` and `sqlite:` schemes
 * on `registry`. Importing `@grimnir/store-pg` does this for core's `adapters`.
 */
export function registerSqlStores(registry: AdapterRegistry): void {
  const factory = (url: URL) => openSqlStore(url.href);
  registry.register("store", "postgres", factory);
  registry.register("store", "postgresql", factory);
  registry.register("store", "sqlite", factory);
}
