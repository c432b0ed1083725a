import { GrimnirError, Priority, isGrimnirError } from "@grimnir/core";
import type { EngineStationStatus, ExecutorStateName, NewEntity } from "@grimnir/core";
import { withTimeout } from "./logger.js";
import { AUTOMATION_SOURCE_ID, FALLBACK_SOURCE_ID } from "./priority-service.js";
import type { ExecutorContext } from "./executor-context.js";
import type { PersistedExecutorState } from "./executor-types.js";
import type { PlayHistoryLog } from "./play-history.js";

/**
 * The executor's state in the Store (`executorStates`): what is on air, the
 * position, the priority stack and the owner's fencing token, written
 * through the write-behind queue with optimistic versions. On start it is
 * read back and, with the engine's `status`, rebuilds what is on air
 * without touching audio that already plays (reattach).
 */
export class ExecutorPersistence {
  readonly #ctx: ExecutorContext;
  readonly #history: PlayHistoryLog;
  #version: number | undefined;
  #lastPersistAt = Number.NEGATIVE_INFINITY;

  /** Persistence of the station of `ctx`; the open play history record is carried over through `history`. */
  constructor(ctx: ExecutorContext, history: PlayHistoryLog) {
    this.#ctx = ctx;
    this.#history = history;
  }

  /** The stored state, or undefined when there is none or the Store does not answer in time. */
  async read(): Promise<PersistedExecutorState | undefined> {
    const ctx = this.#ctx;
    try {
      const state = await withTimeout(
        ctx.o.store.executorStates.get(ctx.stationId),
        ctx.o.storeTimeoutMs,
        () => new GrimnirError("STORE_UNAVAILABLE", "executor state not read in time"),
      );
      this.#version = state?.version ?? 0;
      return state as PersistedExecutorState | undefined;
    } catch (error) {
      ctx.logger.warn("could not read persisted executor state; starting from the timeline", {
        stationId: ctx.stationId,
        error: String(error),
      });
      return undefined;
    }
  }

  /** Rebuild sources and what is on air from the persisted state and the engine's status. */
  restore(
    persisted: PersistedExecutorState | undefined,
    station: EngineStationStatus | undefined,
  ): void {
    const ctx = this.#ctx;
    const now = ctx.time.now();
    const sources = (persisted?.sources ?? []).filter((s) => s.priority < Priority.Automation);
    if (sources.length > 0) ctx.priority.restore(sources);
    const interrupted = persisted?.interrupted;
    if (interrupted !== undefined) {
      const entry = ctx.timeline.get(interrupted.entryId);
      if (entry !== undefined) ctx.interrupted = { entry, positionMs: interrupted.positionMs };
    }
    if (station === undefined || station.state === "idle" || station.currentItemId === undefined) {
      ctx.machine = ctx.newMachine("idle");
      return;
    }
    const itemId = station.currentItemId;
    let state: ExecutorStateName = "idle";
    const higher = ctx.priority.sources.find((s) => s.id === itemId || s.uri === itemId);
    const entry = ctx.timeline.get(itemId);
    const historyId = persisted?.playHistoryId;
    if (higher !== undefined && (station.state === "emergency" || station.state === "live")) {
      ctx.applied = higher;
      state = station.state;
      if (historyId !== undefined) this.#history.adopt(higher.id, historyId);
    } else if (entry !== undefined && station.state === "playing") {
      const same = persisted?.currentEntryId === entry.id;
      const positionMs =
        same && persisted.currentStartedAt !== undefined
          ? now - persisted.currentStartedAt
          : Math.max(0, now - entry.startsAt);
      ctx.priority.activate({
        id: AUTOMATION_SOURCE_ID,
        priority: Priority.Automation,
        activatedAt: now,
      });
      ctx.applied = ctx.priority.get(AUTOMATION_SOURCE_ID);
      ctx.current = {
        entry,
        startedAt: now,
        offsetMs: positionMs,
        endsAt: now + Math.max(0, entry.endsAt - entry.startsAt - positionMs),
        history: { label: entry.id, ...(same && historyId !== undefined ? { id: historyId } : {}) },
      };
      state = "playing";
    } else if (itemId.startsWith("fallback:") && ctx.o.fallback.length > 0) {
      ctx.priority.activate({
        id: FALLBACK_SOURCE_ID,
        priority: Priority.Fallback,
        activatedAt: now,
      });
      ctx.applied = ctx.priority.get(FALLBACK_SOURCE_ID);
      ctx.fallback = { index: Number(itemId.slice("fallback:".length)) || 0, startedAt: now };
      if (historyId !== undefined) this.#history.adopt(itemId, historyId);
      state = "playing";
    }
    ctx.machine = ctx.newMachine(state);
    if (state !== "idle") {
      ctx.emit({ type: "reattached", stationId: ctx.stationId, at: now, itemId, state });
    }
  }

