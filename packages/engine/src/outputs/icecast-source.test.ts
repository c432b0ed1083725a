import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { IcecastSourceClient, type IcecastSourceOptions } from "./icecast-source.js";

/** One source connection as the fake Icecast saw it. */
interface Accepted {
  socket: Socket;
  /** Request head (up to the blank line). */
  head: Promise<string>;
  /** Everything received after the head. */
  body: () => Buffer;
}

/** A loopback TCP server standing in for Icecast: records each connection, answers as `answer` says. */
async function fakeIcecast(answer: (n: number) => string | undefined): Promise<{
  server: Server;
  port: number;
  connections: Accepted[];
  next: (n: number) => Promise<Accepted>;
}> {
  const connections: Accepted[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((socket) => {
    let received = Buffer.alloc(0);
    let headEnd = -1;
    let resolveHead!: (head: string) => void;
    const head = new Promise<string>((r) => (resolveHead = r));
    const n = connections.length;
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (headEnd >= 0) return;
      headEnd = received.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      resolveHead(received.subarray(0, headEnd).toString("latin1"));
      const reply = answer(n);
      if (reply !== undefined) socket.write(reply);
    });
    socket.on("error", () => socket.destroy());
    connections.push({ socket, head, body: () => received.subarray(headEnd + 4) });
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const next = async (n: number): Promise<Accepted> => {
    while (connections.length <= n) await new Promise<void>((r) => waiters.push(r));
    return connections[n]!;
  };
  return { server, port, connections, next };
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function source(
  port: number,
  extra: Partial<IcecastSourceOptions> = {},
): { client: IcecastSourceClient; failures: string[]; connects: number[] } {
  const failures: string[] = [];
  const connects: number[] = [];
  const client = new IcecastSourceClient({
    target: { host: "127.0.0.1", port, mount: "/live.aac", username: "source", password: "s3cret" },
    contentType: "audio/aac",
    name: "Grimnir AAC",
    onFailure: (m) => failures.push(m),
    onConnected: () => connects.push(Date.now()),
    minBackoffMs: 50,
    maxBackoffMs: 200,
    ...extra,
  });
  cleanups.push(() => client.close());
  return { client, failures, connects };
}

describe("IcecastSourceClient", () => {
  it("sends a PUT to the mount with Basic auth, content type, ice headers and Expect: 100-continue", async () => {
    const ice = await fakeIcecast(() => undefined);
    cleanups.push(() => ice.server.close());
    source(ice.port);
    const head = await (await ice.next(0)).head;
    const [requestLine, ...headers] = head.split("\r\n");
    expect(requestLine).toBe("PUT /live.aac HTTP/1.1");
    const byName = new Map(
      headers.map((h) => [h.slice(0, h.indexOf(":")).toLowerCase(), h.slice(h.indexOf(":") + 2)]),
    );
    expect(byName.get("authorization")).toBe(
      `Basic ${Buffer.from("source:s3cret").toString("base64")}`,
    );
    expect(byName.get("content-type")).toBe("audio/aac");
    expect(byName.get("host")).toBe(`127.0.0.1:${ice.port}`);
    expect(byName.get("ice-public")).toBe("0");
    expect(byName.get("ice-name")).toBe("Grimnir AAC");
    expect(byName.get("expect")).toBe("100-continue");
    expect(byName.has("transfer-encoding")).toBe(false);
  });

  it.each([
    ["HTTP/1.1 100 Continue\r\n\r\n", "100 Continue"],
    ["HTTP/1.0 200 OK\r\n\r\n", "200 OK"],
  ])("streams bytes raw once Icecast answers %j", async (reply) => {
    const ice = await fakeIcecast(() => reply);
    cleanups.push(() => ice.server.close());
    const { client, connects } = source(ice.port);
    const conn = await ice.next(0);
    await conn.head;
    await until(() => client.connected);
    expect(connects).toHaveLength(1);
    client.write(Buffer.from([0xff, 0xf1, 1, 2, 3]));
    client.write(Buffer.from([4, 5]));
    await until(() => conn.body().length === 7);
    expect([...conn.body()]).toEqual([0xff, 0xf1, 1, 2, 3, 4, 5]);
    expect(client.droppedBytes).toBe(0);
  });

  it("reports a 401 as a refused source login naming the mount, and keeps trying", async () => {
    const ice = await fakeIcecast(() => "HTTP/1.0 401 Authentication Required\r\n\r\n");
    cleanups.push(() => ice.server.close());
    const { client, failures } = source(ice.port);
    await until(() => failures.length >= 2);
    expect(failures[0]).toContain("/live.aac");
    expect(failures[0]).toContain("401");
    expect(failures[0]).toMatch(/source login refused/);
    expect(ice.connections.length).toBeGreaterThanOrEqual(2);
    expect(client.connected).toBe(false);
  });

  it("reports an unexpected status and a connection refused, naming the mount", async () => {
    const ice = await fakeIcecast(() => "HTTP/1.1 500 Internal Server Error\r\n\r\n");
    cleanups.push(() => ice.server.close());
    const { failures } = source(ice.port);
    await until(() => failures.length >= 1);
    expect(failures[0]).toMatch(/Icecast mount \/live\.aac .*unexpected answer "HTTP\/1\.1 500/);

    const closed = await fakeIcecast(() => undefined);
    const port = closed.port;
    await new Promise<void>((r) => closed.server.close(() => r()));
    const refused = source(port);
    await until(() => refused.failures.length >= 1);
    expect(refused.failures[0]).toContain(`/live.aac at 127.0.0.1:${port}`);
    expect(refused.failures[0]).toMatch(/ECONNREFUSED/);
  });

  it("drops chunks while disconnected and reconnects after the server drops the connection", async () => {
    const ice = await fakeIcecast(() => "HTTP/1.1 100 Continue\r\n\r\n");
    cleanups.push(() => ice.server.close());
    const { client, failures, connects } = source(ice.port);
    // Before Icecast has answered, bytes go nowhere.
    client.write(Buffer.alloc(100, 1));
    expect(client.droppedBytes).toBe(100);
    const first = await ice.next(0);
    await until(() => client.connected);
    client.write(Buffer.from("one"));
    await until(() => first.body().toString() === "one");

    first.socket.destroy();
    await until(() => !client.connected);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^Icecast mount \/live\.aac at 127\.0\.0\.1:\d+: connection dropped; reconnecting in [\d.]+ s$/,
    );
    client.write(Buffer.alloc(50, 2));
    expect(client.droppedBytes).toBe(150);

    const second = await ice.next(1);
    await until(() => client.connected);
    expect(connects).toHaveLength(2);
    client.write(Buffer.from("two"));
    await until(() => second.body().toString() === "two");
    // Nothing dropped while disconnected was sent late.
    expect(first.body().toString()).toBe("one");
  });

  it("drops a chunk instead of queueing more than maxQueuedBytes in the socket", async () => {
    // The fake server stops reading after the head, so the socket backs up.
    const ice = await fakeIcecast(() => "HTTP/1.1 100 Continue\r\n\r\n");
    cleanups.push(() => ice.server.close());
    const { client } = source(ice.port, { maxQueuedBytes: 64 * 1024 });
    const conn = await ice.next(0);
    await until(() => client.connected);
    conn.socket.pause();
    const chunk = Buffer.alloc(256 * 1024);
    for (let i = 0; i < 200; i++) client.write(chunk);
    expect(client.droppedBytes).toBeGreaterThan(0);
    expect(client.droppedBytes % chunk.length).toBe(0);
  });

  it("stops reconnecting once closed", async () => {
    const ice = await fakeIcecast(() => "HTTP/1.0 403 Forbidden\r\n\r\n");
    cleanups.push(() => ice.server.close());
    const { client, failures } = source(ice.port);
    await until(() => failures.length >= 1);
    client.close();
    const seen = ice.connections.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(ice.connections.length).toBe(seen);
    client.write(Buffer.from("late"));
    expect(client.connected).toBe(false);
  });
});
