import type { FastifyInstance } from "fastify";
import { defineRoute, principalOf, type ApiContext } from "../route-kit.js";
import { objectSchema, stringSchema } from "../schemas.js";
import { publicUser, publicUserSchema } from "./users.js";

const tokenPair = {
  type: "object",
  properties: {
    accessToken: { type: "string" },
    refreshToken: { type: "string" },
    tokenType: { const: "Bearer" },
    expiresIn: { type: "integer", description: "access-token lifetime, seconds" },
  },
  required: ["accessToken", "refreshToken", "tokenType", "expiresIn"],
};
const refreshBody = objectSchema({ refreshToken: stringSchema(200, 1) }, ["refreshToken"]);

/** POST /api/v1/auth/login, /refresh, /logout and GET /api/v1/auth/me. */
export function registerAuthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/auth/login",
    summary: "Log in: a 15-minute access token and a rotating refresh token",
    tags: ["auth"],
    access: { kind: "public" },
    schema: {
      body: objectSchema({ username: stringSchema(64, 1), password: stringSchema(1024, 1) }, [
        "username",
        "password",
      ]),
    },
    ok: {
      status: 200,
      schema: { ...tokenPair, properties: { ...tokenPair.properties, user: publicUserSchema } },
    },
    handler: async (request) => {
      const { username, password } = request.body as { username: string; password: string };
      const { user, tokens } = await ctx.tokens.login(username, password);
      return { ...tokens, user: publicUser(user) };
    },
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/auth/refresh",
    summary: "Exchange a refresh token for a new pair (reuse revokes the session)",
    tags: ["auth"],
    access: { kind: "public" },
    schema: { body: refreshBody },
    ok: { status: 200, schema: tokenPair },
    handler: async (request) =>
      ctx.tokens.refresh((request.body as { refreshToken: string }).refreshToken),
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/auth/logout",
    summary: "End the session: its refresh token and access tokens stop working",
    tags: ["auth"],
    access: { kind: "public" },
    schema: { body: refreshBody },
    ok: { status: 204, description: "logged out" },
    handler: async (request, reply) => {
      await ctx.tokens.logout((request.body as { refreshToken: string }).refreshToken);
      return reply.code(204).send();
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/auth/me",
    summary: "The caller and its role grants",
    tags: ["auth"],
    access: { kind: "user" },
    ok: { status: 200, schema: publicUserSchema },
    handler: async (request) => publicUser(principalOf(request).user),
  });
}
