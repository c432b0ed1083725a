import type { Playlist } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import { playlistOrder } from "./playlist-fill.js";

function playlist(id: string, mode: Playlist["mode"], items: string[]): Playlist {
  return { id, name: id, mode, items } as Playlist;
}

describe("playlistOrder", () => {
  const items = Array.from({ length: 20 }, (_, i) => `m${i}`);

  it("plays an ordered playlist as listed", () => {
    expect(playlistOrder(playlist("p", "ordered", items), 1)).toEqual(items);
  });

  it("shuffles by seed and playlist id, the same every time", () => {
    const order = playlistOrder(playlist("p", "shuffled", items), 1);
    expect([...order].sort()).toEqual([...items].sort());
    expect(order).not.toEqual(items);
    expect(playlistOrder(playlist("p", "shuffled", items), 1)).toEqual(order);
    expect(playlistOrder(playlist("p", "shuffled", items), 2)).not.toEqual(order);
    expect(playlistOrder(playlist("q", "shuffled", items), 1)).not.toEqual(order);
  });

  it("treats items that are not a list as an empty playlist", () => {
    const bad = { id: "p", name: "p", mode: "shuffled", items: "m1" } as unknown as Playlist;
    expect(playlistOrder(bad, 1)).toEqual([]);
  });
});
