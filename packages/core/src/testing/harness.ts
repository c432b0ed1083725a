import { expect } from "vitest";
import type { ErrorCode } from "../errors.js";

/**
 * One named conformance check. Suites wrap each in `it(name, …)`; tests of the
 * suites themselves run a check directly and expect it to reject for a broken adapter.
 */
export interface ConformanceCheck<C> {
  /** Behaviour the check proves, phrased as a test name. */
  readonly name: string;
  /** Resolve when the adapter behaves; reject (an assertion error) when it does not. */
  run(ctx: C): Promise<void>;
}

/**
 * Resolve once `predicate` returns true (it may be async), polling every
 * `intervalMs` (default 5); reject after `timeoutMs` (default 1000) of real time.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 1000,
  intervalMs = 5,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Resolve after `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Run the check called `name` from `checks` against `ctx`. Rejects when no
 * such check exists, so a renamed check cannot silently pass.
 */
export async function runConformanceCheck<C>(
  checks: readonly ConformanceCheck<C>[],
  name: string,
  ctx: C,
): Promise<void> {
  const check = checks.find((c) => c.name === name);
  if (check === undefined) throw new Error(`no conformance check named ${JSON.stringify(name)}`);
  await check.run(ctx);
}

/** Assert that `promise` rejects with a GrimnirError-like `code`. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}
