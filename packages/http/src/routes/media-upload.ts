import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import multipart from "@fastify/multipart";
import { fileTypeFromBuffer } from "file-type";
import { GrimnirError } from "@grimnir/core";
import type { MediaItem } from "@grimnir/core";
import { TransportError } from "../error-status.js";
import type { UploadedFile } from "../ports.js";
import { defineRoute, stationIdOf, type ApiContext } from "../route-kit.js";
import { mediaResource, objectSchema, recordSchema, stringSchema } from "../schemas.js";

/** Options of the media upload route (`ApiOptions.uploads`). */
export interface UploadOptions {
  /** Largest accepted file, bytes (default 512 MiB); larger uploads answer 413 as soon as the limit is crossed. */
  maxBytes?: number;
  /** Directory for the temporary copy the upload streams into (default the OS temp dir). */
  tempDir?: string;
}

/** Default of {@link UploadOptions.maxBytes}: 512 MiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** Bytes file-type needs to recognise every format it knows. */
const SNIFF_BYTES = 4100;
/** Containers that carry audio but that sniffing reports under a video/application type. */
const AUDIO_CONTAINERS = new Set([
  "application/ogg",
  "video/ogg",
  "video/mp4",
  "video/webm",
  "video/x-matroska",
  "video/x-ms-asf",
]);

/** The client's file name without directories or control characters, at most 200 characters. */
function safeFilename(name: string | undefined): string {
  const base = (name ?? "")
    .split(/[\\/]/)
    .pop()!
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 200);
  return base === "" || base === "." || base === ".." ? "upload" : base;
}

/** The uploaded bytes and their name: the raw body, or the `file` part of a multipart form. */
async function sourceOf(
  request: FastifyRequest,
): Promise<{ stream: Readable; filename: string } | undefined> {
  if (request.isMultipart()) {
    const part = await request.file();
    if (part === undefined) {
      throw new GrimnirError("VALIDATION", "the multipart form has no file part", {
        details: { location: "body", field: "file" },
      });
    }
    return { stream: part.file, filename: safeFilename(part.filename) };
  }
  const body = request.body as unknown;
  if (body !== null && typeof body === "object" && "pipe" in body) {
    const query = request.query as { filename?: string };
    return { stream: body as Readable, filename: safeFilename(query.filename) };
  }
  return undefined;
}

function tooLarge(filename: string, maxBytes: number): TransportError {
  return new TransportError(
    "PAYLOAD_TOO_LARGE",
    `file "${filename}" is larger than the upload limit of ${maxBytes} bytes`,
    { file: filename, field: "file", maxBytes },
  );
}

/** Reject anything content sniffing does not recognise as audio. */
async function sniff(head: Buffer, filename: string): Promise<{ mime: string; ext: string }> {
  const type = await fileTypeFromBuffer(head);
  if (type === undefined || !(type.mime.startsWith("audio/") || AUDIO_CONTAINERS.has(type.mime))) {
    throw new TransportError(
      "UNSUPPORTED_MEDIA_TYPE",
      `file "${filename}" is not audio (its content is ${type === undefined ? "of no known media type" : type.mime}); expected MP3, FLAC, Ogg, Opus, WAV, AIFF, M4A…`,
      { file: filename, field: "file", ...(type === undefined ? {} : { detected: type.mime }) },
    );
  }
  return { mime: type.mime, ext: type.ext };
}

/**
 * Stream `source` into `dir`, hashing, counting and sniffing on the way: the
 * file is never held in memory; the limit and the sniff fail the upload as
 * soon as the bytes that decide them have arrived.
 */
async function receive(
  source: Readable,
  filename: string,
  dir: string,
  maxBytes: number,
): Promise<UploadedFile> {
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  let type: { mime: string; ext: string } | undefined;
  const temp = join(dir, "upload.part");
  await pipeline(
    source,
    async function* check(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(filename, maxBytes);
        hash.update(chunk);
        if (type === undefined) {
          head.push(chunk);
          headBytes += chunk.length;
          if (headBytes >= SNIFF_BYTES) type = await sniff(Buffer.concat(head), filename);
        }
        yield chunk;
      }
      if (size === 0) {
        throw new GrimnirError("VALIDATION", `file "${filename}" is empty (0 bytes)`, {
          details: { location: "body", field: "file", file: filename },
        });
      }
      type ??= await sniff(Buffer.concat(head), filename);
    },
    createWriteStream(temp),
  ).catch((err: unknown) => {
    // @fastify/multipart reports its own size limit; answer it with the same message as a raw body.
    if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE")
      throw tooLarge(filename, maxBytes);
    throw err;
  });
  const named = extname(filename) === "" ? `${filename}.${type!.ext}` : filename;
  const path = join(dir, named);
  await rename(temp, path);
  return { path, filename, sizeBytes: size, contentHash: hash.digest("hex"), mime: type!.mime };
}

