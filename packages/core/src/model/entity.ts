/** Fields every stored record has. */
export interface Entity {
  /** Opaque identifier, unique within its kind (UUID unless the user chose one). */
  id: string;
  /** Optimistic-concurrency version: 1 on create, +1 on every successful update. */
  version: number;
  /** Creation time, epoch ms. */
  createdAt: number;
  /** Last update time, epoch ms. */
  updatedAt: number;
}

/** A record that belongs to exactly one station; every query is scoped by it. */
export interface StationScoped extends Entity {
  stationId: string;
}

/**
 * The input to create a record: everything but the store-managed fields.
 * `id` may be given (imports keep their ids) or left for the store to assign.
 */
export type NewEntity<T extends Entity> = Omit<T, "id" | "version" | "createdAt" | "updatedAt"> & {
  id?: string;
};
