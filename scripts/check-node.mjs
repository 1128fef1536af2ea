#!/usr/bin/env node
// Runs before `npm run dev` and the CLIs, in plain JavaScript so any Node can run it: on an older Node the app's
// dependencies fail later with errors that do not mention the version (undici: "reading 'bind'").
const REQUIRED = 24;
const major = Number(process.versions.node.split(".")[0]);
if (major < REQUIRED) {
  process.stderr.write(
    `article-summarizer needs Node.js ${REQUIRED} (this is ${process.versions.node}): nvm install ${REQUIRED} && nvm use, or https://nodejs.org\n`,
  );
  process.exit(1);
}
