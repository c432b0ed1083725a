import type { StationScoped } from "./entity.js";

/** A hand-made list of media. */
export interface Playlist extends StationScoped {
  name: string;
  /** Media ids in play order. */
  items: string[];
  /** "ordered" plays `items` in order; "shuffled" in a seeded random order. */
  mode: "ordered" | "shuffled";
  description?: string;
}
