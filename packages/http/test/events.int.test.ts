import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { listenOnLoopback, makeHarness, type Harness } from "./support.js";

/** Open a WebSocket and collect its JSON messages; resolves once the server says it is ready. */
function openSocket(
  url: string,
): Promise<{ socket: WebSocket; messages: Array<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: Array<Record<string, unknown>> = [];
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message["type"] === "ready") resolve({ socket, messages });
      else messages.push(message);
    });
    socket.on("unexpected-response", (_req, res) =>
      reject(new Error(`handshake refused with ${res.statusCode}`)),
    );
    socket.on("error", reject);
  });
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("event streams on a real server", () => {
  let h: Harness;
  let base: string;
  let djA: string;

  beforeAll(async () => {
    h = await makeHarness();
    base = await listenOnLoopback(h.api);
    djA = (await h.login("dj-a", [{ stationId: h.stationA.id, role: "dj" }])).accessToken;
  });
  afterAll(async () => h.close());

  it("delivers over WebSocket only the events of stations the caller holds a role on", async () => {
    const { socket, messages } = await openSocket(
      `${base.replace("http", "ws")}/api/v1/events?token=${djA}`,
    );
    await h.bus.publish("now_playing", h.stationB.id, {
      title: "Secret",
      startedAt: 1,
      priority: 3,
    });
    await h.bus.publish("now_playing", h.stationA.id, {
      title: "Public",
      startedAt: 2,
      priority: 3,
    });
    await until(() => messages.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      messages.map((m) => [m["stationId"], (m["payload"] as { title: string }).title]),
    ).toEqual([[h.stationA.id, "Public"]]);
    expect(messages[0]).toMatchObject({ v: 1, topic: "now_playing" });
    socket.close();
  });

  it("filters WebSocket events by topic and refuses a foreign station or a missing token at the handshake", async () => {
    const { socket, messages } = await openSocket(
      `${base.replace("http", "ws")}/api/v1/events?token=${djA}&topics=dj.connect`,
    );
    await h.bus.publish("now_playing", h.stationA.id, {
      title: "Skip me",
      startedAt: 1,
      priority: 3,
    });
    await h.bus.publish("dj.connect", h.stationA.id, {
      sessionId: "s1",
      userId: "u1",
      mountId: "m1",
      priority: 1,
    });
    await until(() => messages.length >= 1);
    expect(messages.map((m) => m["topic"])).toEqual(["dj.connect"]);
    socket.close();

    await expect(
      openSocket(
        `${base.replace("http", "ws")}/api/v1/events?token=${djA}&stations=${h.stationB.id}`,
      ),
    ).rejects.toThrow("403");
    await expect(openSocket(`${base.replace("http", "ws")}/api/v1/events`)).rejects.toThrow("401");
  });

  it("streams Server-Sent Events filtered to permitted stations", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/events/sse`, {
      headers: { authorization: `Bearer ${djA}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil("event: ready");
    await h.bus.publish("now_playing", h.stationB.id, {
      title: "Secret",
      startedAt: 1,
      priority: 3,
    });
    await h.bus.publish("now_playing", h.stationA.id, {
      title: "Public",
      startedAt: 2,
      priority: 3,
    });
    await readUntil("Public");
    expect(text).toContain("event: now_playing\ndata: {");
    expect(text).not.toContain("Secret");
    controller.abort();

    const denied = await fetch(`${base}/api/v1/events/sse?token=${djA}&stations=${h.stationB.id}`);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
  });

  it("delivers a burst to real WebSocket and SSE clients as separate events in publish order, per station", async () => {
    const djB = (await h.login("dj-b", [{ stationId: h.stationB.id, role: "dj" }])).accessToken;
    const wsUrl = `${base.replace("http", "ws")}/api/v1/events?topics=now_playing&token=`;
    const a = await openSocket(wsUrl + djA);
    const b = await openSocket(wsUrl + djB);
    const sse = await fetch(`${base}/api/v1/events/sse?topics=now_playing&token=${djA}`);
    const reader = sse.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil("event: ready");
    // Published in one turn, so the server flushes them together (one write per stream).
    await Promise.all(
      ["A1", "B1", "A2", "A3"].map((title) =>
        h.bus.publish("now_playing", title.startsWith("A") ? h.stationA.id : h.stationB.id, {
          title,
          startedAt: 1,
          priority: 3,
        }),
      ),
    );
    await until(() => a.messages.length >= 3 && b.messages.length >= 1);
    await readUntil('"A3"');
    const titles = (messages: Array<Record<string, unknown>>) =>
      messages.map((m) => (m["payload"] as { title: string }).title);
    expect(titles(a.messages)).toEqual(["A1", "A2", "A3"]);
    expect(titles(b.messages)).toEqual(["B1"]);
    expect([...text.matchAll(/"title":"(\w+)"/g)].map((m) => m[1])).toEqual(["A1", "A2", "A3"]);
    a.socket.close();
    b.socket.close();
    await reader.cancel();
  });

  it("counts open WebSocket connections in the metrics", async () => {
    const { socket } = await openSocket(`${base.replace("http", "ws")}/api/v1/events?token=${djA}`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/grimnir_api_websocket_connections 1/);
    expect(metrics).toMatch(/grimnir_api_active_connections [1-9]/);
    socket.close();
  });
});
