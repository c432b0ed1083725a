import { GrimnirError, isGrimnirError, type LiveSession, type Store } from "@grimnir/core";

/** The fields of a stored live session the live service changes after creating it. */
export type LiveSessionPatch = Partial<
  Pick<LiveSession, "state" | "disconnectedAt" | "inputUri" | "metadata">
>;

/**
 * Apply `patch` to the stored session: read-modify-write under the store's
 * optimistic version, retried (up to three tries) when a concurrent writer
 * bumped the version. Rejects with `NOT_FOUND` when the session does not exist.
 */
export async function updateLiveSession(
  store: Store,
  stationId: string,
  sessionId: string,
  patch: LiveSessionPatch,
): Promise<LiveSession> {
  for (let attempt = 0; ; attempt++) {
    const current = await store.liveSessions.get(stationId, sessionId);
    if (current === undefined) {
      throw new GrimnirError("NOT_FOUND", `live session ${sessionId} does not exist`, {
        details: { field: "sessionId" },
      });
    }
    try {
      return await store.liveSessions.update({ ...current, ...patch });
    } catch (err) {
      if (!isGrimnirError(err, "CONFLICT") || attempt >= 2) throw err;
    }
  }
}