/** Close the connection after an early refusal, so the unread rest of a large body is not drained. */
function closeAfter(reply: FastifyReply): void {
  void reply.header("connection", "close");
}

/**
 * `POST /api/v1/media`: a streaming upload (raw `audio/*` or
 * `application/octet-stream` body with `?filename=`, or `multipart/form-data`
 * with one file part) written to a temporary file, sniffed (415 for non-audio),
 * limited (413), deduplicated by content hash (409 naming the existing item),
 * then ingested and queued for analysis through the `media` port (201 with the
 * new item, analysis "pending").
 */
export function registerMediaUpload(
  app: FastifyInstance,
  ctx: ApiContext,
  options: UploadOptions = {},
): void {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const tempRoot = options.tempDir ?? tmpdir();
  void app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 2 },
      throwFileSizeLimit: true,
    });
    // Raw audio bodies reach the handler as the unread request stream.
    const passThrough = (
      _r: FastifyRequest,
      payload: unknown,
      done: (e: null, b: unknown) => void,
    ) => done(null, payload);
    scope.addContentTypeParser(/^audio\/[\w.+-]+$/, passThrough);
    scope.addContentTypeParser("application/octet-stream", passThrough);

    const binary = { schema: { type: "string", contentMediaType: "audio/*" } };
    defineRoute(scope, ctx, {
      method: "POST",
      url: "/api/v1/media",
      summary:
        "Upload a media file (streamed to storage; 413 over the limit, 415 when not audio, 409 when the station has the same bytes)",
      tags: ["media"],
      access: { kind: "station", role: "manager" },
      needsPort: "media",
      schema: {
        querystring: objectSchema(
          {
            stationId: stringSchema(200, 1),
            filename: { ...stringSchema(255, 1), description: "file name of a raw-body upload" },
          },
          ["stationId"],
        ),
      },
      requestBody: {
        description:
          "The file: a raw body (Content-Type audio/* or application/octet-stream, name in ?filename=) or multipart/form-data with one file part.",
        content: {
          "audio/*": binary,
          "application/octet-stream": binary,
          "multipart/form-data": {
            schema: objectSchema(
              { file: { type: "string", contentMediaType: "application/octet-stream" } },
              ["file"],
            ),
          },
        },
      },
      errors: [409, 413, 415],
      ok: {
        status: 201,
        schema: recordSchema(mediaResource),
        description: "the new media item; analysis is queued (status pending)",
      },
      handler: async (request, reply) => {
        const stationId = stationIdOf(request);
        const limit = Number(request.headers["content-length"]);
        const source = await sourceOf(request);
        if (source === undefined) {
          throw new TransportError(
            "UNSUPPORTED_MEDIA_TYPE",
            "send the file as the body (Content-Type audio/* or application/octet-stream, name in ?filename=) or as multipart/form-data",
            { location: "body", field: "file" },
          );
        }
        if (!request.isMultipart() && Number.isFinite(limit) && limit > maxBytes) {
          closeAfter(reply);
          throw tooLarge(source.filename, maxBytes);
        }
        const dir = await mkdtemp(join(tempRoot, "grimnir-upload-"));
        let item: MediaItem;
        try {
          let file: UploadedFile;
          try {
            file = await receive(source.stream, source.filename, dir, maxBytes);
          } catch (err) {
            closeAfter(reply);
            throw err;
          }
          const existing = await ctx.store.media.findByHash(stationId, file.contentHash);
          const result =
            existing === undefined
              ? await ctx.ports.media!.ingest(stationId, file)
              : ({ outcome: "duplicate", existingId: existing.id } as const);
          if (result.outcome === "duplicate") {
            throw new GrimnirError(
              "CONFLICT",
              `file "${file.filename}" is already in the station's library as media ${result.existingId}`,
              { details: { file: file.filename, existingId: result.existingId } },
            );
          }
          if (result.outcome === "failed") {
            throw new TransportError(
              "UNSUPPORTED_MEDIA_TYPE",
              `file "${file.filename}" could not be read as audio: ${result.reason}`,
              {
                file: file.filename,
                field: "file",
                ...(result.mediaId === undefined ? {} : { mediaId: result.mediaId }),
              },
            );
          }
          item = result.item;
        } finally {
          // Removed before answering, so a client that sees the answer sees no leftover.
          await rm(dir, { recursive: true, force: true });
        }
        ctx.ports.media!.queueAnalysis(stationId, item.id);
        return reply.code(201).send(item);
      },
    });
  });
}
