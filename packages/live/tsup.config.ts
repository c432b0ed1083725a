import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: process.env["GRIMNIR_BUILD_DTS"] !== "0",
  clean: true,
  sourcemap: true,
  target: "node20",
});
