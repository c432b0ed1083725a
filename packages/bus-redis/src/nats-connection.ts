import { connect, type NatsConnection } from "nats";
import { GrimnirError } from "@grimnir/core";
import { backoffDelay, errorText, type ReconnectOptions } from "./delivery.js";

/** Connection events a NATS adapter reacts to. */
export interface NatsConnectionEvents {
  /** The connection dropped; the client is reconnecting. */
  onDisconnect(): void;
  /** The connection is back and subscriptions were re-sent. */
  onReconnect(): void;
  /** An error worth reporting in `health().lastError`. */
  onError(message: string): void;
}

/**
 * Connect to `url` (`nats://[user:pass@|token@]host[:port]`), retrying with backoff until
 * `timeoutMs`; afterwards the client reconnects forever with the same backoff and
 * re-sends its subscriptions itself. Rejects with `BUS_UNAVAILABLE`.
 */
export async function openNats(
  url: string,
  name: string,
  reconnect: ReconnectOptions | undefined,
  timeoutMs: number,
  events: NatsConnectionEvents,
): Promise<NatsConnection> {
  const parsed = new URL(url);
  const server = `${parsed.hostname}:${parsed.port === "" ? "4222" : parsed.port}`;
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const auth =
    username === ""
      ? {}
      : password === ""
        ? { token: username }
        : { user: username, pass: password };
  let attempt = 0;
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      const nc = await connect({
        servers: server,
        name,
        ...auth,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectDelayHandler: () => backoffDelay(attempt++, reconnect),
        pingInterval: 5000,
        maxPingOut: 2,
        timeout: Math.max(500, Math.min(5000, deadline - Date.now())),
      });
      attempt = 0;
      watchStatus(nc, events, () => {
        attempt = 0;
      });
      return nc;
    } catch (error) {
      lastError = errorText(error);
      events.onError(lastError);
      const delay = backoffDelay(attempt++, reconnect);
      if (Date.now() + delay >= deadline) {
        throw new GrimnirError(
          "BUS_UNAVAILABLE",
          `could not reach NATS at ${server} within ${timeoutMs} ms: ${lastError}`,
          { details: { timeoutMs }, cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function watchStatus(
  nc: NatsConnection,
  events: NatsConnectionEvents,
  resetBackoff: () => void,
): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") events.onDisconnect();
      else if (status.type === "reconnect") {
        resetBackoff();
        events.onReconnect();
      } else if (status.type === "error") events.onError(String(status.data));
    }
  })();
}

/** Wrap a failed NATS operation as `BUS_UNAVAILABLE`, keeping the cause. */
export function natsUnavailable(what: string, cause: unknown): GrimnirError {
  return new GrimnirError("BUS_UNAVAILABLE", `${what} failed: ${errorText(cause)}`, { cause });
}
