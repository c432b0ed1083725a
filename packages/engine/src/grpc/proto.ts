import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { GrimnirError, type ErrorCode } from "@grimnir/core";

/** Path of the proto inside the package, found from src/ (tests) or dist/ (built). */
export function mediaEngineProtoPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const rel = join("proto", "grimnir", "mediaengine", "v1", "mediaengine.proto");
  for (const up of ["..", join("..", ".."), join("..", "..", "..")]) {
    const candidate = join(here, up, rel);
    if (existsSync(candidate)) return candidate;
  }
  throw new GrimnirError("INTERNAL", `cannot find ${rel} near ${here}; the package is incomplete`);
}

/** The loaded `grimnir.mediaengine.v1.MediaEngine` service constructor. */
export function loadMediaEngineService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(mediaEngineProtoPath(), {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grimnir: { mediaengine: { v1: { MediaEngine: grpc.ServiceClientConstructor } } };
  };
  return pkg.grimnir.mediaengine.v1.MediaEngine;
}

const TO_GRPC: Partial<Record<ErrorCode, grpc.status>> = {
  VALIDATION: grpc.status.INVALID_ARGUMENT,
  CONFIG_INVALID: grpc.status.INVALID_ARGUMENT,
  UNKNOWN_NODE_TYPE: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  NOT_IMPLEMENTED: grpc.status.UNIMPLEMENTED,
  CONFLICT: grpc.status.ALREADY_EXISTS,
  ENGINE_UNAVAILABLE: grpc.status.UNAVAILABLE,
};

/** Metadata key carrying a GrimnirError's code on the wire. */
export const ERROR_CODE_KEY = "grimnir-error-code";
/** Metadata key carrying a GrimnirError's details (JSON) on the wire. */
export const ERROR_DETAILS_KEY = "grimnir-error-details";

/** A gRPC error for `err`: the status mapped from its code, with code and details in trailing metadata. */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (err instanceof GrimnirError) {
    metadata.set(ERROR_CODE_KEY, err.code);
    metadata.set(ERROR_DETAILS_KEY, JSON.stringify(err.details));
    return { code: TO_GRPC[err.code] ?? grpc.status.INTERNAL, details: err.message, metadata };
  }
  metadata.set(ERROR_CODE_KEY, "INTERNAL");
  return {
    code: grpc.status.INTERNAL,
    details: err instanceof Error ? err.message : String(err),
    metadata,
  };
}
