import { describe, expect, it } from "vitest";
import { mp3Bytes, rawRequest, sourceHead, useHarbor, waitFor } from "./helpers.js";

describe("Harbor re-serve while a source goes live", () => {
  /** What the engine would see: the re-serve URL fetched from inside `onLive`. */
  const pulls: {
    result: Promise<{ status: number; contentType: string | null; bytes: number }>;
  }[] = [];
  const fx = useHarbor(
    {
      liveTimeoutSec: 0.5,
      // As the server's onLive does: the engine is told to pull the URL and answers (here
      // after 300 ms) before handleConnect returns, so the pull reaches the harbor first.
      onLive: async (session) => {
        pulls.push({
          result: fetch(session.inputUri!).then(async (res) => {
            const reader = res.body!.getReader();
            const chunk = await reader.read();
            await reader.cancel();
            return {
              status: res.status,
              contentType: res.headers.get("content-type"),
              bytes: chunk.value?.length ?? 0,
            };
          }),
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
      log: () => undefined,
    },
    { log: () => undefined },
  );

  it("answers a pull made from onLive with the stream, not a 404", async () => {
    const { live, harbor } = fx;
    const issued = await live.generateToken("st-1", {
      mountId: "main",
      userId: "dj",
      priority: 2,
      ttlMs: 60_000,
    });
    const tone = mp3Bytes(440, 2);
    const source = await rawRequest(
      fx.port,
      sourceHead({ mount: "studio", password: issued.token, contentType: "audio/mpeg" }),
      tone.subarray(0, 4096),
    );
    expect(source.status).toBe(200);
    const pending = await waitFor(() => pulls[0], 5000, "the pull from onLive");
    await waitFor(
      () => harbor.mounts().find((m) => m.mount === "studio" && m.listeners === 1),
      5000,
      "the pull registered as a listener",
    );
    source.socket.write(tone.subarray(4096));
    const pulled = await pending.result;
    expect(pulled).toMatchObject({ status: 200, contentType: "audio/mpeg" });
    expect(pulled.bytes).toBeGreaterThan(0);
    source.socket.destroy();
  });
});
