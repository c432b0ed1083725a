/**
 * Child process of the load test: connects one bus per publisher given as
 * `name@station` (argv[6…]) to the Redis or NATS server at argv[3], prints
 * "ready", waits for "go" on stdin, publishes for argv[4] ms at argv[5] events
 * a second each, prints "done" with each publisher's count, and exits.
 */
import { createInterface } from "node:readline";
import type { EventBus } from "@grimnir/core";
import { NatsBus, RedisBus } from "../src/index.js";
import { say } from "./child-process.js";
import { publishFor, type LoadPublisher } from "./load.js";

const [backend, url, durationText, rateText, ...specs] = process.argv.slice(2) as [
  "redis" | "nats",
  string,
  string,
  string,
  ...string[],
];
const publishers: LoadPublisher[] = specs.map((spec) => {
  const [name, stationId] = spec.split("@") as [string, string];
  return { name, stationId };
});
const buses: EventBus[] = await Promise.all(
  publishers.map(() =>
    backend === "redis" ? RedisBus.connect({ url }) : NatsBus.connect({ url }),
  ),
);
say({ event: "ready" });
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.on("line", (line) => line === "go" && resolve()));
lines.close();
const counts = await Promise.all(
  publishers.map((p, i) => publishFor(buses[i]!, p, Number(durationText), Number(rateText))),
);
const health = buses.map((bus) => bus.health());
say({
  event: "done",
  counts: Object.fromEntries(publishers.map((p, i) => [p.name, counts[i]])),
  dropped: health.reduce((n, h) => n + h.dropped, 0),
});
await Promise.all(buses.map((bus) => bus.close()));
process.exit(0);
