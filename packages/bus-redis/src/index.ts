/**
 * `@grimnir/bus-redis` — the event wire format shared by the Redis and NATS
 * buses (and, as they land, `RedisBus`, `NatsBus` and their coordinators).
 *
 * @packageDocumentation
 */
export { channelFor, encodeEvent, decodeEvent } from "./envelope.js";
