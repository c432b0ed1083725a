import { GrimnirError } from "./errors.js";
import type { Store } from "./contracts/store.js";
import type { EventBus } from "./contracts/bus.js";
import type { Coordinator } from "./contracts/coordinator.js";

/** Builds an adapter from its URL (already parsed; `url.href` is the original). */
export type AdapterFactory<T> = (url: URL) => T | Promise<T>;

/** The three pluggable kinds picked by URL. */
export type AdapterKind = "store" | "bus" | "coordinator";

/**
 * Picks an adapter implementation from a URL scheme, as a user configures one:
 * `memory:`, `sqlite:./data/grimnir.db`, `postgres://…`, `redis://…`, `nats://…`.
 * Adapters register themselves (their package calls `register` on import).
 */
export class AdapterRegistry {
  readonly #factories: Record<AdapterKind, Map<string, AdapterFactory<unknown>>> = {
    store: new Map(),
    bus: new Map(),
    coordinator: new Map(),
  };

  /**
   * Register `factory` for `scheme` (without the colon, e.g. "postgres").
   * Registering a scheme again replaces the earlier factory.
   */
  register(kind: "store", scheme: string, factory: AdapterFactory<Store>): void;
  register(kind: "bus", scheme: string, factory: AdapterFactory<EventBus>): void;
  register(kind: "coordinator", scheme: string, factory: AdapterFactory<Coordinator>): void;
  register(kind: AdapterKind, scheme: string, factory: AdapterFactory<unknown>): void {
    this.#factories[kind].set(normaliseScheme(scheme), factory);
  }

  /** Schemes registered for `kind`, sorted. */
  schemes(kind: AdapterKind): string[] {
    return [...this.#factories[kind].keys()].sort();
  }

  /** Create a store from its URL. Rejects with `UNKNOWN_ADAPTER` naming the known schemes. */
  createStore(url: string): Promise<Store> {
    return this.#create<Store>("store", url);
  }

  /** Create an event bus from its URL. */
  createBus(url: string): Promise<EventBus> {
    return this.#create<EventBus>("bus", url);
  }

  /** Create a coordinator from its URL. */
  createCoordinator(url: string): Promise<Coordinator> {
    return this.#create<Coordinator>("coordinator", url);
  }

  async #create<T>(kind: AdapterKind, raw: string): Promise<T> {
    const url = parseAdapterUrl(kind, raw);
    const scheme = normaliseScheme(url.protocol);
    const factory = this.#factories[kind].get(scheme);
    if (factory === undefined) {
      const known = this.schemes(kind);
      throw new GrimnirError(
        "UNKNOWN_ADAPTER",
        `no ${kind} adapter for "${scheme}:" in ${JSON.stringify(raw)}; known schemes: ${
          known.length > 0 ? known.map((s) => `${s}:`).join(", ") : "(none registered)"
        }` + hintFor(scheme),
        { details: { field: kind, scheme, known } },
      );
    }
    return (await factory(url)) as T;
  }
}

const PACKAGE_HINT: Record<string, string> = {
  postgres: "@grimnir/store-pg",
  postgresql: "@grimnir/store-pg",
  sqlite: "@grimnir/store-pg",
  redis: "@grimnir/bus-redis",
  nats: "@grimnir/bus-redis",
};

function hintFor(scheme: string): string {
  const pkg = PACKAGE_HINT[scheme];
  return pkg === undefined ? "" : ` (install and import ${pkg} to register it)`;
}

function normaliseScheme(scheme: string): string {
  return scheme.replace(/:$/, "").toLowerCase();
}

function parseAdapterUrl(kind: AdapterKind, raw: string): URL {
  try {
    return new URL(raw);
  } catch (cause) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${kind} URL ${JSON.stringify(raw)} is not a URL; expected e.g. "memory:", "sqlite:./data/grimnir.db", "postgres://user@host/db"`,
      { details: { field: kind }, cause },
    );
  }
}

/** The process-wide registry adapters register into. Core registers `memory:` for all three kinds. */
export const adapters = new AdapterRegistry();
