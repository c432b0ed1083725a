import { describe, expect, it } from "vitest";
import {
  EVENT_ENVELOPE_VERSION,
  type BusEvent,
  type BusHealth,
  type EventBus,
  type EventHandler,
  type EventMap,
  type Subscription,
  type Topic,
} from "../contracts/bus.js";
import type { Lease } from "../contracts/coordinator.js";
import type { Repositories, Store } from "../contracts/store.js";
import type { MediaItem } from "../model/media.js";
import { newId } from "../ids.js";
import {
  MemoryBus,
  MemoryBusHub,
  MemoryCoordinator,
  MemoryCoordinatorHub,
  MemoryStore,
} from "../memory/index.js";
import {
  busConformanceChecks,
  coordinatorConformanceChecks,
  runConformanceCheck,
  storeConformanceChecks,
  type BusCheckContext,
  type CoordinatorCheckContext,
  type StoreCheckContext,
} from "./index.js";

/** A store that delegates to a MemoryStore, with some repositories swapped for broken ones. */
function brokenStore(
  patch: (inner: MemoryStore) => Partial<Repositories> & Partial<Pick<Store, "transaction">>,
): Store {
  const inner = new MemoryStore();
  const repos: Repositories = {
    stations: inner.stations,
    users: inner.users,
    mounts: inner.mounts,
    media: inner.media,
    playlists: inner.playlists,
    smartBlocks: inner.smartBlocks,
    clocks: inner.clocks,
    shows: inner.shows,
    overrides: inner.overrides,
    webstreams: inner.webstreams,
    liveTokens: inner.liveTokens,
    liveSessions: inner.liveSessions,
    schedule: inner.schedule,
    playHistory: inner.playHistory,
    executorStates: inner.executorStates,
  };
  return {
    ...repos,
    transaction: (fn) => inner.transaction(fn),
    ping: () => inner.ping(),
    close: () => inner.close(),
    ...patch(inner),
  };
}

async function storeCheck(name: string, store: Store): Promise<void> {
  const ctx: StoreCheckContext = { store };
  await runConformanceCheck(storeConformanceChecks, name, ctx);
}

