/**
 * `@grimnir/bus-redis` — Grimnir's `EventBus` and `Coordinator` on
 * Redis ({@link RedisBus}, {@link RedisCoordinator}) and NATS ({@link NatsBus},
 * {@link NatsCoordinator}), leader election over any coordinator
 * ({@link LeaderElector}), and the event wire format they share.
 *
 * Importing this module registers `redis:`, `rediss:` and `nats:` URLs with
 * core's `adapters` (see {@link registerBusAdapters}).
 *
 * @packageDocumentation
 */
import { adapters } from "@grimnir/core";
import { registerBusAdapters } from "./register.js";

export {
  channelFor,
  encodeEvent,
  decodeEvent,
  stationToken,
  encodeBounded,
  DEFAULT_MAX_EVENT_BYTES,
} from "./envelope.js";
export { Outbox, TELEMETRY_TOPICS } from "./outbox.js";
export type { OutboxItem } from "./outbox.js";
export { backoffDelay } from "./delivery.js";
export type {
  BusClientOptions,
  BusClientHealth,
  BusLogger,
  HandlerErrorReporter,
  ReconnectOptions,
} from "./delivery.js";
export { RedisBus } from "./redis-bus.js";
export type { RedisBusOptions } from "./redis-bus.js";
export { NatsBus } from "./nats-bus.js";
export type { NatsBusOptions } from "./nats-bus.js";
export { RedisCoordinator } from "./redis-coordinator.js";
export type { RedisCoordinatorOptions } from "./redis-coordinator.js";
export { NatsCoordinator } from "./nats-coordinator.js";
export type { NatsCoordinatorOptions } from "./nats-coordinator.js";
export { LeaderElector } from "./leader-elector.js";
export type { LeaderElectorOptions, LeadershipListener } from "./leader-elector.js";
export { registerBusAdapters };

registerBusAdapters(adapters);
