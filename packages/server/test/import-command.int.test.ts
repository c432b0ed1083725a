import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "@grimnir/core";
import { requireBinaries, tempDir, type TempDir } from "@grimnir/testkit";
import { runImport } from "../src/commands/import.js";

/** A one-station AzuraCast API with one 2 s track, enough to drive `grimnir import azuracast`. */
let api: Server;
let baseUrl: string;
let dir: TempDir;

function capture() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      isTTY: false,
    },
  };
}

beforeAll(async () => {
  requireBinaries("apt-get install -y ffmpeg gstreamer1.0-tools", "ffmpeg", "gst-launch-1.0");
  dir = tempDir("grimnir-import-cli-");
  const file = join(dir.dir, "tone.mp3");
  execFileSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
    ...["-i", "sine=frequency=1000:duration=2", file],
  ]);
  const audio = readFileSync(file);
  const routes: Record<string, unknown> = {
    "/api/stations": [{ id: 1, name: "Tiny", shortcode: "tiny", timezone: "UTC" }],
    "/api/station/1/mounts": [],
    "/api/station/1/playlists": [],
    "/api/station/1/streamers": [],
    "/api/station/1/files": [
      { id: 7, unique_id: "u7", path: "tone.mp3", length: 2, mtime: 1, title: "Tone" },
    ],
  };
  api = createServer((req, res) => {
    if (req.headers["x-api-key"] !== "k") return res.writeHead(401).end();
    if (req.url === "/api/station/1/file/7/play") return res.writeHead(200).end(audio);
    const body = routes[req.url ?? ""];
    if (body === undefined) return res.writeHead(404).end("{}");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  dir?.remove();
});

describe("grimnir import --analyze", () => {
  it("downloads, imports and analyses with progress on stderr and the analysis in the report", async () => {
    const store = new MemoryStore();
    const { out, io } = capture();
    const code = await runImport(
      "azuracast",
      {
        store,
        url: baseUrl,
        apiKey: "k",
        downloadMediaTo: join(dir.dir, "media"),
        analyze: true,
      },
      io,
    );
    expect(out.stderr).toMatch(/^analyse \[#{30}\] 1\/1$/m);
    expect(out.stdout).toContain("analysis: 1 queued, 1 analysed, 0 failed");
    expect(code).toBe(0);
    const item = (await store.media.get("ac-station-1", "ac-1-media-7"))!;
    expect(item.analysisStatus).toBe("done");
    expect(Math.abs(item.durationMs - 2000)).toBeLessThan(100);
  });

  it("says the media awaits analysis without --analyze, and refuses --analyze without the audio", async () => {
    const plain = capture();
    expect(
      await runImport(
        "azuracast",
        { store: new MemoryStore(), url: baseUrl, apiKey: "k" },
        plain.io,
      ),
    ).toBe(0);
    expect(plain.out.stdout).toContain("imported media awaits analysis (status pending)");

    const refused = capture();
    expect(
      await runImport(
        "azuracast",
        { store: new MemoryStore(), url: baseUrl, apiKey: "k", analyze: true },
        refused.io,
      ),
    ).toBe(2);
    expect(refused.out.stderr).toContain("--analyze needs the audio files");
  });
});
