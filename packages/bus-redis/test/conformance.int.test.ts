import { afterAll, beforeAll, describe } from "vitest";
import { describeBusConformance, describeCoordinatorConformance } from "@grimnir/core/testing";
import { NatsBus, NatsCoordinator, RedisBus, RedisCoordinator } from "../src/index.js";
import { startNats, startRedis, type TestServer } from "./servers.js";

const quiet = { warn: () => undefined };

describe("against a private redis-server", () => {
  let redis: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  describeBusConformance("RedisBus", { create: () => RedisBus.connect({ url: redis.url, logger: quiet }) });
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

  describeBusConformance("NatsBus", { create: () => NatsBus.connect({ url: nats.url, logger: quiet }) });
  describeCoordinatorConformance("NatsCoordinator", {
    create: () => NatsCoordinator.connect({ url: nats.url, watchPollMs: 20 }),
  });
});
