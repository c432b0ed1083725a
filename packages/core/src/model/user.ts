import type { Entity } from "./entity.js";

/** Roles, most to least powerful. */
export type Role = "admin" | "manager" | "dj";

/** A role held on one station, or on all (`stationId: "*"`, admins only). */
export interface RoleGrant {
  stationId: string | "*";
  role: Role;
}

/** Someone who can log in. */
export interface User extends Entity {
  /** Login name, unique. */
  username: string;
  displayName?: string;
  email?: string;
  /** scrypt/argon2 hash in PHC string format; never the password. */
  passwordHash: string;
  roles: RoleGrant[];
  disabled: boolean;
}

const ROLE_RANK: Record<Role, number> = { admin: 3, manager: 2, dj: 1 };

/**
 * Whether `user` holds at least `role` on `stationId`. A grant on "*" applies
 * to every station; higher roles include lower ones.
 */
export function hasRole(
  user: Pick<User, "roles" | "disabled">,
  stationId: string,
  role: Role,
): boolean {
  if (user.disabled) return false;
  return user.roles.some(
    (grant) =>
      (grant.stationId === "*" || grant.stationId === stationId) &&
      ROLE_RANK[grant.role] >= ROLE_RANK[role],
  );
}
