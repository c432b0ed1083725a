/** JSON Schemas of what goes on air from outside: webstreams and live DJ sessions. */

import {
  entityProps,
  integerSchema as int,
  millisecondsSchema as ms,
  objectSchema as obj,
  stringSchema as str,
  type ResourceSchema,
  type Schema,
} from "./schemas-common.js";

/** Webstreams (relayed HTTP/Icecast streams with failover). */
export const webstreamResource: ResourceSchema = {
  name: "Webstream",
  stationScoped: true,
  properties: {
    name: str(200, 1),
    urls: {
      type: "array",
      minItems: 1,
      maxItems: 10,
      items: { type: "string", pattern: "^https?://", maxLength: 2000 },
      description: "primary URL first, then backups in failover order",
    },
    health: {
      ...obj({
        intervalMs: int(1000, 3_600_000),
        timeoutMs: int(100, 60_000),
        method: { enum: ["HEAD", "GET"] },
        failoverAfter: int(1, 100),
      }),
      default: { intervalMs: 10_000, timeoutMs: 5_000, method: "HEAD", failoverAfter: 3 },
    },
    failover: {
      ...obj({
        enabled: { type: "boolean" },
        graceMs: int(0, 600_000),
        autoRecover: { type: "boolean" },
      }),
      default: { enabled: true, graceMs: 5_000, autoRecover: true },
    },
    bufferMs: { ...int(0, 60_000), default: 2_000 },
    metadata: {
      ...obj({ passthrough: { type: "boolean" }, override: str(500) }),
      default: { passthrough: true },
    },
  },
  required: ["name", "urls"],
  readOnly: {
    currentIndex: { ...int(0), description: "index into urls currently in use" },
    status: { enum: ["healthy", "degraded", "unhealthy"] },
  },
};

/** Live sessions (read-only over the API; the live service writes them). */
export const liveSessionSchema: Schema = {
  type: "object",
  properties: {
    ...entityProps,
    stationId: str(200, 1),
    mountId: str(),
    userId: str(),
    tokenId: str(),
    state: { enum: ["connected", "active", "disconnected"] },
    priority: { enum: [1, 2] },
    inputUri: str(2000),
    connectedAt: ms("epoch ms"),
    disconnectedAt: ms("epoch ms"),
    metadata: str(2000),
  },
  required: ["id", "stationId", "mountId", "userId", "state", "priority", "connectedAt"],
};