describe("the store suite catches broken stores", () => {
  const cases: Array<[string, string, () => Store]> = [
    [
      "ignores the version on update",
      "rejects an update with a stale version with CONFLICT and changes nothing",
      () =>
        brokenStore((inner) => ({
          playlists: {
            ...inner.playlists,
            update: async (input) => {
              const stored = await inner.playlists.get(input.stationId, input.id);
              return inner.playlists.update({
                ...input,
                version: stored?.version ?? input.version,
              });
            },
          },
        })),
    ],
    [
      "ignores the version on delete",
      "rejects a delete with a stale version with CONFLICT and keeps the record",
      () =>
        brokenStore((inner) => ({
          mounts: {
            ...inner.mounts,
            delete: (stationId, id) => inner.mounts.delete(stationId, id),
          },
        })),
    ],
    [
      "leaks records across stations on get",
      "isolates stations in get, list, update and delete",
      () =>
        brokenStore((inner) => {
          const home = new Map<string, string>();
          return {
            clocks: {
              ...inner.clocks,
              create: async (input) => {
                const created = await inner.clocks.create(input);
                home.set(created.id, created.stationId);
                return created;
              },
              get: (stationId, id) => inner.clocks.get(home.get(id) ?? stationId, id),
            },
          };
        }),
    ],
    [
      "hands out live references",
      "returns copies that callers cannot use to change stored records",
      () =>
        brokenStore((inner) => {
          const cache = new Map<string, MediaItem>();
          return {
            media: {
              ...inner.media,
              get: async (stationId, id) => {
                const cached = cache.get(id);
                if (cached !== undefined) return cached;
                const got = await inner.media.get(stationId, id);
                if (got !== undefined) cache.set(id, got);
                return got;
              },
            },
          };
        }),
    ],
    [
      "drops custom-field filters",
      "media query filters agree with matchesMediaFilter for every op, tags and custom fields",
      () =>
        brokenStore((inner) => ({
          media: {
            ...inner.media,
            query: (stationId, query) =>
              inner.media.query(stationId, {
                ...query,
                filters: (query.filters ?? []).filter((f) => !f.field.startsWith("field:")),
              }),
          },
        })),
    ],
    [
      "ignores the sort direction",
      "media query orders by each field in both directions with missing values last and ties by id",
      () =>
        brokenStore((inner) => ({
          media: {
            ...inner.media,
            query: (stationId, query) =>
              inner.media.query(stationId, { ...query, direction: "asc" }),
          },
        })),
    ],
    [
      "replaces entries that merely overlap the window",
      "replaceWindow replaces only the entries starting inside the range, of that station",
      () =>
        brokenStore((inner) => ({
          schedule: {
            ...inner.schedule,
            replaceWindow: async (stationId, range, entries) => {
              const overlapping = await inner.schedule.window(stationId, range);
              const from = Math.min(range.from, ...overlapping.map((e) => e.startsAt));
              return inner.schedule.replaceWindow(stationId, { from, to: range.to }, entries);
            },
          },
        })),
    ],
    [
      "does not roll back",
      "rolls back every repository and rethrows when the transaction throws",
      () => brokenStore((inner) => ({ transaction: async (fn) => fn(inner) })),
    ],
    [
      "allows duplicate usernames",
      "finds users by username and rejects a duplicate username with CONFLICT",
      () =>
        brokenStore((inner) => ({
          users: {
            ...inner.users,
            create: (input) =>
              inner.users.create({ ...input, username: `${input.username}\u0000${newId()}` }),
          },
        })),
    ],
  ];
  for (const [flaw, check, make] of cases) {
    it(`fails "${check}" for a store that ${flaw}`, async () => {
      await expect(storeCheck(check, new MemoryStore())).resolves.toBeUndefined();
      const broken = make();
      await expect(storeCheck(check, broken)).rejects.toThrow();
    });
  }
});

interface BrokenBusFlaws {
  synchronous?: boolean;
  jitter?: boolean;
  ignoreStation?: boolean;
}

interface RawSub {
  topic: Topic | "*";
  stationId: string;
  handler: EventHandler;
  active: boolean;
}

/** A bus with configurable bugs, sharing `subs` between its clients. */
class BrokenBus implements EventBus {
  constructor(
    private readonly subs: RawSub[],
    private readonly flaws: BrokenBusFlaws,
  ) {}

  async publish<K extends Topic>(
    topic: K,
    stationId: string,
    payload: EventMap[K],
  ): Promise<BusEvent<K>> {
    const event: BusEvent<K> = {
      v: EVENT_ENVELOPE_VERSION,
      id: newId(),
      topic,
      stationId,
      at: Date.now(),
      payload,
    };
    for (const sub of this.subs) {
      const stationOk =
        this.flaws.ignoreStation === true || sub.stationId === "*" || sub.stationId === stationId;
      if (!sub.active || !stationOk || (sub.topic !== "*" && sub.topic !== topic)) continue;
      const deliver = (): void => void sub.handler(event as unknown as BusEvent);
      if (this.flaws.synchronous === true) deliver();
      else if (this.flaws.jitter === true) setTimeout(deliver, Math.floor(Math.random() * 4));
      else setImmediate(deliver);
    }
    return event;
  }

  async subscribe<K extends Topic>(
    topic: K | "*",
    stationId: string,
    handler: EventHandler<K>,
  ): Promise<Subscription> {
    const sub: RawSub = {
      topic,
      stationId,
      handler: handler as unknown as EventHandler,
      active: true,
    };
    this.subs.push(sub);
    return {
      unsubscribe: async () => {
        sub.active = false;
      },
    };
  }

  health(): BusHealth {
    return { connected: true, outboxSize: 0, dropped: 0 };
  }

