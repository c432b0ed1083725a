import type { AdapterRegistry } from "@grimnir/core";
import { NatsBus } from "./nats-bus.js";
import { NatsCoordinator } from "./nats-coordinator.js";
import { RedisBus } from "./redis-bus.js";
import { RedisCoordinator } from "./redis-coordinator.js";

/**
 * Register `redis:`/`rediss:` and `nats:` for both the bus and the coordinator on
 * `registry`. URL query parameters: `prefix` (bus channels and Redis keys) and
 * `bucket` (NATS lease bucket); the rest of the URL goes to the client. Each
 * factory waits for the first connection and rejects with `BUS_UNAVAILABLE`.
 * Importing `@grimnir/bus-redis` does this for core's shared `adapters`.
 */
export function registerBusAdapters(registry: AdapterRegistry): void {
  for (const scheme of ["redis", "rediss"]) {
    registry.register("bus", scheme, (url) =>
      RedisBus.connect({ url: clientUrl(url), ...param(url, "prefix") }),
    );
    registry.register("coordinator", scheme, (url) =>
      RedisCoordinator.connect({ url: clientUrl(url), ...param(url, "prefix") }),
    );
  }
  registry.register("bus", "nats", (url) =>
    NatsBus.connect({ url: clientUrl(url), ...param(url, "prefix") }),
  );
  registry.register("coordinator", "nats", (url) =>
    NatsCoordinator.connect({ url: clientUrl(url), ...param(url, "bucket") }),
  );
}

/** The URL without our own query parameters. */
function clientUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.searchParams.delete("prefix");
  copy.searchParams.delete("bucket");
  return copy.href;
}

function param(url: URL, name: "prefix" | "bucket"): { prefix?: string; bucket?: string } {
  const value = url.searchParams.get(name);
  return value === null || value === "" ? {} : { [name]: value };
}
