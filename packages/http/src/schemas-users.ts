/** JSON Schemas of accounts: users and the station roles they are granted. */

import {
  objectSchema as obj,
  stringSchema as str,
  type ResourceSchema,
  type Schema,
} from "./schemas-common.js";

const roleGrant = obj(
  {
    stationId: {
      ...str(200, 1),
      description: 'station id, or "*" for every station (admins only)',
    },
    role: { enum: ["admin", "manager", "dj"] },
  },
  ["stationId", "role"],
);

/** Users as the API shows them (never the password hash). */
export const userResource: ResourceSchema = {
  name: "User",
  stationScoped: false,
  properties: {
    username: { type: "string", pattern: "^[A-Za-z0-9._@-]{1,64}$" },
    displayName: str(200),
    email: str(320),
    roles: { type: "array", items: roleGrant, maxItems: 1000 },
    disabled: { type: "boolean", default: false },
  },
  required: ["username", "roles"],
};

/** Password field of user bodies: 8 to 1024 characters. */
export const passwordSchema: Schema = str(1024, 8);
