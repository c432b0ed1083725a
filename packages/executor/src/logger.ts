/**
 * Where the executor reports what it cannot act on otherwise (bus or store
 * outages, engine errors). Every method must return quickly and never throw.
 */
export interface ExecutorLogger {
  /** Something degraded but playout continues. */
  warn(message: string, context?: Record<string, unknown>): void;
  /** Something failed that needs an operator's attention. */
  error(message: string, context?: Record<string, unknown>): void;
}

/** Logger writing to `console.warn` / `console.error` with a `grimnir:executor` prefix. */
export const consoleLogger: ExecutorLogger = {
  warn: (message, context) => console.warn(`grimnir:executor ${message}`, context ?? {}),
  error: (message, context) => console.error(`grimnir:executor ${message}`, context ?? {}),
};

/** Run `promise` but reject with `error()` when it takes longer than `ms` of real time. */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (reason: unknown) => {
        clearTimeout(timer);
        reject(reason instanceof Error ? reason : new Error(String(reason)));
      },
    );
  });
}
