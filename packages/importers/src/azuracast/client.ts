import { GrimnirError } from "@grimnir/core";

/** The part of a `fetch` response the AzuraCast client reads. */
export interface FetchResponseLike {
  /** True for a 2xx status. */
  ok: boolean;
  /** HTTP status code. */
  status: number;
  /** HTTP reason phrase. */
  statusText: string;
  /** The body parsed as JSON. */
  json(): Promise<unknown>;
  /** The body as a byte stream (needed only to download media). */
  body?: ReadableStream<Uint8Array> | null;
}

/** The `fetch` the AzuraCast client uses (the global one by default). */
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal?: AbortSignal },
) => Promise<FetchResponseLike>;

/** A JSON object as AzuraCast returns it; fields vary across versions, so all are optional. */
export type AcObject = Record<string, unknown>;

/** Read-only client of AzuraCast's REST API authenticated with an API key (`X-API-Key`). */
export class AzuraCastClient {
  readonly #base: string;
  readonly #apiKey: string;
  readonly #fetch: FetchLike;

  constructor(baseUrl: string, apiKey: string, fetchImpl?: FetchLike) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#apiKey = apiKey;
    this.#fetch = fetchImpl ?? (globalThis.fetch as unknown as FetchLike);
  }

  /**
   * GET `/api<path>`, tried twice when the connection fails. Throws
   * `STORE_UNAVAILABLE` when AzuraCast cannot be reached or answers with an
   * error, `UNAUTHORIZED` on 401, `FORBIDDEN` on 403 and, when `missing` is
   * "NOT_FOUND", `NOT_FOUND` on 404.
   */
  async #request(
    path: string,
    accept: string,
    missing: "NOT_FOUND" | "STORE_UNAVAILABLE",
    signal?: AbortSignal,
  ): Promise<FetchResponseLike> {
    const url = `${this.#base}/api${path}`;
    const init = {
      headers: { "X-API-Key": this.#apiKey, Accept: accept },
      ...(signal !== undefined && { signal }),
    };
    let response;
    try {
      try {
        response = await this.#fetch(url, init);
      } catch (first) {
        // A kept-alive connection the server closed meanwhile fails a GET once; try a fresh one.
        if (signal?.aborted === true) throw first;
        response = await this.#fetch(url, init);
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail =
        cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        `cannot reach AzuraCast at ${this.#base}: ${detail}`,
        { cause: error, details: { url } },
      );
    }
    if (response.status === 401)
      throw new GrimnirError(
        "UNAUTHORIZED",
        `AzuraCast at ${this.#base} rejected the API key (HTTP 401 on ${path}); check --api-key`,
        { details: { url } },
      );
    if (response.status === 403)
      throw new GrimnirError(
        "FORBIDDEN",
        `the API key may not read ${path} on AzuraCast at ${this.#base} (HTTP 403); use a key of an administrator`,
        { details: { url } },
      );
    if (response.status === 404 && missing === "NOT_FOUND")
      throw new GrimnirError(
        "NOT_FOUND",
        `AzuraCast at ${this.#base} has nothing at ${path} (HTTP 404)`,
        { details: { url } },
      );
    if (!response.ok)
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        `AzuraCast at ${this.#base} answered HTTP ${response.status} ${response.statusText} on ${path}`,
        { details: { url } },
      );
    return response;
  }

  /**
   * GET `/api<path>` as JSON. Throws `STORE_UNAVAILABLE` when AzuraCast cannot
   * be reached or answers with an error (404 included), `UNAUTHORIZED` on
   * 401 and `FORBIDDEN` on 403.
   */
  async get(path: string, signal?: AbortSignal): Promise<unknown> {
    const response = await this.#request(path, "application/json", "STORE_UNAVAILABLE", signal);
    try {
      return await response.json();
    } catch (error) {
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        `AzuraCast answered ${path} with something that is not JSON: ${(error as Error).message}`,
        { cause: error, details: { path } },
      );
    }
  }

  /**
   * GET `/api<path>` as a byte stream (a media file). Errors as
   * {@link AzuraCastClient.get}, except `NOT_FOUND` on 404;
   * `STORE_UNAVAILABLE` when the `fetch` in use gives no body stream.
   */
  async stream(path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#request(path, "*/*", "NOT_FOUND", signal);
    if (response.body === undefined || response.body === null)
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        `AzuraCast answered ${path} without a body; the fetch in use must expose response.body to download media`,
        { details: { path } },
      );
    return response.body;
  }

  /** GET a list; throws `STORE_UNAVAILABLE` when the answer is not an array. */
  async list(path: string, signal?: AbortSignal): Promise<AcObject[]> {
    const body = await this.get(path, signal);
    if (!Array.isArray(body))
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        `AzuraCast answered ${path} with ${typeof body}; expected a JSON array`,
      );
    return body.filter((x): x is AcObject => typeof x === "object" && x !== null);
  }
}
