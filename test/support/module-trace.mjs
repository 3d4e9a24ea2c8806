// Loaded with `node --import`: records every module URL the process loads into MODULE_TRACE_FILE.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url, { data: { file: process.env.MODULE_TRACE_FILE } });
