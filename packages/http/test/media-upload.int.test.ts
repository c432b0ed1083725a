import { readFileSync, readdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalysisQueue, GSTREAMER_APT_INSTALL, LocalStorage, ingestFiles } from "@grimnir/library";
import { makeTone, requireBinaries, tempDir, waitFor, type TempDir } from "@grimnir/testkit";
import type { MediaIngestPort } from "../src/index.js";
import { bearer, makeHarness, type Harness } from "./support.js";

const LIMIT = 400 * 1024;

/** A JSON answer: a media item or `{ error: { code, message, details } }`. */
type Reply = Record<string, unknown> & {
  error: { code: string; message: string; details: Record<string, unknown> };
};

/** The same composition the server uses: library ingest + storage + analysis queue. */
function libraryPort(
  h: () => Harness,
  mediaRoot: string,
): MediaIngestPort & { queues: Map<string, AnalysisQueue> } {
  const storage = new LocalStorage(mediaRoot);
  const queues = new Map<string, AnalysisQueue>();
  return {
    queues,
    async ingest(stationId, file) {
      const report = await ingestFiles([file.path], { stationId, store: h().store, storage });
      if (report.added[0] !== undefined) return { outcome: "added", item: report.added[0] };
      if (report.duplicates[0] !== undefined)
        return { outcome: "duplicate", existingId: report.duplicates[0].existingId };
      const failure = report.failed[0];
      return {
        outcome: "failed",
        reason: failure?.reason ?? "not ingested",
        ...(failure?.mediaId === undefined ? {} : { mediaId: failure.mediaId }),
      };
    },
    queueAnalysis(stationId, mediaId) {
      let queue = queues.get(stationId);
      if (queue === undefined) {
        queue = new AnalysisQueue({ stationId, store: h().store, storage, concurrency: 1 });
        queues.set(stationId, queue);
      }
      queue.enqueue(mediaId);
    },
  };
}

