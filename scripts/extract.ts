import { createReader } from "@/lib/extract/reader-pool";
import { assertFetchableUrl, createSafeFetch } from "@/lib/net/safe-fetch";
import { detectStage } from "@/lib/pipeline/detect-media";
import { extractStage } from "@/lib/pipeline/extract";
import { fetchStage } from "@/lib/pipeline/fetch";
import { getConfig } from "@/lib/services";
import { checkStartup, cliLogger, fail, parseArgs } from "./cli";

const USAGE = "usage: npm run extract -- <url> [--json]";

/** fetch + detect + extract only: what the pipeline would read from a URL, without an LLM or a database. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), USAGE);
  checkStartup("extract");
  const config = getConfig();
  const logger = cliLogger();
  try {
    const url = await assertFetchableUrl(args.url, { allowlist: config.fetchAllowlist });
    const deps = {
      fetch: createSafeFetch({ allowlist: config.fetchAllowlist }),
      reader: createReader({ logger }),
      logger,
    };
    const fetched = await fetchStage(url, deps);
    const detected = await detectStage(fetched, deps);
    const extracted = await extractStage(fetched, detected, deps);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ status: "completed", ...extracted })}\n`);
    } else {
      const lines = [
        `# ${extracted.title}`,
        [extracted.siteName, extracted.byline, extracted.publishedTime, extracted.lang].filter(Boolean).join(" · "),
        "",
        ...extracted.media.map((m) => `media: ${m.kind} ${m.url}${m.type ? ` (${m.type})` : ""}`),
        extracted.media.length ? "" : null,
        extracted.text,
      ].filter((l) => l !== null);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    process.exit(0);
  } catch (error) {
    fail(error, args.json);
  }
}

void main();
