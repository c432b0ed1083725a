import type { MappedValue } from "./mapped-entity.js";

/** Health-check and failover settings given to imported webstreams (neither source has them). */
export function webstreamDefaults(): Omit<MappedValue, "id"> {
  return {
    currentIndex: 0,
    health: { intervalMs: 10_000, timeoutMs: 5_000, method: "GET", failoverAfter: 3 },
    failover: { enabled: false, graceMs: 5_000, autoRecover: true },
    bufferMs: 5_000,
    metadata: { passthrough: true },
    status: "healthy",
  };
}

/** True for an absolute http(s) URL. */
export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}

/**
 * Password hash given to imported users: not a valid PHC string, so nobody can
 * log in until an admin or the user sets a password in Grimnir. Neither source
 * exposes a hash Grimnir can verify.
 */
export const LOCKED_PASSWORD = "!imported-no-password";

/** Keep a stored user's password and any roles granted in Grimnir since the last import. */
export function mergeUser(existing: Record<string, unknown>, desired: MappedValue): MappedValue {
  const roles = [
    ...((existing.roles as Array<{ stationId: string; role: string }> | undefined) ?? []),
  ];
  for (const grant of (desired.roles as Array<{ stationId: string; role: string }>) ?? [])
    if (!roles.some((r) => r.stationId === grant.stationId && r.role === grant.role))
      roles.push(grant);
  return { ...desired, passwordHash: existing.passwordHash ?? desired.passwordHash, roles };
}
