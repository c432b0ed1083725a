import { Redis } from "ioredis";
import { GrimnirError } from "@grimnir/core";
import { backoffDelay, errorText, type ReconnectOptions } from "./delivery.js";

/** Open an ioredis client that retries forever with backoff and never queues commands offline. */
export function openRedis(
  url: string,
  name: string,
  reconnect: ReconnectOptions | undefined,
  onError: (error: Error) => void,
): Redis {
  const client = new Redis(url, {
    connectionName: name,
    // Our own outbox and resubscription handle outages; ioredis must not queue or replay.
    enableOfflineQueue: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 5000,
    connectTimeout: 5000,
    retryStrategy: (times) => backoffDelay(times - 1, reconnect),
    lazyConnect: false,
  });
  client.on("error", onError);
  return client;
}

/** Resolve once `client` is ready; reject with `BUS_UNAVAILABLE` after `timeoutMs`. */
export function waitReady(
  client: Redis,
  timeoutMs: number,
  lastError: () => string | undefined,
): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      const why = lastError();
      reject(
        new GrimnirError(
          "BUS_UNAVAILABLE",
          `could not reach Redis within ${timeoutMs} ms${why === undefined ? "" : `: ${why}`}`,
          { details: { timeoutMs } },
        ),
      );
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
}

/** Wrap a failed Redis command as `BUS_UNAVAILABLE`, keeping the cause. */
export function unavailable(what: string, cause: unknown): GrimnirError {
  return new GrimnirError("BUS_UNAVAILABLE", `${what} failed: ${errorText(cause)}`, { cause });
}

/** Close `client` at once, without waiting on a server that may be gone; no reconnection follows. */
export function closeRedis(client: Redis): void {
  client.disconnect(false);
}
