import type { FastifyInstance } from "fastify";
import { GrimnirError } from "@grimnir/core";
import type { User } from "@grimnir/core";
import { defineRoute, type ApiContext } from "../route-kit.js";
import { hashPassword } from "../passwords.js";
import { getOr404 } from "./resources.js";
import {
  createBodySchema,
  idParams,
  objectSchema,
  integerSchema,
  passwordSchema,
  patchBodySchema,
  recordSchema,
  userResource,
} from "../schemas.js";

/** A user as the API shows it: everything but the password hash. */
export function publicUser(user: User): Omit<User, "passwordHash"> {
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

/** Schema of {@link publicUser}. */
export const publicUserSchema = recordSchema(userResource);

const withPassword = (
  schema: Record<string, unknown>,
  required: boolean,
): Record<string, unknown> => ({
  ...schema,
  properties: { ...(schema["properties"] as object), password: passwordSchema },
  required: required ? [...(schema["required"] as string[]), "password"] : schema["required"],
});

/** Users: admins on every station manage them. */
export function registerUserRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ["users"];
  const access = { kind: "global-admin" } as const;
  const idOf = (params: unknown): string => (params as { id: string }).id;

  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/users",
    summary: "List users",
    tags,
    access,
    schema: {
      querystring: objectSchema({ limit: integerSchema(1, 1000), offset: integerSchema(0) }),
    },
    ok: { status: 200, schema: { type: "array", items: publicUserSchema } },
    handler: async (request) => {
      const { limit, offset } = request.query as { limit?: number; offset?: number };
      return (await ctx.store.users.list({ limit: limit ?? 100, offset: offset ?? 0 })).map(
        publicUser,
      );
    },
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/users",
    summary: "Create a user",
    tags,
    access,
    schema: { body: withPassword(createBodySchema(userResource), true) },
    ok: { status: 201, schema: publicUserSchema },
    handler: async (request, reply) => {
      const { password, ...rest } = request.body as Record<string, unknown> & {
        password: string;
        username: string;
      };
      if ((await ctx.store.users.findByUsername(rest.username)) !== undefined) {
        throw new GrimnirError("CONFLICT", `username ${rest.username} is taken`, {
          details: { field: "username" },
        });
      }
      const created = await ctx.store.users.create({
        ...(rest as unknown as Omit<
          User,
          "id" | "version" | "createdAt" | "updatedAt" | "passwordHash"
        >),
        passwordHash: await hashPassword(password),
      });
      void reply.code(201);
      return publicUser(created);
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/users/:id",
    summary: "Get a user",
    tags,
    access,
    schema: { params: idParams },
    ok: { status: 200, schema: publicUserSchema },
    handler: async (request) =>
      publicUser(
        await getOr404(ctx.store.users.get(idOf(request.params)), "user", idOf(request.params)),
      ),
  });
  defineRoute(app, ctx, {
    method: "PATCH",
    url: "/api/v1/users/:id",
    summary: "Change a user (roles, password, disabled…; optimistic concurrency on version)",
    tags,
    access,
    schema: { params: idParams, body: withPassword(patchBodySchema(userResource), false) },
    ok: { status: 200, schema: publicUserSchema },
    handler: async (request) => {
      const current = await getOr404(
        ctx.store.users.get(idOf(request.params)),
        "user",
        idOf(request.params),
      );
      const { password, ...changes } = request.body as Record<string, unknown> & {
        password?: string;
      };
      const { createdAt: _c, updatedAt: _u, ...rest } = { ...current, ...changes } as User;
      if (password !== undefined) rest.passwordHash = await hashPassword(password);
      return publicUser(await ctx.store.users.update(rest));
    },
  });
  defineRoute(app, ctx, {
    method: "DELETE",
    url: "/api/v1/users/:id",
    summary: "Delete a user",
    tags,
    access,
    schema: { params: idParams, querystring: objectSchema({ version: integerSchema(1) }) },
    ok: { status: 204, description: "deleted" },
    handler: async (request, reply) => {
      const id = idOf(request.params);
      await getOr404(ctx.store.users.get(id), "user", id);
      await ctx.store.users.delete(id, (request.query as { version?: number }).version);
      return reply.code(204).send();
    },
  });
}