/** POST over a real socket; `body` is sent chunked when it is a stream. */
function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer | Readable,
): Promise<{ status: number; json: Reply }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    // The server may close after an early refusal while the body is still being sent.
    req.on("error", reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

describe("streaming media upload over real HTTP", () => {
  let h: Harness;
  let tmp: TempDir;
  let port: ReturnType<typeof libraryPort>;
  let base: string;
  let manager: string;
  let tone: Buffer;

  beforeAll(async () => {
    requireBinaries(GSTREAMER_APT_INSTALL, "gst-launch-1.0");
    tmp = tempDir("grimnir-upload-test-");
    port = libraryPort(() => h, `${tmp.dir}/media`);
    h = await makeHarness({
      ports: { media: port },
      uploads: { maxBytes: LIMIT, tempDir: tmp.dir },
    });
    await h.api.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(h.api.server.address() as { port: number }).port}`;
    manager = (await h.login("manager-a", [{ stationId: h.stationA.id, role: "manager" }]))
      .accessToken;
    // 2 s of 440 Hz, 16-bit stereo 44.1 kHz WAV: ~353 KB, under the 400 KiB limit.
    tone = readFileSync(makeTone(tmp.dir, "tone", 440, 2));
  });
  afterAll(async () => {
    await Promise.all([...port.queues.values()].map((q) => q.stop()));
    await h.close();
    tmp.remove();
  });

  it("streams a raw WAV body into storage, writes the item and analyses it", async () => {
    const res = await post(
      `${base}/api/v1/media?stationId=${h.stationA.id}&filename=${encodeURIComponent("Morning Tone.wav")}`,
      { ...bearer(manager), "content-type": "audio/wav" },
      Readable.from([tone.subarray(0, 1000), tone.subarray(1000)]),
    );
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json["title"]).toBe("Morning Tone");
    expect(res.json["analysisStatus"]).toBe("pending");
    expect(res.json["storageKey"]).toMatch(new RegExp(`^${h.stationA.id}/../[0-9a-f]{64}\\.wav$`));
    const stored = readFileSync(`${tmp.dir}/media/${res.json["storageKey"]}`);
    expect(stored.equals(tone)).toBe(true);
    // The temporary copy is gone; only the storage directory is left beside the tone.
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith("grimnir-upload-"))).toEqual([]);

    const done = await waitFor(
      async () => {
        const status = await fetch(
          `${base}/api/v1/media/${res.json["id"]}/analysis?stationId=${h.stationA.id}`,
          { headers: bearer(manager) },
        );
        const body = (await status.json()) as { analysisStatus: string };
        return ["done", "failed"].includes(body.analysisStatus) ? body : undefined;
      },
      60_000,
      "analysis of the uploaded file",
      200,
    );
    expect(done).toEqual({ id: res.json["id"], analysisStatus: "done" });
    const item = await h.store.media.get(h.stationA.id, res.json["id"] as string);
    expect(item?.durationMs).toBeGreaterThan(1900);
    expect(item?.durationMs).toBeLessThan(2100);
    expect(item?.loudnessLufs).toBeLessThan(0);
  });

  it("answers 409 naming the existing item when the same bytes come again as multipart", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(tone)], { type: "audio/wav" }), "copy.wav");
    const res = await fetch(`${base}/api/v1/media?stationId=${h.stationA.id}`, {
      method: "POST",
      headers: bearer(manager),
      body: form,
    });
    const body = (await res.json()) as Reply;
    expect(res.status).toBe(409);
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.message).toContain('"copy.wav"');
    const [first] = await h.store.media.query(h.stationA.id, { limit: 10 });
    expect(body.error.details.existingId).toBe(first!.id);
    expect(await h.store.media.count(h.stationA.id, {})).toBe(1);
  });

  it("accepts a multipart upload of new audio (an MP3 made by ffmpeg)", async () => {
    requireBinaries("apt-get install -y ffmpeg", "ffmpeg");
    const { spawnSync } = await import("node:child_process");
    const mp3 = `${tmp.dir}/tone.mp3`;
    const r = spawnSync("ffmpeg", [
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=880:duration=1",
      "-metadata",
      "title=Eight Eighty",
      "-metadata",
      "artist=Testkit",
      "-b:a",
      "64k",
      "-y",
      mp3,
    ]);
    expect(r.status, r.stderr.toString()).toBe(0);
    const form = new FormData();
    form.append(
      "file",
      new Blob([new Uint8Array(readFileSync(mp3))], { type: "audio/mpeg" }),
      "dir/../tone.mp3",
    );
    const res = await fetch(`${base}/api/v1/media?stationId=${h.stationA.id}`, {
      method: "POST",
      headers: bearer(manager),
      body: form,
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({
      title: "Eight Eighty",
      artist: "Testkit",
      codec: expect.any(String),
    });
    expect(body["storageKey"]).toMatch(/\.mp3$/);
  });

  it("refuses a file that is not audio with 415 naming it, and records nothing", async () => {
    const before = await h.store.media.count(h.stationA.id, {});
    const text = Buffer.from("<html><body>" + "not audio ".repeat(2000) + "</body></html>");
    const res = await post(
      `${base}/api/v1/media?stationId=${h.stationA.id}&filename=notes.mp3`,
      { ...bearer(manager), "content-type": "audio/mpeg" },
      text,
    );
    expect(res.status).toBe(415);
    expect(res.json["error"].code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(res.json["error"].message).toContain('file "notes.mp3" is not audio');
    expect(res.json["error"].details.file).toBe("notes.mp3");
    expect(await h.store.media.count(h.stationA.id, {})).toBe(before);
    const png = Buffer.concat([
      Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
      Buffer.alloc(5000),
    ]);
    const image = await post(
      `${base}/api/v1/media?stationId=${h.stationA.id}&filename=cover.png`,
      { ...bearer(manager), "content-type": "application/octet-stream" },
      png,
    );
    expect(image.status).toBe(415);
    expect(image.json["error"].message).toContain("image/png");
  });

  it("answers 413 over the size limit, declared or streamed, and keeps no partial file", async () => {
    const big = Buffer.concat([tone, tone]);
    const declared = await post(
      `${base}/api/v1/media?stationId=${h.stationA.id}&filename=big.wav`,
      { ...bearer(manager), "content-type": "audio/wav", "content-length": String(big.length) },
      big,
    ).catch((err: Error) => ({
      status: -1,
      json: { error: { code: "", message: err.message, details: {} } } as Reply,
    }));
    expect(declared.status, JSON.stringify(declared.json)).toBe(413);
    expect(declared.json["error"].message).toContain(`upload limit of ${LIMIT} bytes`);

    // Chunked: no Content-Length, so the limit is found while streaming.
    const streamed = await post(
      `${base}/api/v1/media?stationId=${h.stationA.id}&filename=big.wav`,
      { ...bearer(manager), "content-type": "audio/wav" },
      Readable.from(
        Array.from({ length: 8 }, (_, i) =>
          big.subarray(i * (big.length / 8), (i + 1) * (big.length / 8)),
        ),
      ),
    ).catch((err: Error) => ({
      status: -1,
      json: { error: { code: "", message: err.message, details: {} } } as Reply,
    }));
    expect(streamed.status, JSON.stringify(streamed.json)).toBe(413);
    expect(streamed.json["error"].code).toBe("PAYLOAD_TOO_LARGE");
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith("grimnir-upload-"))).toEqual([]);
  });

  it("answers 415 to a JSON body and 400 to an empty file", async () => {
    const json = await fetch(`${base}/api/v1/media?stationId=${h.stationA.id}`, {
      method: "POST",
      headers: { ...bearer(manager), "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(415);
    const empty = await post(
      `${base}/api/v1/media?stationId=${h.stationA.id}&filename=empty.wav`,
      { ...bearer(manager), "content-type": "audio/wav" },
      Buffer.alloc(0),
    );
    expect(empty.status).toBe(400);
    expect(empty.json["error"].details.field).toBe("file");
  });

  it("answers 501 naming the media port when the server has none", async () => {
    const bare = await makeHarness();
    try {
      const token = (await bare.login("m", [{ stationId: bare.stationA.id, role: "manager" }]))
        .accessToken;
      const res = await bare.api.inject({
        method: "POST",
        url: `/api/v1/media?stationId=${bare.stationA.id}&filename=a.wav`,
        headers: { ...bearer(token), "content-type": "audio/wav" },
        payload: tone,
      });
      expect(res.statusCode).toBe(501);
      expect(res.json().error.details.port).toBe("media");
    } finally {
      await bare.close();
    }
  });
});
