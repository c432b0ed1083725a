import { describe, expect, it } from "vitest";
import { ManualTimeSource, MemoryBus, MemoryStore, type BusEvent } from "@grimnir/core";
import { LiveService } from "./live-service.js";
import type { LiveServiceOptions } from "./live-service-options.js";
import { splitSong } from "./song-title.js";
import { hashLiveToken } from "./credentials.js";

/** A live service on a manual clock, with every bus event, routed session and failback recorded. */
async function setup(
  options: Pick<
    LiveServiceOptions,
    "liveTimeoutSec" | "tokenEncoding" | "publishNowPlaying" | "onLive"
  > = {},
) {
  const time = new ManualTimeSource(1_700_000_000_000);
  const store = new MemoryStore({ timeSource: time });
  const bus = new MemoryBus();
  const events: BusEvent[] = [];
  await bus.subscribe("*", "*", (e) => {
    events.push(e);
  });
  const failbacks: string[] = [];
  const routed: string[] = [];
  const live = new LiveService({
    store,
    bus,
    time,
    liveTimeoutSec: options.liveTimeoutSec ?? 30,
    tokenEncoding: options.tokenEncoding,
    publishNowPlaying: options.publishNowPlaying,
    onLive:
      options.onLive ??
      ((s, info) => {
        routed.push(`${s.id}${info.resumed ? ":resumed" : ""}`);
      }),
    onFailback: (stationId, s) => {
      failbacks.push(`${stationId}/${s.id}`);
    },
    log: () => undefined,
  });
  /** A token of station "st" for mount "m", DJ "dj", priority 1, valid a minute, unless overridden. */
  const issue = (
    request: Partial<{ mountId: string; userId: string; priority: 1 | 2; ttlMs: number }> = {},
  ) =>
    live.generateToken("st", {
      mountId: "m",
      userId: "dj",
      priority: 1,
      ttlMs: 60_000,
      ...request,
    });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  const topics = (topic: string) => events.filter((e) => e.topic === topic);
  return { time, store, bus, events, failbacks, routed, live, issue, flush, topics };
}

