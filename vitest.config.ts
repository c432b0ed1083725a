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

export default defineConfig({
  resolve: {
    // Workspace packages expose their TypeScript sources under the "source" condition,
    // so tests run against src/ without a build step.
    conditions: ["source"],
  },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.split("/")[1],
        root: dir,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
