import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** How to probe a stream URL. */
export interface StreamProbeOptions {
  /** HEAD asks for headers only; GET also waits for the first body byte. */
  method: "HEAD" | "GET";
  /** The whole probe, redirects included, must finish within this many ms. */
  timeoutMs: number;
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
}

/** Outcome of one {@link probeStream}. */
export interface StreamProbeResult {
  ok: boolean;
  /** The URL probed first. */
  url: string;
  /** The URL that answered last (after redirects). */
  finalUrl: string;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  redirects: number;
  /** Why the probe failed (timeout, status, connection error, too many redirects). */
  reason?: string;
  /** Time the probe took, ms. */
  elapsedMs: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Probe a stream URL the way the webstream health checker does: `HEAD` or
 * `GET` with a deadline, following up to `maxRedirects` redirects. A probe
 * succeeds on a 2xx answer (for `GET`, once the first body byte arrived). It
 * never rejects: failures are reported in the result, and the connection is
 * always closed.
 */
export async function probeStream(
  url: string,
  options: StreamProbeOptions,
): Promise<StreamProbeResult> {
  const started = performance.now();
  const maxRedirects = options.maxRedirects ?? 3;
  const deadline = started + options.timeoutMs;
  let current = url;
  let redirects = 0;
  const done = (
    partial: Omit<StreamProbeResult, "url" | "finalUrl" | "redirects" | "elapsedMs">,
  ): StreamProbeResult => ({
    url,
    finalUrl: current,
    redirects,
    elapsedMs: performance.now() - started,
    ...partial,
  });
  for (;;) {
    let target: URL;
    try {
      target = new URL(current);
    } catch (err) {
      if (err instanceof TypeError) return done({ ok: false, reason: `not a URL: ${current}` });
      throw err;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      return done({ ok: false, reason: `unsupported scheme ${target.protocol}` });
    }
    const answer = await once(target, options.method, Math.max(1, deadline - performance.now()));
    if (answer.error !== undefined)
      return done({ ok: false, status: answer.status, reason: answer.error });
    const status = answer.status!;
    if (REDIRECTS.has(status)) {
      if (answer.location === undefined)
        return done({ ok: false, status, reason: `redirect ${status} without Location` });
      if (redirects >= maxRedirects) {
        return done({ ok: false, status, reason: `more than ${maxRedirects} redirects` });
      }
      redirects++;
      current = new URL(answer.location, target).toString();
      continue;
    }
    if (status < 200 || status > 299) return done({ ok: false, status, reason: `HTTP ${status}` });
    return done({ ok: true, status });
  }
}

interface Answer {
  status?: number;
  location?: string;
  error?: string;
}

function once(target: URL, method: "HEAD" | "GET", timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve) => {
    let settled = false;
    let res: IncomingMessage | undefined;
    const finish = (answer: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res?.destroy();
      req.destroy();
      resolve(answer);
    };
    const timer = setTimeout(
      () =>
        finish({ status: res?.statusCode, error: `no answer within ${Math.round(timeoutMs)} ms` }),
      timeoutMs,
    );
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req: ClientRequest = request(
      target,
      { method, headers: { "User-Agent": "Grimnir-webstream-probe/1", "Icy-MetaData": "0" } },
      (response) => {
        res = response;
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (method === "HEAD" || REDIRECTS.has(status) || status < 200 || status > 299) {
          finish({ status, location });
          return;
        }
        response.once("data", () => finish({ status }));
        response.once("end", () => finish({ status, error: "stream ended before sending audio" }));
      },
    );
    req.on("error", (err) => finish({ error: err.message }));
    req.end();
  });
}
