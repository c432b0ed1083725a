import { GrimnirError, TOPICS } from "@grimnir/core";
import type { BusEvent, BusHealth, EventHandler, Topic } from "@grimnir/core";
import { channelFor, decodeEvent } from "./envelope.js";

/** Called with an error a handler threw (or rejected with) and the event it was handling. */
export type HandlerErrorReporter = (error: unknown, event: BusEvent) => void;

/** Where a bus or coordinator writes its log lines (default: `console`). */
export interface BusLogger {
  /** Something was dropped or retried; the process carries on. */
  warn(message: string, error?: unknown): void;
}

/** Reconnection policy: exponential backoff with jitter between attempts. */
export interface ReconnectOptions {
  /** Delay before the first retry, ms (default 100). */
  initialDelayMs?: number;
  /** Largest delay between retries, ms (default 5000). */
  maxDelayMs?: number;
}

/** Options shared by {@link RedisBus} and {@link NatsBus}. */
export interface BusClientOptions {
  /** First token of every channel/subject (default "grimnir"); buses with different prefixes never meet. */
  prefix?: string;
  /** Most events held while disconnected (default 10 000); see {@link Outbox} for what is dropped. */
  outboxCapacity?: number;
  /** Largest encoded event accepted by `publish`, bytes (default {@link DEFAULT_MAX_EVENT_BYTES}). */
  maxEventBytes?: number;
  /** Backoff between reconnection attempts. */
  reconnect?: ReconnectOptions;
  /** How long `connect` waits for the first connection, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Where handler errors go (default: a `logger.warn` line); they never reach the publisher. */
  onHandlerError?: HandlerErrorReporter;
  /** Log sink (default `console`). */
  logger?: BusLogger;
}

/** {@link BusHealth} plus what a networked bus also counts. */
export interface BusClientHealth extends BusHealth {
  /** Messages on our channels that were not valid events and were dropped, since start. */
  malformed: number;
}

/** Delay before reconnection attempt `attempt` (0-based): doubling from `initialDelayMs`, capped, half of it jittered. */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** How many recent event ids a subscription remembers to drop redelivered copies. */
const DEDUP_WINDOW = 4096;

/**
 * One handler's subscription inside a bus client: its filter, an ordered
 * delivery queue (handlers never run concurrently with themselves) and a window
 * of recently seen ids so a resent event is delivered at most once.
 */
export class LocalSubscription {
  readonly #pending: BusEvent[] = [];
  readonly #seen = new Set<string>();
  #draining = false;
  #active = true;

  constructor(
    readonly topic: Topic | "*",
    readonly stationId: string,
    readonly handler: EventHandler,
    readonly onError: HandlerErrorReporter,
  ) {}

  /** False once unsubscribed. */
  get active(): boolean {
    return this.#active;
  }

  /** True when `event` is for this subscription's topic and station. */
  matches(event: BusEvent): boolean {
    return (
      (this.topic === "*" || this.topic === event.topic) &&
      (this.stationId === "*" || this.stationId === event.stationId)
    );
  }

  /** Queue `event` for the handler unless it does not match or was already delivered. */
  deliver(event: BusEvent): void {
    if (!this.#active || !this.matches(event) || this.#seen.has(event.id)) return;
    this.#seen.add(event.id);
    if (this.#seen.size > DEDUP_WINDOW) {
      const oldest = this.#seen.values().next().value as string;
      this.#seen.delete(oldest);
    }
    this.#pending.push(event);
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => void this.#drain());
    }
  }

  /** Stop delivery; queued events are discarded. */
  close(): void {
    this.#active = false;
    this.#pending.length = 0;
  }

  async #drain(): Promise<void> {
    while (this.#active && this.#pending.length > 0) {
      const event = this.#pending.shift()!;
      try {
        await this.handler(event);
      } catch (error) {
        this.onError(error, event);
      }
    }
    this.#draining = false;
  }
}

/**
 * Decode a message received on `channel` and check it belongs there: an event whose
 * own station/topic would travel on another channel is as foreign as bad JSON.
 * Throws `VALIDATION` (see {@link decodeEvent}) for anything else.
 */
export function decodeFromChannel(prefix: string, channel: string, text: string): BusEvent {
  const event = decodeEvent(text);
  const expected = channelFor(prefix, event.stationId, event.topic);
  if (expected !== channel) {
    throw new GrimnirError("VALIDATION", `event for ${expected} arrived on ${channel}`, {
      details: { field: "stationId", channel },
    });
  }
  return event;
}

/** Text of an unknown thrown value, for `lastError` and log lines. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The default logger: one `console.warn` line per problem. */
export const consoleLogger: BusLogger = {
  warn(message, error) {
    if (error === undefined) console.warn(`grimnir: ${message}`);
    else console.warn(`grimnir: ${message}:`, errorText(error));
  },
};

/** Default handler-error reporter writing to `logger`. */
export function handlerErrorLogger(logger: BusLogger): HandlerErrorReporter {
  return (error, event) =>
    logger.warn(`bus handler for ${event.topic} on station ${event.stationId} failed`, error);
}

/** Reject unknown topic names with `VALIDATION`, naming the known ones. */
export function assertTopic(topic: string): asserts topic is Topic {
  if (!(TOPICS as readonly string[]).includes(topic)) {
    throw new GrimnirError(
      "VALIDATION",
      `unknown topic ${JSON.stringify(topic)}; expected one of ${TOPICS.join(", ")}`,
      {
        details: { field: "topic" },
      },
    );
  }
}
