import { GrimnirError, type LiveToken } from "@grimnir/core";
import type { LiveConnectRequest } from "./live-service-options.js";
import { mountBusy, type LiveEntry, type LiveMounts } from "./live-mounts.js";
import { grantOf, type LiveGrant, type LiveTokens } from "./live-tokens.js";

/** What {@link checkLiveConnect} found a connect request may do. */
export interface CheckedLiveConnect {
  grant: LiveGrant;
  /** The token record, when the request came with a token. */
  token?: LiveToken;
  /** The session in its grace that these credentials resume. */
  resume?: LiveEntry;
}

/**
 * Check a connect request without changing anything: the token (or grant)
 * must be for the requested station and mount (else `FORBIDDEN`); the same
 * credentials may resume the session waiting out its grace on the mount;
 * otherwise the token must be unused and unexpired (`UNAUTHORIZED`) and the
 * mount free or only held in a grace (`CONFLICT`, reason "mount-busy").
 */
export async function checkLiveConnect(
  request: LiveConnectRequest,
  tokens: LiveTokens,
  mounts: LiveMounts,
): Promise<CheckedLiveConnect> {
  let grant: LiveGrant;
  let token: LiveToken | undefined;
  if (request.token !== undefined) {
    token = await tokens.find(request.token, request.stationId);
    grant = grantOf(token);
  } else if (request.grant !== undefined) {
    grant = request.grant;
  } else {
    throw new GrimnirError("VALIDATION", "a live connect needs a token or a grant", {
      details: { field: "token" },
    });
  }
  if (request.mountId !== undefined && request.mountId !== grant.mountId) {
    throw new GrimnirError("FORBIDDEN", "live credentials are for another mount", {
      details: { reason: "wrong-mount", field: "mountId" },
    });
  }
  if (request.stationId !== undefined && request.stationId !== grant.stationId) {
    throw new GrimnirError("FORBIDDEN", "live credentials are for another station", {
      details: { reason: "wrong-station", field: "stationId" },
    });
  }
  const busy = mounts.get(grant);
  const sameSource =
    token !== undefined
      ? busy?.tokenId === token.id
      : busy?.tokenId === undefined && busy?.userId === grant.userId;
  if (busy?.inGrace === true && sameSource) return { grant, token, resume: busy };
  if (token !== undefined) tokens.assertUnused(token);
  if (busy !== undefined && !busy.inGrace) throw mountBusy(grant.mountId, busy.sessionId);
  return { grant, token };
}
