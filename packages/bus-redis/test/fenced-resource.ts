/**
 * A resource guarded by fencing tokens, on the same server as the coordinator:
 * it accepts a write whose token is at least the highest it has accepted and
 * refuses an older one, atomically (Redis: a Lua script; NATS: a JetStream KV
 * compare-and-set on the key's revision).
 */
import { Redis } from "ioredis";
import { connect as natsConnect, type KV, type NatsConnection } from "nats";

/** What the resource holds: the last accepted value and the highest token seen. */
export interface FencedValue {
  token: number;
  value: string;
}

/** A fenced register shared by every process that opens it. */
export interface FencedResource {
  /** Store `value` if `token` is not older than the highest accepted; false when refused. */
  write(token: number, value: string): Promise<boolean>;
  read(): Promise<FencedValue | undefined>;
  close(): Promise<void>;
}

const FENCED_SET = `
local highest = tonumber(redis.call('HGET', KEYS[1], 'token') or '0')
if tonumber(ARGV[1]) < highest then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'value', ARGV[2])
return 1`;

/** Open the fenced register `name` on the Redis or NATS server at `url`. */
export async function openFence(
  backend: "redis" | "nats",
  url: string,
  name: string,
): Promise<FencedResource> {
  return backend === "redis" ? redisFence(url, name) : natsFence(url, name);
}

async function redisFence(url: string, name: string): Promise<FencedResource> {
  const client = new Redis(url);
  const key = `grimnir-test:fence:${name}`;
  return {
    write: async (token, value) =>
      (await client.eval(FENCED_SET, 1, key, String(token), value)) === 1,
    async read() {
      const [token, value] = await client.hmget(key, "token", "value");
      return token === null ? undefined : { token: Number(token), value: value ?? "" };
    },
    async close() {
      client.disconnect();
    },
  };
}

async function natsFence(url: string, register: string): Promise<FencedResource> {
  // KV keys allow only [-/_=.a-zA-Z0-9].
  const name = Buffer.from(register, "utf8").toString("base64url");
  const nc: NatsConnection = await natsConnect({ servers: url.replace("nats://", "") });
  const kv: KV = await nc.jetstream().views.kv("grimnir_test_fence", { history: 1 });
  const read = async () => {
    const entry = await kv.get(name);
    return entry === null || entry.operation !== "PUT"
      ? { revision: entry?.revision, value: undefined }
      : { revision: entry.revision, value: entry.json<FencedValue>() };
  };
  return {
    async write(token, value) {
      for (;;) {
        const current = await read();
        if (current.value !== undefined && token < current.value.token) return false;
        const data = JSON.stringify({ token, value });
        try {
          if (current.revision === undefined) await kv.create(name, data);
          else await kv.update(name, data, current.revision);
          return true;
        } catch (error) {
          // Another writer got in between: read the new state and decide again.
          const code = (error as { api_error?: { err_code?: number } }).api_error?.err_code;
          if (code !== 10071) throw error;
        }
      }
    },
    read: async () => (await read()).value,
    async close() {
      await nc.close();
    },
  };
}
