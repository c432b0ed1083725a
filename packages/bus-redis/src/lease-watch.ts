import type { Lease, LeaseChange, Subscription } from "@grimnir/core";

/** Same holder and token (or both free): renewals are not changes. */
export function sameLease(a: Lease | undefined, b: Lease | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.holder === b.holder && a.token === b.token;
}

/**
 * Watch `key` by polling `current` every `intervalMs` and calling `handler` when
 * the holder or token changes (or the key becomes free). Resolves after the
 * first read, so changes after that are reported. The timer is unref'd.
 */
export async function pollLeaseChanges(
  key: string,
  current: (key: string) => Promise<Lease | undefined>,
  handler: (change: LeaseChange) => void,
  intervalMs: number,
  onError: (error: unknown) => void,
): Promise<Subscription> {
  let last = await current(key);
  let active = true;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    current(key).then(
      (lease) => {
        busy = false;
        if (!active || sameLease(last, lease)) return;
        last = lease;
        try {
          handler({ key, lease });
        } catch (error) {
          onError(error);
        }
      },
      (error: unknown) => {
        busy = false;
        if (active) onError(error);
      },
    );
  }, intervalMs);
  timer.unref();
  return {
    unsubscribe: async () => {
      active = false;
      clearInterval(timer);
    },
  };
}

/**
 * The lease watches one coordinator client holds: each polls `current` every
 * `intervalMs`; `closeAll` stops them when the client closes.
 */
export class LeaseWatches {
  readonly #subs = new Set<Subscription>();

  constructor(
    private readonly current: (key: string) => Promise<Lease | undefined>,
    private readonly intervalMs: number,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  /** Start watching `key`; the subscription also leaves this set when unsubscribed. */
  async add(key: string, handler: (change: LeaseChange) => void): Promise<Subscription> {
    const inner = await pollLeaseChanges(key, this.current, handler, this.intervalMs, (error) =>
      this.onError(key, error),
    );
    const sub: Subscription = {
      unsubscribe: async () => {
        this.#subs.delete(sub);
        await inner.unsubscribe();
      },
    };
    this.#subs.add(sub);
    return sub;
  }

  /** Stop every watch. */
  async closeAll(): Promise<void> {
    for (const sub of [...this.#subs]) await sub.unsubscribe();
  }
}
