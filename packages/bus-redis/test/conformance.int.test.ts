import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapters } from "@grimnir/core";
import { describeBusConformance, describeCoordinatorConformance } from "@grimnir/core/testing";
import { NatsBus, NatsCoordinator, RedisBus, RedisCoordinator } from "../src/index.js";
import { findBinary, freePort, startNats, startRedis, type TestServer } from "@grimnir/testkit";

const quiet = { warn: () => undefined };

describe("against a private redis-server", () => {
  let redis: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  describeBusConformance("RedisBus", {
    create: () => RedisBus.connect({ url: redis.url, logger: quiet }),
  });
  describeCoordinatorConformance("RedisCoordinator", {
    create: () => RedisCoordinator.connect({ url: redis.url, watchPollMs: 20 }),
  });
});

describe("against a private nats-server", () => {
  let nats: TestServer;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  describeBusConformance("NatsBus", {
    create: () => NatsBus.connect({ url: nats.url, logger: quiet }),
  });
  describeCoordinatorConformance("NatsCoordinator", {
    create: () => NatsCoordinator.connect({ url: nats.url, watchPollMs: 20 }),
  });
});

describe("adapter registration", () => {
  let redis: TestServer;
  let nats: TestServer;
  beforeAll(async () => {
    [redis, nats] = await Promise.all([startRedis(), startNats()]);
  });
  afterAll(async () => {
    await redis?.stop();
    await nats?.stop();
  });

  it("creates buses and coordinators from redis:// and nats:// URLs on core's adapters", async () => {
    expect(adapters.schemes("bus")).toEqual(expect.arrayContaining(["redis", "rediss", "nats"]));
    expect(adapters.schemes("coordinator")).toEqual(
      expect.arrayContaining(["redis", "rediss", "nats"]),
    );
    const redisBus = await adapters.createBus(`${redis.url}?prefix=radio1`);
    const natsBus = await adapters.createBus(`${nats.url}?prefix=radio1`);
    const redisLeases = await adapters.createCoordinator(redis.url);
    const natsLeases = await adapters.createCoordinator(`${nats.url}?bucket=radio1_leases`);
    expect(redisBus).toBeInstanceOf(RedisBus);
    expect(natsBus).toBeInstanceOf(NatsBus);
    expect(redisLeases).toBeInstanceOf(RedisCoordinator);
    expect(natsLeases).toBeInstanceOf(NatsCoordinator);
    expect((await natsLeases.acquire("planner", "a", 1000))?.holder).toBe("a");
    for (const closable of [redisBus, natsBus, redisLeases, natsLeases]) await closable.close();
  });

  it("fails to connect with BUS_UNAVAILABLE naming the problem when nothing listens", async () => {
    const port = await freePort();
    await expect(
      RedisBus.connect({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: "BUS_UNAVAILABLE",
    });
    await expect(
      NatsBus.connect({ url: `nats://127.0.0.1:${port}`, connectTimeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: "BUS_UNAVAILABLE",
    });
  });

  it("fails with the install command when a server binary is missing", () => {
    expect(() => findBinary("grimnir-no-such-server")).toThrow(
      "run apt-get install -y redis-server nats-server",
    );
  });
});
