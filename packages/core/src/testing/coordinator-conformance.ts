import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newId } from "../ids.js";
import type { Coordinator, Lease, LeaseChange } from "../contracts/coordinator.js";
import { sleep, waitFor, type ConformanceCheck } from "./harness.js";

/** What every coordinator check receives. */
export interface CoordinatorCheckContext {
  /** A new client of the shared backend; the suite closes it after the check. */
  connect(): Promise<Coordinator>;
}

/** Lease length the checks use, ms of real time. */
const TTL = 300;
/** A lease that must outlive its check. */
const LONG_TTL = 10_000;

function key(): string {
  return `conformance/${newId()}`;
}

async function waitUntilFree(c: Coordinator, k: string): Promise<void> {
  await waitFor(
    async () => (await c.current(k)) === undefined,
    TTL + 1500,
    10,
    `lease on ${k} to expire`,
  );
}

/** Lease, fencing and watch checks for a {@link Coordinator}. */
export const coordinatorConformanceChecks: readonly ConformanceCheck<CoordinatorCheckContext>[] = [
  {
    name: "acquires a free key with a positive token and reports it as current",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      expect(await c2.current(k)).toBeUndefined();
      const before = Date.now();
      const lease = await c1.acquire(k, "node-a", LONG_TTL);
      expect(lease).toMatchObject({ key: k, holder: "node-a" });
      expect(lease!.token).toBeGreaterThan(0);
      expect(lease!.expiresAt).toBeGreaterThanOrEqual(before + LONG_TTL - 1000);
      expect(await c2.current(k)).toMatchObject({ key: k, holder: "node-a", token: lease!.token });
    },
  },
  {
    name: "refuses a second holder while the lease is live",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const lease = await c1.acquire(k, "node-a", LONG_TTL);
      expect(await c2.acquire(k, "node-b", LONG_TTL)).toBeUndefined();
      expect(await c1.acquire(k, "node-b", LONG_TTL)).toBeUndefined();
      expect(await c2.current(k)).toMatchObject({ holder: "node-a", token: lease!.token });
    },
  },
  {
    name: "lets the same holder re-acquire and keep its token",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const first = await c1.acquire(k, "node-a", TTL);
      const again = await c2.acquire(k, "node-a", LONG_TTL);
      expect(again).toMatchObject({ key: k, holder: "node-a", token: first!.token });
      expect(again!.expiresAt).toBeGreaterThan(first!.expiresAt);
    },
  },
  {
    name: "renews a live lease, extending expiry and keeping the token",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const lease = (await c1.acquire(k, "node-a", TTL))!;
      await sleep(TTL / 2);
      const renewed = await c1.renew(lease, TTL * 3);
      expect(renewed).toMatchObject({ key: k, holder: "node-a", token: lease.token });
      expect(renewed!.expiresAt).toBeGreaterThan(lease.expiresAt);
      await sleep(TTL / 2 + 60);
      // Past the original expiry, but within the renewed one.
      expect(await c2.current(k)).toMatchObject({ holder: "node-a", token: lease.token });
      expect(await c2.acquire(k, "node-b", TTL)).toBeUndefined();
    },
  },
  {
    name: "issues a strictly greater token after release",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const tokens: number[] = [];
      for (const [client, holder] of [
        [c1, "node-a"],
        [c2, "node-b"],
        [c1, "node-a"],
        [c1, "node-a"],
      ] as const) {
        const lease = await client.acquire(k, holder, LONG_TTL);
        expect(lease, `acquire by ${holder}`).toBeDefined();
        tokens.push(lease!.token);
        await client.release(lease!);
        expect(await c2.current(k)).toBeUndefined();
      }
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
    },
  },
  {
    name: "lets another holder take an expired lease with a greater token",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const old = (await c1.acquire(k, "node-a", TTL))!;
      await waitUntilFree(c2, k);
      const taken = await c2.acquire(k, "node-b", LONG_TTL);
      expect(taken).toMatchObject({ key: k, holder: "node-b" });
      expect(taken!.token).toBeGreaterThan(old.token);
    },
  },
  {
    name: "fails to renew or release a lost lease without disturbing the new holder",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const old = (await c1.acquire(k, "node-a", TTL))!;
      await waitUntilFree(c1, k);
      const current = (await c2.acquire(k, "node-b", LONG_TTL))!;
      expect(await c1.renew(old, LONG_TTL)).toBeUndefined();
      await c1.release(old);
      expect(await c1.current(k)).toMatchObject({ holder: "node-b", token: current.token });
      // Same holder name, older token: still not the live lease.
      expect(await c1.renew({ ...current, token: current.token - 1 }, LONG_TTL)).toBeUndefined();
      await c2.release({ ...current, token: current.token - 1 });
      expect(await c2.current(k)).toMatchObject({ holder: "node-b", token: current.token });
    },
  },
  {
    name: "does not renew a lease that expired, even when nobody took it",
    async run({ connect }) {
      const c1 = await connect();
      const k = key();
      const lease = (await c1.acquire(k, "node-a", TTL))!;
      await waitUntilFree(c1, k);
      expect(await c1.renew(lease, LONG_TTL)).toBeUndefined();
    },
  },
  {
    name: "tells watchers about acquisition, release and expiry",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      const k = key();
      const changes: LeaseChange[] = [];
      const sub = await c2.watch(k, (change) => changes.push(change));
      const seen = (pred: (c: LeaseChange) => boolean, what: string): Promise<void> =>
        waitFor(() => changes.some(pred), TTL + 1500, 10, what);
      const first = (await c1.acquire(k, "node-a", LONG_TTL))!;
      await seen(
        (c) => c.lease?.token === first.token && c.lease.holder === "node-a",
        "acquire notice",
      );
      await c1.release(first);
      await seen((c) => c.key === k && c.lease === undefined, "release notice");
      changes.length = 0;
      const second = (await c1.acquire(k, "node-b", TTL))!;
      await seen((c) => c.lease?.token === second.token, "second acquire notice");
      await seen((c) => c.lease === undefined, "expiry notice");
      await sub.unsubscribe();
      await sub.unsubscribe();
      changes.length = 0;
      await c1.acquire(k, "node-c", LONG_TTL);
      await sleep(100);
      expect(changes).toEqual([]);
    },
  },
  {
    name: "lets exactly one of concurrent acquirers on two clients win",
    async run({ connect }) {
      const [c1, c2] = [await connect(), await connect()];
      for (let i = 0; i < 10; i++) {
        const k = key();
        const results = await Promise.all([
          c1.acquire(k, "node-a", LONG_TTL),
          c2.acquire(k, "node-b", LONG_TTL),
          c1.acquire(k, "node-c", LONG_TTL),
        ]);
        const winners = results.filter((r): r is Lease => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await c2.current(k)).toMatchObject({
          holder: winners[0]!.holder,
          token: winners[0]!.token,
        });
      }
    },
  },
];

/** How the coordinator suite gets clients of one backend and disposes of them. */
export interface CoordinatorConformanceOptions {
  /** A new client; two calls must give clients of the same backend. */
  create(): Promise<Coordinator>;
  /** Dispose of a client after its test (default `coordinator.close()`). */
  destroy?(coordinator: Coordinator): Promise<void>;
}

/**
 * Register the coordinator conformance suite with vitest: one test per
 * {@link coordinatorConformanceChecks} entry. Checks use real time with short
 * TTLs and fresh keys, so the backend needs no reset.
 */
export function describeCoordinatorConformance(
  name: string,
  options: CoordinatorConformanceOptions,
): void {
  describe(`${name}: Coordinator conformance`, () => {
    let clients: Coordinator[] = [];
    beforeEach(() => {
      clients = [];
    });
    afterEach(async () => {
      const done = clients;
      clients = [];
      for (const c of done) {
        if (options.destroy !== undefined) await options.destroy(c);
        else await c.close();
      }
    });
    const ctx: CoordinatorCheckContext = {
      connect: async () => {
        const c = await options.create();
        clients.push(c);
        return c;
      },
    };
    for (const check of coordinatorConformanceChecks) it(check.name, () => check.run(ctx));
  });
}
