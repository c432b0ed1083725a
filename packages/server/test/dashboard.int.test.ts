/// <reference lib="dom" />
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotBuiltServer, startServe, waitFor } from "./serve-helpers.js";
import type { ServeProcess } from "./serve-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));

describe("dashboard in real headless Chromium", () => {
  let snapshot: ReturnType<typeof snapshotBuiltServer>;
  let serve: ServeProcess;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    snapshot = snapshotBuiltServer();
    serve = await startServe(snapshot.cli);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) await serve.stop();
    snapshot?.remove();
  });

  it("logs in, shows now playing and levels, and puts an emergency on air and releases it", async () => {
    await waitFor(
      "the server to be on air",
      async () => (serve.output().includes("grimnir serve is on air") ? true : undefined),
      60_000,
    );
    const page = await browser!.newPage();
    await page.goto(`${serve.url}/dashboard/`);
    await page.fill("#password", serve.adminPassword);
    await page.click("#login-button");
    await page.waitForSelector("#app:not([hidden])", { timeout: 10_000 });
    await page.waitForFunction(
      () => document.getElementById("now-title")?.textContent !== "–",
      undefined,
      { timeout: 30_000 },
    );
    const before = await page.textContent("#now-title");
    await page.waitForFunction(
      () => document.getElementById("executor-state")?.textContent === "playing",
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForFunction(
      () => /dB/.test(document.getElementById("meter-l-db")?.textContent ?? ""),
      undefined,
      { timeout: 20_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-playing.png"), fullPage: true });

    await page.click("#emergency");
    await page.waitForFunction(
      () => document.getElementById("executor-state")?.textContent === "emergency",
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForFunction(
      () => document.getElementById("source")?.textContent === "emergency",
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.textContent("#now-title")).toMatch(/^Emergency/);
    expect(await page.textContent("#now-title")).not.toBe(before);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-emergency.png"), fullPage: true });

    await page.click("#release");
    await page.waitForFunction(
      () => document.getElementById("executor-state")?.textContent !== "emergency",
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForFunction(
      () => document.getElementById("source")?.textContent === "automation",
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-released.png"), fullPage: true });
    expect(await page.textContent("#control-error")).toBe("");
  }, 120_000);
});
