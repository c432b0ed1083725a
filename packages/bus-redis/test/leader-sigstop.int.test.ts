import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Coordinator, Lease } from "@grimnir/core";
import { sleep, waitFor } from "@grimnir/core/testing";
import { startNats, startRedis, type TestServer } from "@grimnir/testkit";
import { NatsCoordinator, RedisCoordinator } from "../src/index.js";
import { bundleChild, JsonLinesChild, type ChildLine } from "./child-process.js";
import { openFence, type FencedResource } from "./fenced-resource.js";

const TTL_MS = 1500;
const WORK_EVERY_MS = 250;

interface Backend {
  name: "redis" | "nats";
  label: string;
  start(): Promise<TestServer>;
  connect(url: string): Promise<Coordinator>;
}

const backends: Backend[] = [
  {
    name: "redis",
    label: "RedisCoordinator",
    start: startRedis,
    connect: (url) => RedisCoordinator.connect({ url }),
  },
  {
    name: "nats",
    label: "NatsCoordinator",
    start: startNats,
    connect: (url) => NatsCoordinator.connect({ url }),
  },
];

/** The process state letter from /proc (T = stopped by a signal). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
}

let script: string;
beforeAll(async () => {
  script = await bundleChild("leader-child");
});

for (const backend of backends) {
  describe(`${backend.label}: a leader process stopped with SIGSTOP`, () => {
    let server: TestServer;
    let rival: Coordinator | undefined;
    let fence: FencedResource | undefined;
    let child: JsonLinesChild | undefined;

    beforeAll(async () => {
      server = await backend.start();
    });
    afterEach(async () => {
      await child?.stop();
      await rival?.close();
      await fence?.close();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("is replaced by a contender with a greater token; on SIGCONT it learns it lost the lease and its fenced write is refused", async () => {
      const key = `station:wgmr:${backend.name}`;
      rival = await backend.connect(server.url);
      fence = await openFence(backend.name, server.url, key);
      child = new JsonLinesChild(script, [
        backend.name,
        server.url,
        key,
        "instance-a",
        String(TTL_MS),
        String(WORK_EVERY_MS),
      ]);

      // The leader holds the lease, renews it and writes with its token.
      const acquired = await child.waitForLine((l) => l.event === "acquired", 15_000, "acquired");
      const staleToken = acquired.token as number;
      expect(staleToken).toBeGreaterThan(0);
      await child.waitForLine(
        (l) => l.event === "renewed" && l.token === staleToken,
        5000,
        "a renewal",
      );
      expect(child.lines).toContainEqual({ event: "write", token: staleToken, ok: true });
      expect(await rival.current(key)).toMatchObject({ holder: "instance-a", token: staleToken });
      expect(await rival.acquire(key, "instance-b", 10_000)).toBeUndefined();

      // Freeze it beyond its lease.
      child.process.kill("SIGSTOP");
      await waitFor(() => processState(child!.pid) === "T", 2000, 10, "the child to stop");
      const stoppedAt = Date.now();
      // Let lines it wrote just before stopping reach us.
      await sleep(200);
      const linesWhileStopped = child.lines.length;
      await waitFor(
        async () => (await rival!.current(key)) === undefined,
        TTL_MS + 3000,
        50,
        "the stopped leader's lease to lapse",
      );
      const taken: Lease | undefined = await rival.acquire(key, "instance-b", 10_000);
      expect(taken).toBeDefined();
      expect(taken!.token).toBeGreaterThan(staleToken);
      expect(await fence.write(taken!.token, "instance-b write 0")).toBe(true);
      // The old leader is still frozen: it has said nothing since SIGSTOP.
      expect(processState(child.pid)).toBe("T");
      expect(child.lines.length).toBe(linesWhileStopped);
      // The lease lapsed by its TTL (less at most one work interval since the last renewal).
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(TTL_MS - 2 * WORK_EVERY_MS);

      // Wake it: its in-flight work runs late with the stale token.
      child.process.kill("SIGCONT");
      const after = linesWhileStopped;
      const refused = await child.waitForLine(
        (l) => l.event === "write",
        10_000,
        "the late write",
        after,
      );
      expect(refused).toEqual({ event: "write", token: staleToken, ok: false });
      await child.waitForLine(
        (l) => l.event === "lost" && l.token === staleToken,
        10_000,
        "its renewal to fail",
        after,
      );
      await child.waitForLine(
        (l) => l.event === "watch" && l.holder === "instance-b" && l.token === taken!.token,
        10_000,
        "its watch to report the new holder",
        after,
      );
      // It stops working once it knows; no write of its was accepted after the takeover.
      await sleep(3 * WORK_EVERY_MS);
      const lateWrites = child.lines.slice(after).filter((l: ChildLine) => l.event === "write");
      expect(lateWrites).toEqual([{ event: "write", token: staleToken, ok: false }]);
      expect(child.lines.slice(after).some((l) => l.event === "renewed")).toBe(false);
      expect(await fence.read()).toEqual({ token: taken!.token, value: "instance-b write 0" });
      expect(await rival.current(key)).toMatchObject({
        holder: "instance-b",
        token: taken!.token,
      });
    });
  });
}