  /** Write the state when `persistEveryMs` has passed since the last write. */
  persistIfDue(): void {
    if (this.#ctx.time.now() - this.#lastPersistAt >= this.#ctx.o.persistEveryMs) this.persist();
  }

  /** Queue a write of the current state with its version; a newer owner's token stops this executor. */
  persist(): void {
    const ctx = this.#ctx;
    if (ctx.leaseLost) return;
    this.#lastPersistAt = ctx.time.now();
    ctx.writes.enqueue("executor state", async () => {
      const store = ctx.o.store.executorStates;
      try {
        const stored = await store.put(this.#snapshot(), this.#version ?? 0);
        this.#version = stored.version;
      } catch (error) {
        if (!isGrimnirError(error, "CONFLICT")) throw error;
        const stored = (await store.get(ctx.stationId)) as PersistedExecutorState | undefined;
        this.#version = stored?.version ?? 0;
        if (
          stored?.fencingToken !== undefined &&
          ctx.fencingToken !== undefined &&
          stored.fencingToken > ctx.fencingToken
        ) {
          this.#loseLease(
            `state written by ${stored.ownerId ?? "another owner"} with a newer fencing token`,
          );
          return;
        }
        const retried = await store.put(this.#snapshot(), this.#version);
        this.#version = retried.version;
      }
    });
  }

  #snapshot(): NewEntity<PersistedExecutorState> {
    const ctx = this.#ctx;
    const now = ctx.time.now();
    const doc: NewEntity<PersistedExecutorState> = {
      stationId: ctx.stationId,
      state: ctx.machine.state,
      priority: ctx.applied?.priority ?? Priority.Fallback,
      sources: ctx.priority.sources.filter((s) => s.priority < Priority.Automation),
      lastHeartbeatAt: ctx.lastHeartbeatAt ?? now,
    };
    const current = ctx.current;
    if (current !== undefined) {
      doc.currentEntryId = current.entry.id;
      doc.currentStartedAt = current.startedAt - current.offsetMs;
      doc.positionMs = current.offsetMs + Math.max(0, now - current.startedAt);
    }
    if (ctx.next !== undefined) doc.nextEntryId = ctx.next.entry.id;
    if (ctx.interrupted !== undefined) {
      doc.interrupted = {
        entryId: ctx.interrupted.entry.id,
        positionMs: ctx.interrupted.positionMs,
      };
    }
    const record = current?.history ?? this.#history.airRecord;
    if (record?.id !== undefined && record.finished !== true) doc.playHistoryId = record.id;
    if (ctx.ownerId !== undefined) doc.ownerId = ctx.ownerId;
    if (ctx.fencingToken !== undefined) doc.fencingToken = ctx.fencingToken;
    return doc;
  }

  #loseLease(reason: string): void {
    const ctx = this.#ctx;
    if (ctx.leaseLost) return;
    ctx.leaseLost = true;
    ctx.logger.error("station is driven by a newer owner; stopping", {
      stationId: ctx.stationId,
      reason,
    });
    ctx.emit({ type: "lease_lost", stationId: ctx.stationId, at: ctx.time.now(), reason });
    ctx.running = false;
  }
}
