#!/usr/bin/env node
// CI check on the real build: every server function's size as Vercel packages it (the route's .nft.json trace plus
// the Next.js server runtime's), heaviest first. Fails above the budget (Vercel refuses functions over 250 MB).
// Usage: node scripts/check-traces.mjs [--max-mb=200] [--json]
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const maxMb = Number(args.find((a) => a.startsWith("--max-mb="))?.split("=")[1] ?? 200);
const asJson = args.includes("--json");
const NEXT_DIR = path.resolve(".next");
const SERVER_DIR = path.join(NEXT_DIR, "server");
const RUNTIME_TRACE = path.join(NEXT_DIR, "next-minimal-server.js.nft.json");

function traceFiles(nftFile) {
  const dir = path.dirname(nftFile);
  const { files } = JSON.parse(readFileSync(nftFile, "utf8"));
  return files.map((f) => path.resolve(dir, f));
}

function* nftFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* nftFiles(full);
    else if (entry.name.endsWith(".js.nft.json")) yield full;
  }
}

let runtime;
try {
  runtime = traceFiles(RUNTIME_TRACE);
} catch (error) {
  process.stderr.write(`No build traces in ${NEXT_DIR} (run npm run build first): ${error.message}\n`);
  process.exit(1);
}

const sizeOf = new Map();
function fileSize(file) {
  let real;
  try {
    real = realpathSync(file);
  } catch {
    return [file, 0];
  }
  if (!sizeOf.has(real)) {
    const stat = statSync(real);
    sizeOf.set(real, stat.isFile() ? stat.size : 0);
  }
  return [real, sizeOf.get(real)];
}

const functions = [];
for (const nft of nftFiles(path.join(SERVER_DIR, "app"))) {
  const entry = nft.slice(0, -".nft.json".length);
  const route = `/${path.relative(path.join(SERVER_DIR, "app"), entry).replace(/(^|\/)(page|route)\.js$/, "")}`;
  const seen = new Map();
  const biggest = new Map();
  for (const file of [entry, ...traceFiles(nft), ...runtime]) {
    const [real, size] = fileSize(file);
    if (seen.has(real)) continue;
    seen.set(real, size);
    const rel = path.relative(process.cwd(), real);
    const parts = rel.split(path.sep);
    const group = parts[0] === "node_modules" ? parts.slice(0, parts[1]?.startsWith("@") ? 3 : 2).join("/") : parts[0];
    biggest.set(group, (biggest.get(group) ?? 0) + size);
  }
  const bytes = [...seen.values()].reduce((a, b) => a + b, 0);
  const top = [...biggest.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  functions.push({ route, bytes, files: seen.size, top });
}
functions.sort((a, b) => b.bytes - a.bytes);
const mb = (bytes) => Number((bytes / 1024 / 1024).toFixed(1));
const over = functions.filter((f) => mb(f.bytes) > maxMb);

if (asJson) {
  process.stdout.write(
    `${JSON.stringify({ maxMb, functions: functions.map((f) => ({ route: f.route, mb: mb(f.bytes), files: f.files })) })}\n`,
  );
} else {
  for (const f of functions) {
    const top = f.top.map(([name, bytes]) => `${name} ${mb(bytes)}`).join(", ");
    process.stdout.write(
      `${String(mb(f.bytes)).padStart(7)} MB  ${String(f.files).padStart(5)} files  ${f.route}  (${top})\n`,
    );
  }
  const heaviest = functions[0];
  if (heaviest)
    process.stdout.write(`heaviest function: ${heaviest.route} ${mb(heaviest.bytes)} MB (budget ${maxMb} MB)\n`);
}
if (functions.length === 0) {
  process.stderr.write("No server functions found in the build traces\n");
  process.exit(1);
}
if (over.length > 0) {
  for (const f of over) process.stderr.write(`over budget: ${f.route} ${mb(f.bytes)} MB > ${maxMb} MB\n`);
  process.exit(1);
}
