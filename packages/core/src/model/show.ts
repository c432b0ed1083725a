import type { StationScoped } from "./entity.js";

/** A recurring programme: a clock played at times given by an RFC 5545 rule. */
export interface Show extends StationScoped {
  name: string;
  /** First occurrence start, local wall time in the station zone, "YYYY-MM-DDTHH:mm:ss". */
  startLocal: string;
  /** RFC 5545 RRULE body, e.g. "FREQ=WEEKLY;BYDAY=MO,WE,FR". Omitted = one-off. */
  rrule?: string;
  /** Length of each occurrence, ms. */
  durationMs: number;
  /** Clock that fills each hour of the show. */
  clockId: string;
  /** Dates (local "YYYY-MM-DD") the show does not air. */
  exceptDates?: string[];
  /** True for live shows: the live-scheduled tier is expected during it. */
  live?: boolean;
  djUserId?: string;
  description?: string;
}

/** A one-off replacement of the plan for a time range (holiday, special). */
export interface Override extends StationScoped {
  name: string;
  /** Start, epoch ms. */
  startsAt: number;
  /** End, epoch ms (exclusive). */
  endsAt: number;
  /** Play this clock instead (or nothing, for silence-free fallback to the default clock). */
  clockId?: string;
  /** Or relay this webstream. */
  webstreamId?: string;
  reason?: string;
}
