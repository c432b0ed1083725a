import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { Coordinator } from "@grimnir/core";
import { sleep, waitFor } from "@grimnir/core/testing";
import { LeaderElector, NatsCoordinator, RedisCoordinator } from "../src/index.js";
import { startNats, startRedis, type TestServer } from "@grimnir/testkit";
import { PausableCoordinator } from "./pausable.js";

/** A Redis value guarded by fencing tokens: writes older than the newest token seen are refused. */
const FENCED_SET = `
local highest = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')
if tonumber(ARGV[1]) < highest then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])
return 1`;

interface Backend {
  name: string;
  start(): Promise<TestServer>;
  connect(server: TestServer): Promise<Coordinator>;
}

const backends: Backend[] = [
  {
    name: "RedisCoordinator",
    start: startRedis,
    connect: (s) => RedisCoordinator.connect({ url: s.url }),
  },
  {
    name: "NatsCoordinator",
    start: startNats,
    connect: (s) => NatsCoordinator.connect({ url: s.url }),
  },
];

for (const backend of backends) {
  describe(`${backend.name} with a paused holder`, () => {
    let server: TestServer;
    const clients: Coordinator[] = [];
    const connect = async () => {
      const c = await backend.connect(server);
      clients.push(c);
      return c;
    };
    beforeAll(async () => {
      server = await backend.start();
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) await c.close();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("lets another holder take over with a greater token; the stale holder cannot renew or release", async () => {
      const [stale, fresh, observer] = [await connect(), await connect(), await connect()];
      const key = `station:wgmr:${backend.name}`;
      const old = (await stale.acquire(key, "instance-a", 300))!;
      expect(old.token).toBeGreaterThan(0);
      // instance-a stops renewing, as a paused process would.
      await sleep(450);
      const taken = (await fresh.acquire(key, "instance-b", 10_000))!;
      expect(taken.holder).toBe("instance-b");
      expect(taken.token).toBeGreaterThan(old.token);
      expect(await stale.renew(old, 300)).toBeUndefined();
      await stale.release(old);
      expect(await observer.current(key)).toMatchObject({
        holder: "instance-b",
        token: taken.token,
      });
    });

    it("keeps tokens increasing across client restarts", async () => {
      const key = `planner:${backend.name}`;
      const first = await connect();
      const a = (await first.acquire(key, "a", 5000))!;
      await first.release(a);
      await first.close();
      const second = await connect();
      const b = (await second.acquire(key, "b", 5000))!;
      expect(b.token).toBeGreaterThan(a.token);
    });
  });
}

describe("LeaderElector over RedisCoordinator", () => {
  let redis: TestServer;
  let fence: Redis;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    fence = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  afterAll(async () => {
    fence?.disconnect();
    await redis?.stop();
  });

  async function contender(holder: string, pausable = false) {
    const coordinator = await RedisCoordinator.connect({ url: redis.url });
    const gate = new PausableCoordinator(coordinator);
    const elector = new LeaderElector(pausable ? gate : coordinator, {
      key: "planner",
      holder,
      ttlMs: 300,
      onError: () => undefined,
    });
    const log: string[] = [];
    elector.onElected(() => log.push("elected"));
    elector.onDeposed(() => log.push("deposed"));
    stops.push(async () => {
      gate.resume();
      await elector.stop();
      await coordinator.close();
    });
    elector.start();
    return { elector, gate, log };
  }

  const fencedWrite = async (token: number, value: string) =>
    (await fence.eval(FENCED_SET, 1, "grimnir-test:planner-output", String(token), value)) === 1;

  it("elects a new leader when the leader is paused beyond its lease and refuses the old leader's late writes", async () => {
    const a = await contender("instance-a", true);
    await waitFor(() => a.elector.isLeader, 2000, 5, "instance-a to lead");
    const staleToken = a.elector.lease!.token;
    expect(await fencedWrite(staleToken, "plan from a")).toBe(true);

    a.gate.pause();
    const b = await contender("instance-b");
    await waitFor(() => b.elector.isLeader, 3000, 5, "instance-b to take over");
    const freshToken = b.elector.lease!.token;
    expect(freshToken).toBeGreaterThan(staleToken);
    expect(a.elector.isLeader).toBe(false);
    await waitFor(() => a.log.length === 2, 1000, 5, "instance-a to hear it was deposed");
    expect(a.log).toEqual(["elected", "deposed"]);
    expect(await fencedWrite(freshToken, "plan from b")).toBe(true);

    a.gate.resume();
    await sleep(300);
    expect(a.elector.isLeader).toBe(false);
    expect(b.elector.isLeader).toBe(true);
    expect(await fencedWrite(staleToken, "late plan from a")).toBe(false);
    expect(await fence.hget("grimnir-test:planner-output", "value")).toBe("plan from b");
  });
});
