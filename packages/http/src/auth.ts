import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { GrimnirError } from "@grimnir/core";
import type { Store, User } from "@grimnir/core";
import type { RefreshTokenStore } from "./refresh-tokens.js";
import { hashPassword, verifyPassword } from "./passwords.js";

/** Authentication settings of {@link createApi}. */
export interface AuthOptions {
  /** HS256 signing secret for access tokens; at least 32 bytes. */
  jwtSecret: string | Uint8Array;
  /** Access-token lifetime, seconds (default 900 = 15 min). */
  accessTtlSec?: number;
  /** Refresh-token lifetime, seconds (default 2,592,000 = 30 days). */
  refreshTtlSec?: number;
  /** Where refresh tokens live (default a new `MemoryRefreshTokenStore`). */
  refreshTokens?: RefreshTokenStore;
  /** JWT issuer claim (default "grimnir"). */
  issuer?: string;
}

/** What a login or refresh returns. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  /** Access-token lifetime, seconds. */
  expiresIn: number;
}

/** The caller of an authenticated request. */
export interface Principal {
  user: User;
  /** Login session (refresh-token family) the access token belongs to. */
  sessionId: string;
  /** Access-token expiry, epoch ms. */
  expiresAt: number;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

const unauthorized = (message: string): GrimnirError => new GrimnirError("UNAUTHORIZED", message);

/** Issues and checks access and refresh tokens; the one place auth decisions are made. */
export class TokenService {
  readonly #secret: Uint8Array;
  readonly #accessTtlSec: number;
  readonly #refreshTtlSec: number;
  readonly #issuer: string;
  readonly #store: Store;
  readonly #refresh: RefreshTokenStore;
  #dummyHash: Promise<string> | undefined;

  constructor(store: Store, refresh: RefreshTokenStore, options: AuthOptions) {
    this.#secret =
      typeof options.jwtSecret === "string"
        ? new TextEncoder().encode(options.jwtSecret)
        : options.jwtSecret;
    if (this.#secret.length < 32) {
      throw new GrimnirError("CONFIG_INVALID", "auth.jwtSecret must be at least 32 bytes", {
        details: { field: "auth.jwtSecret" },
      });
    }
    this.#accessTtlSec = options.accessTtlSec ?? 900;
    this.#refreshTtlSec = options.refreshTtlSec ?? 30 * 24 * 3600;
    this.#issuer = options.issuer ?? "grimnir";
    this.#store = store;
    this.#refresh = refresh;
  }

  /** Check a username and password and start a session. */
  async login(username: string, password: string): Promise<{ user: User; tokens: TokenPair }> {
    const user = await this.#store.users.findByUsername(username);
    if (user === undefined) {
      // Spend the same time as a real check so timing does not reveal which usernames exist.
      this.#dummyHash ??= hashPassword(randomUUID());
      await verifyPassword(password, await this.#dummyHash);
      throw unauthorized("wrong username or password");
    }
    const ok = await verifyPassword(password, user.passwordHash);
    if (!ok || user.disabled) throw unauthorized("wrong username or password");
    return { user, tokens: await this.#issue(user.id, randomUUID()) };
  }

  /**
   * Exchange a refresh token for a new pair. The old token is spent; presenting
   * a spent token again revokes the whole session (token theft is assumed).
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const hash = sha256(refreshToken);
    const record = await this.#refresh.find(hash);
    if (record === undefined) throw unauthorized("refresh token is unknown or revoked");
    if (!(await this.#refresh.isFamilyActive(record.familyId))) {
      throw unauthorized("refresh token is unknown or revoked");
    }
    const now = Date.now();
    if (record.expiresAt <= now) throw unauthorized("refresh token expired; log in again");
    const first = await this.#refresh.markUsed(hash, now);
    if (!first) {
      await this.#refresh.revokeFamily(record.familyId);
      throw unauthorized("refresh token was already used; the session is revoked, log in again");
    }
    const user = await this.#store.users.get(record.userId);
    if (user === undefined || user.disabled) {
      await this.#refresh.revokeFamily(record.familyId);
      throw unauthorized("the user no longer exists or is disabled");
    }
    return this.#issue(user.id, record.familyId);
  }

  /** End the session of `refreshToken` (its access tokens stop working too). Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const record = await this.#refresh.find(sha256(refreshToken));
    if (record !== undefined) await this.#refresh.revokeFamily(record.familyId);
  }

  /** End a session by id (from an access token). */
  async revokeSession(sessionId: string): Promise<void> {
    await this.#refresh.revokeFamily(sessionId);
  }

  /** The caller behind an access token; rejects with `UNAUTHORIZED` when it is bad, expired or revoked. */
  async authenticate(accessToken: string): Promise<Principal> {
    let payload;
    try {
      ({ payload } = await jwtVerify(accessToken, this.#secret, {
        algorithms: ["HS256"],
        issuer: this.#issuer,
        typ: "at+jwt",
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw unauthorized("access token expired; refresh it");
      if (err instanceof joseErrors.JOSEError) throw unauthorized("access token is invalid");
      throw err;
    }
    const { sub, sid, exp } = payload;
    if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number") {
      throw unauthorized("access token is invalid");
    }
    if (!(await this.#refresh.isFamilyActive(sid))) throw unauthorized("session was logged out");
    const user = await this.#store.users.get(sub);
    if (user === undefined || user.disabled)
      throw unauthorized("the user no longer exists or is disabled");
    return { user, sessionId: sid, expiresAt: exp * 1000 };
  }

  async #issue(userId: string, familyId: string): Promise<TokenPair> {
    const accessToken = await new SignJWT({ sid: familyId })
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .setSubject(userId)
      .setIssuer(this.#issuer)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.#accessTtlSec}s`)
      .sign(this.#secret);
    const refreshToken = randomBytes(32).toString("base64url");
    await this.#refresh.save({
      tokenHash: sha256(refreshToken),
      familyId,
      userId,
      expiresAt: Date.now() + this.#refreshTtlSec * 1000,
    });
    return { accessToken, refreshToken, tokenType: "Bearer", expiresIn: this.#accessTtlSec };
  }
}
