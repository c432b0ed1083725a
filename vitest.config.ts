import { readdirSync, existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

/** Every folder under packages/ and examples/ with a package.json is a test project. */
const projectDirs = ["packages", "examples"].flatMap((parent) =>
  existsSync(parent)
    ? readdirSync(parent)
        .map((name) => `${parent}/${name}`)
        .filter((dir) => existsSync(`${dir}/package.json`))
    : [],
);

/**
 * GRIMNIR_TESTS=unit runs the fast tests beside the code (src/**), in parallel;
 * GRIMNIR_TESTS=int runs the integration tests (test/**), one file at a time,
 * because they play real audio in real time and time it; unset runs both.
 */
const suite = process.env.GRIMNIR_TESTS ?? "all";
const include =
  suite === "unit"
    ? ["src/**/*.test.ts"]
    : suite === "int"
      ? ["test/**/*.test.ts"]
      : ["src/**/*.test.ts", "test/**/*.test.ts"];

export default defineConfig({
  resolve: {
    // Workspace packages expose their TypeScript sources under the "source" condition,
    // so tests run against src/ without a build step.
    conditions: ["source"],
  },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    fileParallelism: suite !== "int",
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split("/")[1],
        root: dir,
        include,
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