  async close(): Promise<void> {
    for (const sub of this.subs) sub.active = false;
  }
}

function busContext(make: () => EventBus): BusCheckContext & { clients: EventBus[] } {
  const clients: EventBus[] = [];
  return {
    clients,
    connect: async () => {
      const bus = make();
      clients.push(bus);
      return bus;
    },
  };
}

describe("the bus suite catches broken buses", () => {
  const cases: Array<[string, string, BrokenBusFlaws]> = [
    [
      "delivers synchronously inside publish",
      "delivers asynchronously, never inside publish",
      { synchronous: true },
    ],
    [
      "delivers out of order",
      "keeps one publisher's order over 200 rapid events",
      { jitter: true },
    ],
    [
      "ignores the station",
      "isolates stations: a subscriber never sees another station's events",
      { ignoreStation: true },
    ],
  ];
  for (const [flaw, check, flaws] of cases) {
    it(`fails "${check}" for a bus that ${flaw}`, async () => {
      const hub = new MemoryBusHub();
      const good = busContext(() => new MemoryBus({ hub }));
      await expect(runConformanceCheck(busConformanceChecks, check, good)).resolves.toBeUndefined();
      const subs: RawSub[] = [];
      const broken = busContext(() => new BrokenBus(subs, flaws));
      await expect(runConformanceCheck(busConformanceChecks, check, broken)).rejects.toThrow();
      for (const bus of [...good.clients, ...broken.clients]) await bus.close();
    });
  }
});

/** Always hands out token 1: fencing is useless. */
class ConstantTokenCoordinator extends MemoryCoordinator {
  override async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    const lease = await super.acquire(key, holder, ttlMs);
    return lease === undefined ? undefined : { ...lease, token: 1 };
  }

  override async release(lease: Lease): Promise<void> {
    const current = await super.current(lease.key);
    if (current !== undefined && current.holder === lease.holder) await super.release(current);
  }
}

/** Releases whatever lease is on the key, even someone else's. */
class CarelessReleaseCoordinator extends MemoryCoordinator {
  override async release(lease: Lease): Promise<void> {
    const current = await super.current(lease.key);
    if (current !== undefined) await super.release(current);
  }
}

describe("the coordinator suite catches broken coordinators", () => {
  const cases: Array<[string, string, (hub: MemoryCoordinatorHub) => MemoryCoordinator]> = [
    [
      "never increases tokens",
      "issues a strictly greater token after release",
      (hub) => new ConstantTokenCoordinator({ hub }),
    ],
    [
      "releases another holder's lease",
      "fails to renew or release a lost lease without disturbing the new holder",
      (hub) => new CarelessReleaseCoordinator({ hub }),
    ],
  ];
  for (const [flaw, check, make] of cases) {
    it(`fails "${check}" for a coordinator that ${flaw}`, async () => {
      const clients: MemoryCoordinator[] = [];
      const ctx = (factory: () => MemoryCoordinator): CoordinatorCheckContext => ({
        connect: async () => {
          const c = factory();
          clients.push(c);
          return c;
        },
      });
      const goodHub = new MemoryCoordinatorHub();
      await expect(
        runConformanceCheck(
          coordinatorConformanceChecks,
          check,
          ctx(() => new MemoryCoordinator({ hub: goodHub })),
        ),
      ).resolves.toBeUndefined();
      const badHub = new MemoryCoordinatorHub();
      await expect(
        runConformanceCheck(
          coordinatorConformanceChecks,
          check,
          ctx(() => make(badHub)),
        ),
      ).rejects.toThrow();
      for (const c of clients) await c.close();
    });
  }

  it("rejects an unknown check name instead of passing", async () => {
    await expect(
      runConformanceCheck(coordinatorConformanceChecks, "no such check", {
        connect: async () => new MemoryCoordinator(),
      }),
    ).rejects.toThrow("no conformance check");
  });
});
