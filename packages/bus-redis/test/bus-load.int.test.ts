import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusEvent, EventBus, EventMap } from "@grimnir/core";
import { waitFor } from "@grimnir/core/testing";
import { startNats, startRedis, type TestServer } from "@grimnir/testkit";
import { NatsBus, RedisBus } from "../src/index.js";
import { bundleChild, JsonLinesChild } from "./child-process.js";
import { publishFor, type LoadPublisher } from "./load.js";

/** 30 s of publishing, 8 publishers (4 here, 4 in two child processes), 4 stations. */
const DURATION_MS = 30_000;
const PER_SECOND = 200;
const STATIONS = ["load-0", "load-1", "load-2", "load-3"];
const publishers: LoadPublisher[] = Array.from({ length: 8 }, (_, i) => ({
  name: `pub-${i}`,
  stationId: STATIONS[i % STATIONS.length]!,
}));
const inProcess = publishers.slice(0, 4);
const inChildren = [publishers.slice(4, 6), publishers.slice(6, 8)];

interface Backend {
  name: "redis" | "nats";
  label: string;
  start(): Promise<TestServer>;
  connect(url: string): Promise<EventBus>;
}

const backends: Backend[] = [
  {
    name: "redis",
    label: "RedisBus",
    start: startRedis,
    connect: (url) => RedisBus.connect({ url }),
  },
  { name: "nats", label: "NatsBus", start: startNats, connect: (url) => NatsBus.connect({ url }) },
];

/** What one subscriber received: per publisher, the sequence numbers in arrival order. */
class Tally {
  readonly byPublisher = new Map<string, number[]>();
  readonly stations = new Set<string>();
  total = 0;

  record(event: BusEvent<"now_playing">): void {
    const payload: EventMap["now_playing"] = event.payload;
    const seqs = this.byPublisher.get(payload.title!) ?? [];
    seqs.push(payload.startedAt);
    this.byPublisher.set(payload.title!, seqs);
    this.stations.add(event.stationId);
    this.total++;
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let script: string;
beforeAll(async () => {
  script = await bundleChild("publisher-child");
});

for (const backend of backends) {
  describe(`${backend.label} under load`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await backend.start();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("delivers every event of 8 publishers over 30 s, in each publisher's order, to every matching subscriber", async () => {
      const buses: EventBus[] = [];
      const children: JsonLinesChild[] = [];
      try {
        // Subscribers: one to every station, one per station, each on its own connection.
        const all = new Tally();
        const perStation = new Map(STATIONS.map((s) => [s, new Tally()]));
        const allBus = await backend.connect(server.url);
        buses.push(allBus);
        await allBus.subscribe("now_playing", "*", (e) => all.record(e));
        for (const [station, tally] of perStation) {
          const bus = await backend.connect(server.url);
          buses.push(bus);
          await bus.subscribe("now_playing", station, (e) => tally.record(e));
        }

        for (const group of inChildren) {
          children.push(
            new JsonLinesChild(script, [
              backend.name,
              server.url,
              String(DURATION_MS),
              String(PER_SECOND),
              ...group.map((p) => `${p.name}@${p.stationId}`),
            ]),
          );
        }
        const local = await Promise.all(inProcess.map(() => backend.connect(server.url)));
        buses.push(...local);
        await Promise.all(
          children.map((c) => c.waitForLine((l) => l.event === "ready", 20_000, "ready")),
        );

        // Every bus must stay connected for the whole run: this is the "while connected" case.
        const disconnected: string[] = [];
        const probe = setInterval(() => {
          for (const bus of buses)
            if (!bus.health().connected) disconnected.push(JSON.stringify(bus.health()));
        }, 250);
        for (const child of children) child.send("go");
        const localCounts = await Promise.all(
          inProcess.map((p, i) => publishFor(local[i]!, p, DURATION_MS, PER_SECOND)),
        );
        const done = await Promise.all(
          children.map((c) => c.waitForLine((l) => l.event === "done", 20_000, "done")),
        );
        clearInterval(probe);

        const counts = new Map<string, number>(inProcess.map((p, i) => [p.name, localCounts[i]!]));
        for (const line of done) {
          expect(line.dropped).toBe(0);
          for (const [name, n] of Object.entries(line.counts as Record<string, number>))
            counts.set(name, n);
        }
        const expected = [...counts.values()].reduce((a, b) => a + b, 0);
        // The load was real: every publisher kept publishing for the whole 30 s.
        for (const p of publishers)
          expect(counts.get(p.name)).toBeGreaterThan((DURATION_MS / 1000) * 50);

        await waitFor(() => all.total >= expected, 20_000, 50, `all ${expected} events to arrive`);
        expect(disconnected).toEqual([]);
        expect(all.total).toBe(expected);
        for (const p of publishers) {
          expect(all.byPublisher.get(p.name), `${p.name} at the all-stations subscriber`).toEqual(
            range(counts.get(p.name)!),
          );
        }
        for (const [station, tally] of perStation) {
          const mine = publishers.filter((p) => p.stationId === station);
          expect([...tally.stations]).toEqual([station]);
          expect([...tally.byPublisher.keys()].sort()).toEqual(mine.map((p) => p.name).sort());
          for (const p of mine) {
            expect(tally.byPublisher.get(p.name), `${p.name} at ${station}`).toEqual(
              range(counts.get(p.name)!),
            );
          }
        }
        for (const bus of buses)
          expect(bus.health()).toMatchObject({ connected: true, dropped: 0, malformed: 0 });
        for (const child of children) expect((await child.exited).code).toBe(0);
      } finally {
        for (const child of children) await child.stop();
        for (const bus of buses) await bus.close();
      }
    }, 120_000);
  });
}
