import { GrimnirError } from "@grimnir/core";

/** An SRT input (GStreamer `srtsrc`). */
export interface SrtInput {
  kind: "srt";
  host: string;
  port: number;
  /** listener: wait for the DJ's encoder; caller: connect to it. */
  mode: "listener" | "caller" | "rendezvous";
  /** SRT receive latency, ms (default 120). */
  latencyMs: number;
  /** AES passphrase, 10–79 characters, when the stream is encrypted. */
  passphrase?: string;
  streamId?: string;
}

/** RTP audio on UDP (GStreamer `udpsrc` with RTP caps, a jitter buffer and a depayloader). */
export interface RtpInput {
  kind: "rtp";
  /** Address to bind (or a multicast group). */
  host: string;
  port: number;
  /** RTP encoding name. */
  encoding: "L16" | "L24" | "OPUS" | "MPA";
  /** RTP clock rate, Hz (48000 for OPUS, 90000 for MPA). */
  clockRate: number;
  channels: number;
  /** Dynamic payload type 96–127, or the static one of the encoding. */
  payloadType: number;
  /** Jitter buffer, ms (default 200). */
  jitterMs: number;
}

/** An HTTP(S)/Icecast pull input, e.g. the harbor's re-serve URL. */
export interface HttpInput {
  kind: "http";
  url: string;
}

/** A live input the engine can route, parsed from its URI. */
export type LiveInput = SrtInput | RtpInput | HttpInput;

const RTP_ENCODINGS = new Set(["L16", "L24", "OPUS", "MPA"]);

function invalid(uri: string, reason: string): GrimnirError {
  return new GrimnirError("VALIDATION", `live input URI ${uri} is not valid: ${reason}`, {
    details: { field: "inputUri", reason },
  });
}

/** The `srt://` URI of an SRT input (validated; see {@link parseLiveInputUri}). */
export function srtInputUri(
  input: Omit<SrtInput, "kind" | "latencyMs"> & { latencyMs?: number },
): string {
  const q = new URLSearchParams({ mode: input.mode, latency: String(input.latencyMs ?? 120) });
  if (input.passphrase !== undefined) q.set("passphrase", input.passphrase);
  if (input.streamId !== undefined) q.set("streamid", input.streamId);
  const uri = `srt://${input.host}:${input.port}?${q.toString()}`;
  parseLiveInputUri(uri);
  return uri;
}

/** The `rtp://` URI of an RTP input (validated; see {@link parseLiveInputUri}). */
export function rtpInputUri(
  input: Omit<RtpInput, "kind" | "jitterMs" | "payloadType"> & {
    jitterMs?: number;
    payloadType?: number;
  },
): string {
  const q = new URLSearchParams({
    "encoding-name": input.encoding,
    "clock-rate": String(input.clockRate),
    channels: String(input.channels),
    payload: String(input.payloadType ?? 96),
    jitter: String(input.jitterMs ?? 200),
  });
  const uri = `rtp://${input.host}:${input.port}?${q.toString()}`;
  parseLiveInputUri(uri);
  return uri;
}

/**
 * Parse and validate a live input URI: `srt://host:port?mode=&latency=&passphrase=&streamid=`,
 * `rtp://host:port?encoding-name=&clock-rate=&channels=&payload=&jitter=`, or
 * `http(s)://…` / `icecast://…` (pulled as HTTP). Rejects with `VALIDATION`
 * naming what is wrong.
 */
export function parseLiveInputUri(uri: string): LiveInput {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    if (err instanceof TypeError) throw invalid(uri, "not a URI");
    throw err;
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "http" || scheme === "https") return { kind: "http", url: uri };
  if (scheme === "icecast")
    return { kind: "http", url: `http://${url.host}${url.pathname}${url.search}` };
  if (scheme !== "srt" && scheme !== "rtp")
    throw invalid(uri, `scheme ${scheme} is not srt, rtp, http or icecast`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port);
  if (host === "") throw invalid(uri, "host is missing");
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid(uri, "port must be 1..65535");
  const q = url.searchParams;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = q.get(name);
    const value = raw === null ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalid(uri, `${name} must be an integer ${min}..${max}`);
    }
    return value;
  };
  if (scheme === "srt") {
    const mode = q.get("mode") ?? "caller";
    if (mode !== "listener" && mode !== "caller" && mode !== "rendezvous") {
      throw invalid(uri, "mode must be listener, caller or rendezvous");
    }
    const passphrase = q.get("passphrase") ?? undefined;
    if (passphrase !== undefined && (passphrase.length < 10 || passphrase.length > 79)) {
      throw invalid(uri, "passphrase must be 10..79 characters");
    }
    return {
      kind: "srt",
      host,
      port,
      mode,
      latencyMs: int("latency", 120, 0, 60_000),
      passphrase,
      streamId: q.get("streamid") ?? undefined,
    };
  }
  const encoding = (q.get("encoding-name") ?? "").toUpperCase();
  if (!RTP_ENCODINGS.has(encoding))
    throw invalid(uri, "encoding-name must be L16, L24, OPUS or MPA");
  const clockRate = int(
    "clock-rate",
    encoding === "OPUS" ? 48000 : encoding === "MPA" ? 90000 : 0,
    8000,
    192_000,
  );
  if (encoding === "OPUS" && clockRate !== 48000) throw invalid(uri, "OPUS needs clock-rate 48000");
  if (encoding === "MPA" && clockRate !== 90000) throw invalid(uri, "MPA needs clock-rate 90000");
  return {
    kind: "rtp",
    host,
    port,
    encoding: encoding as RtpInput["encoding"],
    clockRate,
    channels: int("channels", 2, 1, 8),
    payloadType: int("payload", encoding === "MPA" ? 14 : 96, 0, 127),
    jitterMs: int("jitter", 200, 0, 10_000),
  };
}

/** The GStreamer caps string for an RTP input's `udpsrc`. */
export function rtpCaps(input: RtpInput): string {
  const params =
    input.encoding === "OPUS"
      ? ""
      : `,encoding-params=(string)${input.channels},channels=(int)${input.channels}`;
  return `application/x-rtp,media=(string)audio,clock-rate=(int)${input.clockRate},encoding-name=(string)${input.encoding},payload=(int)${input.payloadType}${params}`;
}

const DEPAY: Record<RtpInput["encoding"], string> = {
  L16: "rtpL16depay",
  L24: "rtpL24depay",
  OPUS: "rtpopusdepay ! opusdec",
  MPA: "rtpmpadepay ! mpegaudioparse ! mpg123audiodec",
};

/**
 * A gst-launch style description of the source part of a pipeline that
 * decodes `input` to raw audio (the engine appends convert/resample/mix).
 * Reference for the engine's implementation; values are quoted for gst-launch.
 */
export function gstSourceDescription(input: LiveInput): string {
  switch (input.kind) {
    case "http":
      return `souphttpsrc location="${input.url}" is-live=true do-timestamp=true iradio-mode=true ! decodebin`;
    case "srt": {
      const q = new URLSearchParams({ mode: input.mode, latency: String(input.latencyMs) });
      if (input.passphrase !== undefined) q.set("passphrase", input.passphrase);
      if (input.streamId !== undefined) q.set("streamid", input.streamId);
      return `srtsrc uri="srt://${input.host}:${input.port}?${q.toString()}" ! decodebin`;
    }
    case "rtp":
      return `udpsrc address=${input.host} port=${input.port} caps="${rtpCaps(input)}" ! rtpjitterbuffer latency=${input.jitterMs} ! ${DEPAY[input.encoding]}`;
  }
}
