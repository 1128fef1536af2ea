#!/usr/bin/env node
// After `next build`: the standalone folder's server.js (what deployments run) becomes a two-line entry that installs
// the Ready gate (scripts/ready-gate.mjs) and then starts Next.js's own server, kept as next-server.js.
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const standalone = path.join(root, ".next", "standalone");
const server = path.join(standalone, "server.js");
const MARKER = "// article-summarizer standalone entry";
if (!existsSync(server)) process.exit(0); // no standalone output (a build that does not ask for it)
if (!readFileSync(server, "utf8").startsWith(MARKER)) renameSync(server, path.join(standalone, "next-server.js"));
copyFileSync(path.join(root, "scripts", "ready-gate.mjs"), path.join(standalone, "ready-gate.mjs"));
writeFileSync(
  server,
  `${MARKER} (scripts/standalone-entry.mjs): "Ready" only once the start-up checks pass.\nimport "./ready-gate.mjs";\nawait import("./next-server.js");\n`,
);
