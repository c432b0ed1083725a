import type { Repositories, Role } from "@grimnir/core";
import { LOCKED_PASSWORD, isHttpUrl, mergeUser, webstreamDefaults } from "../defaults.js";
import {
  reject,
  type MappedValue,
  type MappingResult,
  type NameRegistry,
} from "../mapped-entity.js";
import { compact, toText } from "../values.js";
import { ltId } from "./ids.js";
import type { LtRow } from "./read-libretime.js";

/** LibreTime `cc_subjs.type` → Grimnir role; guests (G) get none. */
const ROLES: Record<string, Role | null> = { A: "admin", P: "manager", H: "dj", G: null };

/** A skip reason when `username` belongs to a Grimnir user other than `id`. */
export function usernameTaken(username: string, id: string) {
  return async (repos: Repositories): Promise<string | undefined> => {
    const other = await repos.users.findByUsername(username);
    return other !== undefined && other.id !== id
      ? `login name "${username}" already belongs to Grimnir user ${other.id}`
      : undefined;
  };
}

/**
 * cc_subjs → Users `lt-user-<id>`: A → admin, P → manager, H → dj on the
 * imported station; G (guest, read-only) → no role. Passwords are not carried
 * over (LibreTime keeps unsalted MD5): users must set a new one.
 */
export function mapUsers(
  rows: readonly LtRow[],
  stationId: string,
): MappingResult & { users: Set<string> } {
  const result: MappingResult & { users: Set<string> } = {
    entities: [],
    rejected: [],
    users: new Set(),
  };
  for (const row of rows) {
    const id = String(row.id);
    const type = String(row.type ?? "")
      .trim()
      .toUpperCase();
    const login = toText(row.login);
    if (login === undefined) {
      result.rejected.push(reject("user", id, "unmappable", "login is empty"));
      continue;
    }
    const role = ROLES[type];
    if (role === undefined) {
      result.rejected.push(
        reject(
          "user",
          id,
          "unmappable",
          `user "${login}" has unknown type "${type}"; expected A (admin), P (program manager), H (host) or G (guest)`,
        ),
      );
      continue;
    }
    const notes = ["password not migrated; set a new one"];
    if (role === null) notes.push("guest has no Grimnir role; created without roles");
    const displayName = [toText(row.first_name), toText(row.last_name)]
      .filter((s) => s !== undefined)
      .join(" ");
    const value = compact({
      id: ltId.user(id),
      username: login,
      displayName: displayName === "" ? undefined : displayName,
      email: toText(row.email),
      passwordHash: LOCKED_PASSWORD,
      roles: role === null ? [] : [{ stationId, role }],
      disabled: false,
    }) as MappedValue;
    result.users.add(id);
    result.entities.push({
      sourceKind: "user",
      sourceId: id,
      records: [{ repo: "users", value, merge: mergeUser }],
      notes,
      precheck: usernameTaken(login, value.id),
    });
  }
  return result;
}

/** cc_webstream → Webstreams `lt-webstream-<id>` with default health checks and failover off. */
export function mapWebstreams(
  rows: readonly LtRow[],
  stationId: string,
  names: NameRegistry,
): MappingResult {
  const result: MappingResult = { entities: [], rejected: [] };
  for (const row of rows) {
    const id = String(row.id);
    const url = toText(row.url) ?? "";
    if (!isHttpUrl(url)) {
      result.rejected.push(
        reject("webstream", id, "unmappable", `url "${url}" is not an http(s) URL`),
      );
      continue;
    }
    const named = names.claim("webstream", toText(row.name) ?? `Webstream ${id}`);
    const value: MappedValue = {
      id: ltId.webstream(id),
      stationId,
      name: named.name,
      urls: [url],
      ...webstreamDefaults(),
    };
    result.entities.push({
      sourceKind: "webstream",
      sourceId: id,
      records: [{ repo: "webstreams", value }],
      notes: named.note === undefined ? [] : [named.note],
    });
  }
  return result;
}