describe("LiveService", () => {
  it("stores only the SHA-256 of a 32-byte token and binds it to station, mount and DJ", async () => {
    const { live, store, issue } = await setup();
    const issued = await issue({ priority: 2 });
    expect(issued.token).toMatch(/^[0-9a-f]{64}$/);
    const [record] = await store.liveTokens.list("st");
    expect(record).toMatchObject({
      mountId: "m",
      userId: "dj",
      priority: 2,
      tokenHash: hashLiveToken(issued.token),
    });
    expect(JSON.stringify(record)).not.toContain(issued.token);
    expect(await live.authorize("st", issued.token)).toEqual({
      tokenId: issued.id,
      mountId: "m",
      userId: "dj",
      priority: 2,
    });
    await expect(live.authorize("other-station", issued.token)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      details: { reason: "unknown" },
    });
  });

  it("issues base64url tokens when asked, and accepts either encoding of the same bytes", async () => {
    const { live, issue } = await setup({ tokenEncoding: "base64url" });
    const issued = await issue({ ttlMs: 1000 });
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hex = Buffer.from(issued.token, "base64url").toString("hex");
    expect((await live.authorize("st", hex)).tokenId).toBe(issued.id);
  });

  it("refuses malformed, unknown, expired and used tokens with the reason", async () => {
    const { live, time, issue } = await setup();
    await expect(live.authorizeSource("hackme")).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      details: { reason: "malformed" },
    });
    await expect(live.authorizeSource("0".repeat(64))).rejects.toMatchObject({
      details: { reason: "unknown" },
    });
    const a = await issue({ ttlMs: 1000 });
    time.advance(1000);
    await expect(live.authorizeSource(a.token)).rejects.toMatchObject({
      details: { reason: "expired" },
    });
    const b = await issue();
    await expect(live.authorizeSource(b.token, { mountId: "other" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const session = await live.connect("st", { token: b.token });
    await live.disconnect("st", session.id, "done");
    await expect(live.connect("st", { token: b.token })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      details: { reason: "used" },
    });
  });

  it("lets only one of two racing connects with the same token win", async () => {
    const { live, issue } = await setup();
    const t = await issue();
    const results = await Promise.allSettled([
      live.connect("st", { token: t.token }),
      live.connect("st", { token: t.token }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses a second source on a busy mount with CONFLICT", async () => {
    const { live, issue } = await setup();
    const a = await issue({ userId: "ann" });
    const b = await issue({ userId: "bob" });
    await live.connect("st", { token: a.token });
    await expect(live.connect("st", { token: b.token })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { reason: "mount-busy" },
    });
    // The refused token is still unused.
    expect((await live.authorizeSource(b.token)).userId).toBe("bob");
  });

  it("publishes dj.connect, waits the live timeout after a drop, then fails back and publishes dj.disconnect", async () => {
    const { live, time, events, failbacks, routed, store, flush, issue } = await setup({
      liveTimeoutSec: 30,
    });
    const t = await issue();
    const session = await live.connect("st", {
      token: t.token,
      inputUri: "srt://127.0.0.1:9000?mode=listener",
    });
    expect(session.state).toBe("active");
    expect(routed).toEqual([session.id]);
    await flush();
    expect(events.map((e) => e.topic)).toEqual(["dj.connect"]);
    const { ended } = await live.handleDisconnect(session.id, "source connection closed");
    expect((await store.liveSessions.get("st", session.id))?.state).toBe("connected");
    await flush();
    expect(events.map((e) => e.topic)).toEqual(["dj.connect", "source_failure"]);
    time.advance(29_999);
    await flush();
    expect(failbacks).toEqual([]);
    time.advance(1);
    expect(await ended).toBe(true);
    expect(failbacks).toEqual([`st/${session.id}`]);
    await flush();
    expect(events.at(-1)).toMatchObject({
      topic: "dj.disconnect",
      payload: { sessionId: session.id, userId: "dj" },
    });
    expect(await live.getActiveSessions("st")).toEqual([]);
    expect((await store.liveSessions.get("st", session.id))?.disconnectedAt).toBe(time.now());
  });

  it("resumes the same session when the token reconnects within the grace", async () => {
    const { live, time, failbacks, routed, events, flush, issue } = await setup({
      liveTimeoutSec: 10,
    });
    const t = await issue({ priority: 2 });
    const first = await live.handleConnect({ token: t.token });
    const { ended } = await live.handleDisconnect(first.session.id, "dropped");
    time.advance(5000);
    const again = await live.handleConnect({ token: t.token });
    expect(again).toMatchObject({
      resumed: true,
      session: { id: first.session.id, state: "active" },
    });
    time.advance(10_000);
    expect(await ended).toBe(false);
    await flush();
    expect(failbacks).toEqual([]);
    expect(routed).toEqual([first.session.id, `${first.session.id}:resumed`]);
    expect(events.filter((e) => e.topic === "dj.connect")).toHaveLength(1);
    expect((await live.getActiveSessions("st")).map((s) => s.id)).toEqual([first.session.id]);
  });

  it("calls off the grace when an engine-pulled input delivers again, without routing it anew", async () => {
    const { live, time, failbacks, routed, store, events, flush, issue } = await setup({
      liveTimeoutSec: 10,
    });
    const t = await issue({ priority: 2 });
    const session = await live.connect("st", {
      token: t.token,
      inputUri: "rtp://127.0.0.1:5004?encoding-name=MPA",
    });
    expect(await live.sourceReturned(session.id)).toBe(false);
    const { ended } = await live.handleDisconnect(session.id, "engine: no audio", {
      stillRouted: true,
    });
    expect((await store.liveSessions.get("st", session.id))?.state).toBe("connected");
    time.advance(4000);
    expect(await live.sourceReturned(session.id)).toBe(true);
    expect((await store.liveSessions.get("st", session.id))?.state).toBe("active");
    time.advance(10_000);
    expect(await ended).toBe(false);
    await flush();
    expect(failbacks).toEqual([]);
    expect(routed).toEqual([session.id]);
    // The input stayed routed: no source_failure (on which an executor takes it off the air).
    expect(events.some((e) => e.topic === "dj.disconnect" || e.topic === "source_failure")).toBe(
      false,
    );
    // A second drop starts a fresh grace that ends the session.
    const second = await live.handleDisconnect(session.id, "engine: no audio", {
      stillRouted: true,
    });
    time.advance(10_000);
    expect(await second.ended).toBe(true);
    expect(failbacks).toEqual([`st/${session.id}`]);
    expect(await live.sourceReturned(session.id)).toBe(false);
  });

  it("ends a session at once through disconnect, and reports NOT_FOUND for unknown ones", async () => {
    const { live, failbacks, issue } = await setup();
    const t = await issue();
    const s = await live.connect("st", { token: t.token });
    const ended: string[] = [];
    live.onSessionEnded((e) => ended.push(e.reason));
    expect((await live.disconnect("st", s.id, "manager ended it")).state).toBe("disconnected");
    expect(failbacks).toEqual([`st/${s.id}`]);
    expect(ended).toEqual(["manager ended it"]);
    await expect(live.disconnect("st", "nope", "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("publishes stream titles as now_playing at the session's tier", async () => {
    const { live, events, store, issue, flush } = await setup();
    const t = await issue({ priority: 2 });
    const s = await live.connect("st", { token: t.token });
    await live.updateMetadata(s.id, "Nina Simone - Feeling Good");
    await flush();
    expect(events.at(-1)).toMatchObject({
      topic: "now_playing",
      payload: { artist: "Nina Simone", title: "Feeling Good", priority: 2 },
    });
    expect((await store.liveSessions.get("st", s.id))?.metadata).toBe("Nina Simone - Feeling Good");
    expect(splitSong("Just a title")).toEqual({ title: "Just a title" });
  });

  it("publishes a repeated stream title once, and a new one again", async () => {
    const { live, events, flush, issue } = await setup();
    const t = await issue();
    const s = await live.connect("st", { token: t.token });
    expect(await live.updateMetadata(s.id, "Nina Simone - Feeling Good")).toBe(true);
    expect(await live.updateMetadata(s.id, "Nina Simone - Feeling Good")).toBe(false);
    expect(await live.updateMetadata(s.id, "Nina Simone - Sinnerman")).toBe(true);
    expect(await live.updateMetadata(s.id, "Nina Simone - Feeling Good")).toBe(true);
    await flush();
    const titles = events
      .filter((e) => e.topic === "now_playing")
      .map((e) => (e.payload as { title: string }).title);
    expect(titles).toEqual(["Feeling Good", "Sinnerman", "Feeling Good"]);
    await expect(live.updateMetadata("nobody", "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("leaves now_playing to the executor when publishNowPlaying is off, and still stores the title", async () => {
    const { live, store, issue, flush, topics } = await setup({ publishNowPlaying: false });
    const t = await issue();
    const s = await live.connect("st", { token: t.token });
    expect(await live.updateMetadata(s.id, "Artist - Song")).toBe(true);
    await flush();
    expect(topics("now_playing")).toEqual([]);
    expect((await store.liveSessions.get("st", s.id))?.metadata).toBe("Artist - Song");
  });

  it("reports a failing onLive hook as source_failure and keeps the session connected", async () => {
    const { live, issue, flush, topics } = await setup({
      onLive: () => Promise.reject(new Error("engine down")),
    });
    const t = await issue({ ttlMs: 1000 });
    const s = await live.connect("st", { token: t.token });
    expect(s.state).toBe("connected");
    await flush();
    expect(topics("source_failure")[0]?.payload).toMatchObject({
      reason: expect.stringContaining("engine down"),
      action: "fallback",
    });
  });
});
