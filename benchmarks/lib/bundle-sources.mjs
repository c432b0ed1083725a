// Bundles workspace sources (TypeScript, "source" export condition) into one
// temporary directory so a benchmark runs today's code without `pnpm build`.
// The engine's proto is copied to <work>/proto, where a bundled engine looks for it.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

/** Repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * @param {string} prefix temp directory prefix, e.g. "grimnir-live-bench-"
 * @param {Record<string, string>} entries bundle name → source path relative to the repo root
 * @param {{ splitting?: boolean }} [options]
 * @returns {Promise<{ work: string, bin: string, load: (name: string) => Promise<any> }>}
 */
export async function bundleSources(prefix, entries, options = {}) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const bin = join(work, "bin");
  const protoRel = join("proto", "grimnir", "mediaengine", "v1", "mediaengine.proto");
  mkdirSync(dirname(join(work, protoRel)), { recursive: true });
  copyFileSync(join(root, "packages/engine", protoRel), join(work, protoRel));
  const packages = new Set(
    Object.values(entries)
      .map((path) => /^packages\/([^/]+)\//.exec(path)?.[1])
      .filter((name) => name !== undefined),
  );
  packages.add("core");
  await build({
    entry: Object.fromEntries(
      Object.entries(entries).map(([name, path]) => [name, join(root, path)]),
    ),
    outDir: bin,
    format: ["esm"],
    platform: "node",
    target: "node20",
    bundle: true,
    splitting: options.splitting ?? false,
    noExternal: [/.*/],
    dts: false,
    config: false,
    silent: true,
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    esbuildOptions(esbuild) {
      esbuild.conditions = ["source"];
      esbuild.nodePaths = [...packages]
        .map((name) => join(root, "packages", name, "node_modules"))
        .concat(join(root, "node_modules"));
    },
  });
  return { work, bin, load: (name) => import(pathToFileURL(join(bin, `${name}.js`)).href) };
}
