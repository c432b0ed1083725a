import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { GrimnirError } from "@grimnir/core";

/** Length of a live token's secret, bytes. */
export const LIVE_TOKEN_BYTES = 32;

/** How a live token's 32 bytes are written out: 64 hex digits or 43 base64url characters. */
export type LiveTokenEncoding = "hex" | "base64url";

/**
 * A fresh live token: 32 bytes from the operating system's CSPRNG, encoded as
 * asked. The caller shows it once; only {@link hashLiveToken} of it is stored.
 */
export function generateLiveToken(encoding: LiveTokenEncoding = "hex"): string {
  return randomBytes(LIVE_TOKEN_BYTES).toString(encoding);
}

/**
 * The 32 bytes a token string stands for, or undefined when the string is
 * neither 64 hex digits nor 43 base64url characters. Both encodings of the
 * same bytes are the same token.
 */
export function decodeLiveToken(token: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(token)) return Buffer.from(token, "hex");
  if (/^[A-Za-z0-9_-]{43}$/.test(token)) {
    const bytes = Buffer.from(token, "base64url");
    return bytes.length === LIVE_TOKEN_BYTES ? bytes : undefined;
  }
  return undefined;
}

/**
 * SHA-256 (lowercase hex) of the token's 32 bytes: the only form a token is
 * stored in. Rejects with `UNAUTHORIZED` when the string is not a token.
 */
export function hashLiveToken(token: string): string {
  const bytes = decodeLiveToken(token);
  if (bytes === undefined) {
    throw new GrimnirError(
      "UNAUTHORIZED",
      "live token is malformed: expected 64 hex digits or 43 base64url characters",
      { details: { reason: "malformed" } },
    );
  }
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Compare two secrets in time that does not depend on where they differ (nor
 * on their lengths: both sides are hashed to 32 bytes first, then compared
 * with `crypto.timingSafeEqual`).
 */
export function constantTimeEqual(expected: string | Buffer, provided: string | Buffer): boolean {
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(provided).digest();
  return timingSafeEqual(a, b);
}
