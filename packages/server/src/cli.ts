#!/usr/bin/env node
import { createCli } from "./index.js";

await createCli().parseAsync(process.argv);
