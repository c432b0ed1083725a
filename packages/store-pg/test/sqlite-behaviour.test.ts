import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { describeSqlBehaviour } from "./sql-behaviour.js";

const dir = mkdtempSync(join(tmpdir(), "grimnir-sqlite-behaviour-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSqlBehaviour("SqliteStore", () => ({
  emptyUrl: async () => `sqlite:${join(dir, `db-${++n}.db`)}`,
}));
