import type { ClockSlotKind } from "../model/clock.js";
import { pointerToPath } from "./json-schema.js";
import { rruleSyntaxProblem } from "./rrule-syntax.js";
import {
  HOUR_SEC,
  instant,
  parseMinutesSeconds,
  records,
  validDate,
  validLocalTime,
} from "./programming-values.js";
import type { Raw } from "./programming-values.js";

/**
 * Semantic problems of the planning sections (after the schema passed for
 * their shapes): duplicate ids, references to clocks, smart blocks, playlists
 * and webstreams that do not exist, slots outside the hour, slots missing what
 * they play, inconsistent filters and limits, invalid RRULEs, start times and
 * dates, overrides that end before they start.
 */
export function programmingProblems<P extends { pointer: string }>(
  data: Raw,
  locate: (pointer: string, message: string, target: "value" | "key" | "parent") => P,
): P[] {
  const problems: P[] = [];
  const at = (pointer: string, message: string, target: "value" | "key" | "parent" = "value") =>
    problems.push(locate(pointer, message, target));

  const ids = (section: string, noun: string): Map<string, string> => {
    const seen = new Map<string, string>();
    records(data[section]).forEach((item, i) => {
      if (typeof item.id !== "string") return;
      const here = `/${section}/${i}/id`;
      const earlier = seen.get(item.id);
      if (earlier === undefined) seen.set(item.id, here);
      else
        at(
          here,
          `${pointerToPath(here)} ${JSON.stringify(item.id)} duplicates ${pointerToPath(earlier)}; ${noun} ids must be unique`,
        );
    });
    return seen;
  };
  const clocks = ids("clocks", "clock");
  const blocks = ids("smart_blocks", "smart block");
  const playlists = ids("playlists", "playlist");
  ids("shows", "show");
  ids("overrides", "override");
  const webstreams = ids("webstreams", "webstream");

  const known: Record<string, [Map<string, string>, string]> = {
    clock: [clocks, "clocks"],
    smart_block: [blocks, "smart_blocks"],
    playlist: [playlists, "playlists"],
    webstream: [webstreams, "webstreams"],
  };
  /** Report `value` at `pointer` when it names no object of `kind`. */
  const reference = (pointer: string, value: unknown, kind: keyof typeof known): void => {
    if (typeof value !== "string" || value === "") return;
    const [map, section] = known[kind]!;
    if (map.has(value)) return;
    const list = [...map.keys()];
    const noun = kind.replace("_", " ");
    at(
      pointer,
      `${pointerToPath(pointer)} ${JSON.stringify(value)} is not a ${noun} defined in ${section}${list.length === 0 ? ` (${section} is empty)` : `; known: ${list.join(", ")}`}`,
    );
  };

  records(data.clocks).forEach((clock, c) => {
    const slotIds = new Map<string, string>();
    records(clock.slots).forEach((slot, s) => {
      const base = `/clocks/${c}/slots/${s}`;
      const path = pointerToPath(base);
      if (typeof slot.id === "string") {
        const earlier = slotIds.get(slot.id);
        if (earlier === undefined) slotIds.set(slot.id, `${base}/id`);
        else
          at(
            `${base}/id`,
            `${path}.id ${JSON.stringify(slot.id)} duplicates ${pointerToPath(earlier)}; slot ids must be unique within a clock`,
          );
      }
      const offset = parseMinutesSeconds(slot.offset);
      if (offset !== undefined && offset >= HOUR_SEC) {
        at(
          `${base}/offset`,
          `${path}.offset ${JSON.stringify(slot.offset)} is past the end of the hour; expected "00:00" to "59:59" (0 to 3599 s)`,
        );
      }
      const duration = parseMinutesSeconds(slot.duration);
      if (offset !== undefined && offset < HOUR_SEC && duration !== undefined) {
        if (offset + duration > HOUR_SEC) {
          at(
            `${base}/duration`,
            `${path}.duration ${JSON.stringify(slot.duration)} runs ${offset + duration - HOUR_SEC} s past the end of the hour; a clock covers one hour`,
          );
        }
      }
      const kind = slot.kind as ClockSlotKind | undefined;
      const needsRef: Partial<Record<ClockSlotKind, keyof typeof known>> = {
        smart_block: "smart_block",
        playlist: "playlist",
        webstream: "webstream",
      };
      const refKind =
        kind === undefined
          ? undefined
          : (needsRef[kind] ??
            (kind === "stopset" || kind === "hard_event" ? "smart_block" : undefined));
      if (kind !== undefined && needsRef[kind] !== undefined && slot.ref === undefined) {
        at(base, `${path} (${kind}) needs ref: the id of a ${kind.replace("_", " ")}`, "parent");
      } else if (
        (kind === "stopset" || kind === "hard_event") &&
        slot.ref === undefined &&
        slot.media === undefined
      ) {
        at(
          base,
          `${path} (${kind}) needs media (a list of media ids) or ref (a smart block id)`,
          "parent",
        );
      }
      if (refKind !== undefined && slot.ref !== undefined)
        reference(`${base}/ref`, slot.ref, refKind);
    });
  });

  records(data.smart_blocks).forEach((block, b) => {
    const base = `/smart_blocks/${b}`;
    const path = pointerToPath(base);
    const limit = block.limit as Raw | undefined;
    if (limit !== undefined && typeof limit === "object") {
      if (limit.count !== undefined && limit.duration_minutes !== undefined) {
        at(`${base}/limit`, `${path}.limit has both count and duration_minutes; give one`, "key");
      } else if (limit.count === undefined && limit.duration_minutes === undefined) {
        at(`${base}/limit`, `${path}.limit needs count or duration_minutes`, "key");
      }
    }
    const sort = block.sort as Raw | undefined;
    if (
      sort !== undefined &&
      (sort.by === "weighted" || sort.by === "field") &&
      sort.field === undefined
    ) {
      at(`${base}/sort`, `${path}.sort by ${String(sort.by)} needs field`, "key");
    }
    const fill = block.fill as Raw | undefined;
    if (fill?.kind === "filler") {
      if (fill.smart_block === undefined)
        at(
          `${base}/fill`,
          `${path}.fill of kind filler needs smart_block: the filler block's id`,
          "key",
        );
      else reference(`${base}/fill/smart_block`, fill.smart_block, "smart_block");
    }
    const checkFilters = (pointer: string, list: unknown): void => {
      records(list).forEach((filter, f) => {
        const here = `${pointer}/${f}`;
        const problem = filterProblem(filter);
        if (problem !== undefined) at(here, `${pointerToPath(here)} ${problem}`, "parent");
      });
    };
    checkFilters(`${base}/filters`, block.filters);
    records(block.quotas).forEach((quota, q) =>
      checkFilters(`${base}/quotas/${q}/filters`, quota.filters),
    );
  });

  records(data.shows).forEach((show, i) => {
    const base = `/shows/${i}`;
    const path = pointerToPath(base);
    reference(`${base}/clock`, show.clock, "clock");
    if (typeof show.rrule === "string") {
      const why = rruleSyntaxProblem(show.rrule);
      if (why !== undefined)
        at(
          `${base}/rrule`,
          `${path}.rrule is not a valid RFC 5545 RRULE (${why}); expected e.g. "FREQ=WEEKLY;BYDAY=FR"`,
        );
    }
    if (
      typeof show.start_local === "string" &&
      /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$/.test(show.start_local) &&
      !validLocalTime(show.start_local)
    ) {
      at(
        `${base}/start_local`,
        `${path}.start_local ${JSON.stringify(show.start_local)} is not a real date and time`,
      );
    }
    (Array.isArray(show.except_dates) ? show.except_dates : []).forEach((date, d) => {
      if (typeof date === "string" && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date) && !validDate(date))
        at(
          `${base}/except_dates/${d}`,
          `${path}.except_dates[${d}] ${JSON.stringify(date)} is not a real date`,
        );
    });
  });

  records(data.overrides).forEach((override, i) => {
    const base = `/overrides/${i}`;
    const path = pointerToPath(base);
    const bounds = (["starts_at", "ends_at"] as const).map((key) => {
      const value = override[key];
      const ms = instant(value);
      if (ms === undefined && typeof value === "string" && value !== "") {
        at(
          `${base}/${key}`,
          `${path}.${key} must be ISO-8601 with offset, e.g. "2026-12-25T00:00:00-05:00" (got ${JSON.stringify(value)})`,
        );
      }
      return ms;
    });
    const [start, end] = bounds;
    if (start !== undefined && end !== undefined && end <= start) {
      at(`${base}/ends_at`, `${path}.ends_at must be after starts_at`);
    }
    if (override.clock !== undefined && override.webstream !== undefined) {
      at(base, `${path} names both clock and webstream; give one`, "parent");
    }
    reference(`${base}/clock`, override.clock, "clock");
    reference(`${base}/webstream`, override.webstream, "webstream");
  });

  const assignment = data.clock_assignment as Raw | undefined;
  if (assignment !== undefined && typeof assignment === "object") {
    reference("/clock_assignment/default", assignment.default, "clock");
    for (const table of ["by_hour_of_day", "by_hour_of_week"]) {
      records(assignment[table]).forEach((rule, r) =>
        reference(`/clock_assignment/${table}/${r}/clock`, rule.clock, "clock"),
      );
    }
  }
  return problems;
}

/** What a smart-block filter lacks for its operator, or undefined when it is complete. */
function filterProblem(filter: Raw): string | undefined {
  switch (filter.op) {
    case "equals":
    case "not_equals":
      return filter.value === undefined ? `(${filter.op}) needs value` : undefined;
    case "contains":
    case "not_contains":
      return typeof filter.value !== "string" ? `(${filter.op}) needs a text value` : undefined;
    case "in":
    case "not_in":
      return filter.values === undefined ? `(${filter.op}) needs values` : undefined;
    case "range":
      if (filter.min === undefined && filter.max === undefined) return "(range) needs min or max";
      return typeof filter.min === "number" &&
        typeof filter.max === "number" &&
        filter.min > filter.max
        ? `(range) has min ${filter.min} above max ${filter.max}`
        : undefined;
    default:
      return undefined;
  }
}
