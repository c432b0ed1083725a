import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { bearer, makeHarness, SECRET, type Harness } from "./support.js";

describe("auth", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await makeHarness();
  });
  afterEach(async () => h.close());

  it("logs in with the right password and returns a 15-minute bearer token without the password hash", async () => {
    const { accessToken } = await h.login("ann", [{ stationId: h.stationA.id, role: "manager" }]);
    const me = await h.api.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: bearer(accessToken),
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: "ann" });
    expect(me.body).not.toContain("passwordHash");
    const payload = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString()) as {
      exp: number;
      iat: number;
    };
    expect(payload.exp - payload.iat).toBe(900);
  });

  it("refuses a wrong password and an unknown user with the same 401", async () => {
    await h.login("ann", []);
    const wrong = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "ann", password: "nope-nope" },
    });
    const unknown = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "bob", password: "nope-nope" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it("rotates refresh tokens and revokes the whole session when a spent one is reused", async () => {
    const first = await h.login("ann", []);
    const rotated = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: first.refreshToken },
    });
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json() as { accessToken: string; refreshToken: string };
    expect(second.refreshToken).not.toBe(first.refreshToken);

    const reuse = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: first.refreshToken },
    });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.message).toContain("already used");
    // The family is revoked: the newest refresh token and its access token stop working too.
    const after = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: second.refreshToken },
    });
    expect(after.statusCode).toBe(401);
    const me = await h.api.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: bearer(second.accessToken),
    });
    expect(me.statusCode).toBe(401);
  });

  it("logout revokes the refresh token and the session's access tokens", async () => {
    const { accessToken, refreshToken } = await h.login("ann", []);
    const out = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      payload: { refreshToken },
    });
    expect(out.statusCode).toBe(204);
    expect(
      (
        await h.api.inject({
          method: "POST",
          url: "/api/v1/auth/refresh",
          payload: { refreshToken },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (await h.api.inject({ method: "GET", url: "/api/v1/auth/me", headers: bearer(accessToken) }))
        .statusCode,
    ).toBe(401);
  });

  it("refuses missing, tampered, expired and wrongly signed tokens with 401", async () => {
    const { accessToken, userId } = await h.login("ann", []);
    const url = "/api/v1/auth/me";
    expect((await h.api.inject({ method: "GET", url })).statusCode).toBe(401);
    const [head, body, sig] = accessToken.split(".");
    const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: "someone-else", sid: "x", iss: "grimnir", exp: 9_999_999_999 })).toString("base64url")}.${sig}`;
    expect((await h.api.inject({ method: "GET", url, headers: bearer(tampered) })).statusCode).toBe(
      401,
    );
    expect(body).toBeDefined();
    const key = new TextEncoder().encode(SECRET);
    const sid = (JSON.parse(Buffer.from(body!, "base64url").toString()) as { sid: string }).sid;
    const expired = await new SignJWT({ sid })
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .setSubject(userId)
      .setIssuer("grimnir")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 2000)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 1000)
      .sign(key);
    const res = await h.api.inject({ method: "GET", url, headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain("expired");
    const foreign = await new SignJWT({ sid })
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
      .setSubject(userId)
      .setIssuer("grimnir")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
    expect((await h.api.inject({ method: "GET", url, headers: bearer(foreign) })).statusCode).toBe(
      401,
    );
  });

  it("refuses a disabled user's existing token", async () => {
    const { accessToken, userId } = await h.login("ann", []);
    const user = (await h.store.users.get(userId))!;
    const { createdAt: _c, updatedAt: _u, ...rest } = user;
    await h.store.users.update({ ...rest, disabled: true });
    expect(
      (await h.api.inject({ method: "GET", url: "/api/v1/auth/me", headers: bearer(accessToken) }))
        .statusCode,
    ).toBe(401);
  });
});
