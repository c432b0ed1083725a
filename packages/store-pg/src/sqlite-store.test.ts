import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeStoreConformance } from "@grimnir/core/testing";
import { SqliteStore } from "./open.js";

const dir = mkdtempSync(join(tmpdir(), "grimnir-sqlite-conf-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreConformance("SqliteStore (file)", {
  create: () => SqliteStore.open(join(dir, `conformance-${++n}.db`)),
});

describeStoreConformance("SqliteStore (:memory:)", {
  create: () => SqliteStore.open(":memory:"),
});
