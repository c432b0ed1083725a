/**
 * Child process of the SIGSTOP test: a leader. It takes the lease argv[4] as
 * holder argv[5] for argv[6] ms on the Redis or NATS server at argv[3], watches
 * the key, and every argv[7] ms does its work — a fenced write carrying its
 * token — then renews. Each step is printed as a JSON line; when a renewal
 * fails it prints "lost" and stops working. SIGTERM closes it cleanly.
 */
import type { Coordinator, Lease } from "@grimnir/core";
import { NatsCoordinator, RedisCoordinator } from "../src/index.js";
import { say } from "./child-process.js";
import { openFence } from "./fenced-resource.js";

const [backend, url, key, holder, ttlText, everyText] = process.argv.slice(2) as [
  "redis" | "nats",
  string,
  string,
  string,
  string,
  string,
];
const ttlMs = Number(ttlText);
const everyMs = Number(everyText);
const quiet = { warn: () => undefined };
const coordinator: Coordinator =
  backend === "redis"
    ? await RedisCoordinator.connect({ url, watchPollMs: 50, logger: quiet })
    : await NatsCoordinator.connect({ url, watchPollMs: 50, logger: quiet });
const fence = await openFence(backend, url, key);

let lease: Lease | undefined = await coordinator.acquire(key, holder, ttlMs);
if (lease === undefined) {
  say({ event: "refused" });
  process.exit(3);
}
say({ event: "acquired", token: lease.token });
await coordinator.watch(key, (change) =>
  say({
    event: "watch",
    holder: change.lease?.holder ?? null,
    token: change.lease?.token ?? null,
  }),
);

let timer: ReturnType<typeof setTimeout> | undefined;
let n = 0;
async function work(held: Lease): Promise<void> {
  const ok = await fence.write(held.token, `${holder} write ${n++}`);
  say({ event: "write", token: held.token, ok });
  lease = await coordinator.renew(held, ttlMs);
  if (lease === undefined) say({ event: "lost", token: held.token });
  else {
    say({ event: "renewed", token: lease.token });
    timer = setTimeout(() => void work(lease!), everyMs);
  }
}
timer = setTimeout(() => void work(lease!), everyMs);

process.once("SIGTERM", () => {
  clearTimeout(timer);
  void Promise.all([coordinator.close(), fence.close()]).then(() => process.exit(0));
});
