import { MemoryBus, MemoryBusHub, MemoryStore } from "@grimnir/core";
import type { FastifyInstance } from "fastify";
import type { Role, Station } from "@grimnir/core";
import { createApi, hashPassword, type ApiOptions } from "../src/index.js";

/** A 32-byte test secret. */
export const SECRET = "test-secret-test-secret-test-secret-0123";

/** Everything a test needs: the API, its store and bus, and helpers to log in. */
export interface Harness {
  api: FastifyInstance;
  store: MemoryStore;
  bus: MemoryBus;
  stationA: Station;
  stationB: Station;
  /** Create a user with the given grants and return an access token for them. */
  login(
    username: string,
    roles: Array<{ stationId: string; role: Role }>,
  ): Promise<{ accessToken: string; refreshToken: string; userId: string }>;
  close(): Promise<void>;
}

let passwordHash: Promise<string> | undefined;

/** Build an API on a fresh MemoryStore and a private MemoryBus hub. */
export async function makeHarness(overrides: Partial<ApiOptions> = {}): Promise<Harness> {
  const store = new MemoryStore();
  const bus = new MemoryBus({ hub: new MemoryBusHub() });
  const api = createApi({
    store,
    bus,
    auth: { jwtSecret: SECRET },
    rateLimit: { enabled: false },
    defaultMetrics: false,
    ...overrides,
  });
  const stationA = await store.stations.create({
    name: "Alpha FM",
    timezone: "Europe/Oslo",
    slug: "alpha",
    active: true,
  });
  const stationB = await store.stations.create({
    name: "Beta FM",
    timezone: "America/New_York",
    slug: "beta",
    active: true,
  });
  passwordHash ??= hashPassword("correct horse battery", { ln: 10 });
  const hash = await passwordHash;
  return {
    api,
    store,
    bus,
    stationA,
    stationB,
    async login(username, roles) {
      const user = await store.users.create({
        username,
        passwordHash: hash,
        roles,
        disabled: false,
      });
      const res = await api.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { username, password: "correct horse battery" },
      });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      const body = res.json() as { accessToken: string; refreshToken: string };
      return { ...body, userId: user.id };
    },
    async close() {
      await api.close();
      await bus.close();
      await store.close();
    },
  };
}

/** Authorization header for a token. */
export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

/** Listen on a free loopback port; returns the base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(api: FastifyInstance): Promise<string> {
  return api.listen({ port: 0, host: "127.0.0.1" });
}
