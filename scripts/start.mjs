#!/usr/bin/env node
// `npm start`: `next start` with the Ready gate (scripts/ready-gate.mjs) installed first.
import "./ready-gate.mjs";

process.argv = [process.argv[0], "next", "start", ...process.argv.slice(2)];
await import("next/dist/bin/next");
