import type { StationScoped } from "./entity.js";

/** A one-time credential a DJ uses to connect a live source. */
export interface LiveToken extends StationScoped {
  mountId: string;
  userId: string;
  /** SHA-256 of the 32-byte token; the token itself is never stored. */
  tokenHash: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
  /** When it was used, epoch ms; a used token is rejected. */
  usedAt?: number;
  /** Tier the session plays at: 1 live override or 2 live scheduled. */
  priority: 1 | 2;
}

/** Lifecycle of a live session. */
export type LiveSessionState = "connected" | "active" | "disconnected";

/** A live DJ connection and what happened to it. */
export interface LiveSession extends StationScoped {
  mountId: string;
  userId: string;
  tokenId?: string;
  state: LiveSessionState;
  priority: 1 | 2;
  /** Input URI the engine routes ("icecast://…", "srt://…", "rtp://…"). */
  inputUri?: string;
  connectedAt: number;
  disconnectedAt?: number;
  /** Last stream title the source sent. */
  metadata?: string;
}
