/** Paced publishing shared by the load test and its child processes. */
import { performance } from "node:perf_hooks";
import { Priority, type EventBus } from "@grimnir/core";
import { sleep } from "@grimnir/core/testing";

/** One publisher of the load test: its name (carried in every event) and station. */
export interface LoadPublisher {
  name: string;
  stationId: string;
}

/**
 * Publish `now_playing` events (title = publisher, startedAt = sequence from 0)
 * on `bus` for `durationMs`, at most `perSecond` a second, each awaited before
 * the next. Resolves to how many were published.
 */
export async function publishFor(
  bus: EventBus,
  publisher: LoadPublisher,
  durationMs: number,
  perSecond: number,
): Promise<number> {
  const start = performance.now();
  const intervalMs = 1000 / perSecond;
  let seq = 0;
  while (performance.now() - start < durationMs) {
    await bus.publish("now_playing", publisher.stationId, {
      title: publisher.name,
      startedAt: seq,
      priority: Priority.Automation,
    });
    seq++;
    const ahead = start + seq * intervalMs - performance.now();
    if (ahead > 1) await sleep(ahead);
  }
  return seq;
}
