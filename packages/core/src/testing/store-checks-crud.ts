import { expect } from "vitest";
import { newId } from "../ids.js";
import type { Store } from "../contracts/store.js";
import type { StationScoped } from "../model/entity.js";
import { STATION_KINDS } from "./fixtures.js";
import { expectCode, type ConformanceCheck } from "./harness.js";

/** What every store check receives. */
export interface StoreCheckContext {
  /** A fresh store for this check. */
  store: Store;
  /** Set by a check that closed the store itself, so the suite does not close it again. */
  closed?: boolean;
}

function strip(record: StationScoped): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, version: _v, ...rest } = record;
  return rest;
}

/** CRUD, versioning, conflicts, isolation and copying, on every station-scoped repository and the global ones. */
export const storeCrudChecks: readonly ConformanceCheck<StoreCheckContext>[] = [
  {
    name: "creates records with version 1, timestamps and the given or a generated id",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const input = f.make(stationId);
        const created = await repo.create(input);
        expect(created.id, f.kind).toEqual(expect.any(String));
        expect(created.id.length, f.kind).toBeGreaterThan(0);
        expect(created.version, f.kind).toBe(1);
        expect(created.createdAt, f.kind).toEqual(expect.any(Number));
        expect(created.updatedAt, f.kind).toBe(created.createdAt);
        expect(strip(created), f.kind).toEqual({ ...input, id: created.id });
        expect(await repo.get(stationId, created.id), f.kind).toEqual(created);
        const chosen = newId();
        const withId = await repo.create({ ...f.make(stationId), id: chosen });
        expect(withId.id, f.kind).toBe(chosen);
        expect((await repo.get(stationId, chosen))?.version, f.kind).toBe(1);
      }
    },
  },
  {
    name: "increments the version on every update and keeps createdAt",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const created = await repo.create(f.make(stationId));
        const changed = f.change(created);
        const updated = await repo.update(changed);
        expect(updated.version, f.kind).toBe(2);
        expect(updated.createdAt, f.kind).toBe(created.createdAt);
        expect(updated.updatedAt, f.kind).toBeGreaterThanOrEqual(created.updatedAt);
        expect(strip(updated), f.kind).toEqual(strip(changed as StationScoped));
        expect(await repo.get(stationId, created.id), f.kind).toEqual(updated);
        const again = await repo.update(updated);
        expect(again.version, f.kind).toBe(3);
      }
    },
  },
  {
    name: "rejects an update with a stale version with CONFLICT and changes nothing",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const created = await repo.create(f.make(stationId));
        const current = await repo.update(f.change(created));
        await expectCode(repo.update(f.change(created)), "CONFLICT");
        await expectCode(
          repo.update({ ...f.change(current), version: current.version + 1 }),
          "CONFLICT",
        );
        expect(await repo.get(stationId, created.id), f.kind).toEqual(current);
      }
    },
  },
  {
    name: "rejects a delete with a stale version with CONFLICT and keeps the record",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const created = await repo.create(f.make(stationId));
        const current = await repo.update(f.change(created));
        await expectCode(repo.delete(stationId, created.id, 1), "CONFLICT");
        expect(await repo.get(stationId, created.id), f.kind).toEqual(current);
        await repo.delete(stationId, created.id, current.version);
        expect(await repo.get(stationId, created.id), f.kind).toBeUndefined();
        const other = await repo.create(f.make(stationId));
        await repo.delete(stationId, other.id);
        expect(await repo.get(stationId, other.id), f.kind).toBeUndefined();
      }
    },
  },
  {
    name: "rejects a create with an existing id with CONFLICT and keeps the original",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const created = await repo.create(f.make(stationId));
        await expectCode(repo.create({ ...f.make(stationId), id: created.id }), "CONFLICT");
        await expectCode(repo.create({ ...f.make(newId()), id: created.id }), "CONFLICT");
        expect(await repo.get(stationId, created.id), f.kind).toEqual(created);
      }
    },
  },
  {
    name: "rejects update and delete of a missing record with NOT_FOUND",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const created = await repo.create(f.make(stationId));
        await repo.delete(stationId, created.id);
        await expectCode(repo.update(f.change(created)), "NOT_FOUND");
        await expectCode(repo.delete(stationId, created.id), "NOT_FOUND");
        await expectCode(repo.delete(stationId, newId(), 1), "NOT_FOUND");
        expect(await repo.get(stationId, newId()), f.kind).toBeUndefined();
      }
    },
  },
  {
    name: "isolates stations in get, list, update and delete",
    async run({ store }) {
      const a = newId();
      const b = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const inA = await repo.create(f.make(a));
        const inB = await repo.create(f.make(b));
        expect(await repo.get(b, inA.id), f.kind).toBeUndefined();
        expect(
          (await repo.list(b)).map((r) => r.id),
          f.kind,
        ).toEqual([inB.id]);
        expect(
          (await repo.list(a)).map((r) => r.id),
          f.kind,
        ).toEqual([inA.id]);
        await expectCode(repo.update({ ...f.change(inA), stationId: b }), "NOT_FOUND");
        await expectCode(repo.delete(b, inA.id), "NOT_FOUND");
        await expectCode(repo.delete(b, inA.id, inA.version), "NOT_FOUND");
        expect(await repo.get(a, inA.id), f.kind).toEqual(inA);
        expect(await repo.list(newId()), f.kind).toEqual([]);
      }
    },
  },
  {
    name: "returns copies that callers cannot use to change stored records",
    async run({ store }) {
      const stationId = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const input = f.make(stationId);
        const created = await repo.create(input);
        const pristine = structuredClone(created);
        const vandalise = (record: object): void => {
          const target = record as Record<string, unknown>;
          scribble(f.probe(record as StationScoped));
          target["stationId"] = "vandalised";
          target["version"] = 99;
        };
        vandalise(input as object);
        vandalise(created);
        const got = await repo.get(stationId, pristine.id);
        expect(got, f.kind).toEqual(pristine);
        vandalise(got!);
        const listed = await repo.list(stationId);
        for (const row of listed) vandalise(row);
        expect(await repo.get(stationId, pristine.id), f.kind).toEqual(pristine);
        const updated = await repo.update(f.change(pristine));
        const snapshot = structuredClone(updated);
        vandalise(updated);
        expect(await repo.get(stationId, pristine.id), f.kind).toEqual(snapshot);
      }
    },
  },
  {
    name: "lists a station's records in id order with limit and offset",
    async run({ store }) {
      const stationId = newId();
      const prefix = newId();
      for (const f of STATION_KINDS) {
        const repo = f.repo(store);
        const ids = ["c", "a", "e", "b", "d", "g", "f"].map((s) => `${prefix}-${s}`);
        for (const id of ids) await repo.create({ ...f.make(stationId), id });
        const sorted = [...ids].sort();
        expect(
          (await repo.list(stationId)).map((r) => r.id),
          f.kind,
        ).toEqual(sorted);
        expect(
          (await repo.list(stationId, { limit: 3 })).map((r) => r.id),
          f.kind,
        ).toEqual(sorted.slice(0, 3));
        expect(
          (await repo.list(stationId, { limit: 3, offset: 3 })).map((r) => r.id),
          f.kind,
        ).toEqual(sorted.slice(3, 6));
        expect(
          (await repo.list(stationId, { offset: 6 })).map((r) => r.id),
          f.kind,
        ).toEqual(sorted.slice(6));
        expect(await repo.list(stationId, { offset: 10 }), f.kind).toEqual([]);
      }
    },
  },
  {
    name: "stores stations globally with versions, conflicts and id order",
    async run({ store }) {
      const prefix = newId();
      const made = [];
      for (const s of ["b", "a", "c"]) {
        made.push(
          await store.stations.create({
            id: `${prefix}-${s}`,
            name: `Station ${s}`,
            timezone: "Europe/Oslo",
            active: true,
          }),
        );
      }
      const ids = (await store.stations.list())
        .map((s) => s.id)
        .filter((id) => id.startsWith(prefix));
      expect(ids).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
      const first = made[0]!;
      expect(first.version).toBe(1);
      const updated = await store.stations.update({ ...first, name: "Renamed" });
      expect(updated.version).toBe(2);
      expect(updated.name).toBe("Renamed");
      await expectCode(store.stations.update({ ...first, name: "Stale" }), "CONFLICT");
      await expectCode(
        store.stations.create({ id: first.id, name: "Dup", timezone: "UTC", active: false }),
        "CONFLICT",
      );
      await expectCode(store.stations.delete(first.id, 1), "CONFLICT");
      expect(await store.stations.get(first.id)).toEqual(updated);
      await store.stations.delete(first.id, 2);
      expect(await store.stations.get(first.id)).toBeUndefined();
      await expectCode(store.stations.delete(first.id), "NOT_FOUND");
      await expectCode(store.stations.update(updated), "NOT_FOUND");
    },
  },
  {
    name: "finds users by username and rejects a duplicate username with CONFLICT",
    async run({ store }) {
      const name = `dj-${newId()}`;
      const user = await store.users.create({
        username: name,
        passwordHash: "$scrypt$x",
        roles: [{ stationId: "*", role: "admin" }],
        disabled: false,
      });
      expect(user.version).toBe(1);
      expect(await store.users.findByUsername(name)).toEqual(user);
      expect(await store.users.findByUsername(`${name}-nobody`)).toBeUndefined();
      await expectCode(
        store.users.create({
          username: name,
          passwordHash: "$scrypt$y",
          roles: [],
          disabled: false,
        }),
        "CONFLICT",
      );
      const other = await store.users.create({
        username: `${name}-2`,
        passwordHash: "$scrypt$z",
        roles: [],
        disabled: false,
      });
      await expectCode(store.users.update({ ...other, username: name }), "CONFLICT");
      expect(await store.users.get(other.id)).toEqual(other);
      const renamed = await store.users.update({ ...other, username: `${name}-3` });
      expect(renamed.version).toBe(2);
      expect(await store.users.findByUsername(`${name}-3`)).toEqual(renamed);
      expect(await store.users.findByUsername(`${name}-2`)).toBeUndefined();
      const found = await store.users.findByUsername(name);
      found!.roles.push({ stationId: "x", role: "dj" });
      expect(await store.users.get(user.id)).toEqual(user);
    },
  },
  {
    name: "finds live tokens by hash and media by content hash, per station",
    async run({ store }) {
      const a = newId();
      const b = newId();
      const hash = newId();
      const token = await store.liveTokens.create({
        stationId: a,
        mountId: "m",
        userId: "u",
        tokenHash: hash,
        expiresAt: 5,
        priority: 2,
      });
      expect(await store.liveTokens.findByHash(hash)).toEqual(token);
      expect(await store.liveTokens.findByHash(newId())).toBeUndefined();
      const media = await store.media.create({
        stationId: a,
        title: "T",
        tags: [],
        fields: {},
        durationMs: 1,
        cueInMs: 0,
        cueOutMs: 1,
        storageKey: "k",
        contentHash: hash,
        analysisStatus: "pending",
        addedAt: 0,
      });
      expect(await store.media.findByHash(a, hash)).toEqual(media);
      expect(await store.media.findByHash(b, hash)).toBeUndefined();
      expect(await store.media.findByHash(a, newId())).toBeUndefined();
    },
  },
];

function scribble(value: unknown): void {
  if (Array.isArray(value)) {
    value.push("vandalised");
    for (const v of value) if (typeof v === "object" && v !== null) scribble(v);
  } else if (typeof value === "object" && value !== null) {
    const target = value as Record<string, unknown>;
    for (const key of Object.keys(target)) {
      const v = target[key];
      if (typeof v === "object" && v !== null) scribble(v);
      else target[key] = typeof v === "number" ? -1 : "vandalised";
    }
    target["vandalised"] = true;
  }
}
