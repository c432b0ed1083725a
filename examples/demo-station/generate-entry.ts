// Bundle entry of generate.mjs: the scheduler plus core's YAML loader.
export { generateDemoLibrary, planInputFromConfig } from "../../packages/scheduler/src/index.js";
export { parseStationConfig } from "../../packages/core/src/index.js";
