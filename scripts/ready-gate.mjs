// Next.js prints "✓ Ready in …" as soon as it listens, before instrumentation.ts has run the start-up checks
// (lib/startup.ts). Imported before Next.js starts (the standalone server.js, `npm start`), this holds that line until
// the checks pass; a refused start exits first, so it never says Ready.
const log = console.log.bind(console);
const held = [];
let passed = false;
globalThis.__articleSummarizerStartupPassed = () => {
  passed = true;
  for (const args of held.splice(0)) log(...args);
};
console.log = (...args) => {
  if (!passed && args.some((arg) => typeof arg === "string" && arg.includes("Ready in"))) held.push(args);
  else log(...args);
};
