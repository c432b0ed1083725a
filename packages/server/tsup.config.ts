import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: process.env["GRIMNIR_BUILD_DTS"] !== "0",
  clean: true,
  sourcemap: true,
  target: "node20",
});
