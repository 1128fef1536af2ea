/**
 * npm run bench:media-budgets — each hostile media file of issue 24 (tests/helpers/hostile-media.ts) planned and cut
 * window by window against an in-process fake speech-to-text, in a child process of its own. Prints one JSON object:
 * per file, bytes the server sent, peak RSS of the child, its longest event-loop block, the uploads (count, bytes)
 * and the seconds of audio they hold (decoded frames, what a provider bills), and how it ended.
 * `--case=<name>` runs one file; `--timeout=<s>` bounds each child (default 240).
 */
import { spawn } from "node:child_process";
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from "mediabunny";
import { toAppError } from "@/lib/errors";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { planTranscription, transcribeChunk } from "@/lib/pipeline/transcribe-chunks";
import type { Transcriber } from "@/lib/ports";
import { HOSTILE_CASES, startHostileServer } from "../tests/helpers/hostile-media";
import { memoryTranscriptCache } from "../tests/helpers/pipeline-fixtures";

type CaseName = keyof typeof HOSTILE_CASES;
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];

/** Seconds of audio an upload holds by its frames (AAC 1024 samples, MP3 from its headers), whatever its timestamps say. */
async function decodedSeconds(audio: Uint8Array): Promise<number> {
  const input = new Input({ source: new BufferSource(audio), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryAudioTrack();
    if (!track) return 0;
    const perFrame =
      track.codec === "aac" ? 1024 : track.codec === "mp3" ? (track.sampleRate >= 32000 ? 1152 : 576) : 0;
    if (!perFrame) return await track.computeDuration();
    let frames = 0;
    for await (const _ of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) frames++;
    return (frames * perFrame) / track.sampleRate;
  } finally {
    input.dispose();
  }
}

async function child(name: string, url: string, hostPort: string) {
  let peakRss = process.memoryUsage().rss;
  let longestBlockMs = 0;
  let last = performance.now();
  let ticks = 0;
  let paused = false;
  const uploads: { bytes: number; seconds: number }[] = [];
  const report = (extra: object) =>
    process.stdout.write(
      `${JSON.stringify({ case: name, peakRssMb: Math.round(peakRss / 2 ** 20), longestBlockMs: Math.round(longestBlockMs), uploads: uploads.length, uploadBytes: uploads.reduce((n, u) => n + u.bytes, 0), paidSeconds: Math.round(uploads.reduce((n, u) => n + u.seconds, 0)), ...extra })}\n`,
    );
  const ticker = setInterval(() => {
    const now = performance.now();
    if (!paused) longestBlockMs = Math.max(longestBlockMs, now - last - 5);
    last = now;
    if (++ticks % 20 === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      report({ outcome: "running" });
    }
  }, 5);
  const transcriber: Transcriber = {
    model: "whisper-1",
    async transcribe(input) {
      // The fake's own counting is not the app's work: the event-loop clock restarts after it.
      paused = true;
      const seconds = await decodedSeconds(input.audio);
      paused = false;
      last = performance.now();
      uploads.push({ bytes: input.audio.byteLength, seconds });
      return { source: "openai", text: "x", segments: [{ start: 0, end: 1, text: "x" }] };
    },
  };
  const deps = { fetch: createSafeFetch({ allowlist: [hostPort] }), transcriber, store: memoryTranscriptCache() };
  const started = performance.now();
  let outcome = "completed";
  try {
    const planned = await planTranscription({ kind: "audio", url }, null, deps, DEFAULT_CHUNKING);
    if (planned.kind === "plan") {
      for (const window of planned.plan.windows) await transcribeChunk(planned.plan, window, deps, DEFAULT_CHUNKING);
    }
  } catch (error) {
    const e = toAppError(error);
    outcome = `${e.reason}: ${e.message}`.slice(0, 200);
  }
  clearInterval(ticker);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  report({ outcome, seconds: Math.round(performance.now() - started) / 1000 });
  process.exit(0);
}

async function parent() {
  const only = arg("case");
  const timeoutMs = Number(arg("timeout") ?? 240) * 1000;
  const names = (Object.keys(HOSTILE_CASES) as CaseName[]).filter((n) => !only || n === only);
  const server = await startHostileServer(Object.fromEntries(names.map((n) => [n, HOSTILE_CASES[n]()])));
  const results = [];
  for (const name of names) {
    server.sent.clear();
    const lastLine = await new Promise<string>((resolve) => {
      const proc = spawn(
        process.execPath,
        [...process.execArgv, process.argv[1] ?? "", "--child", name, `${server.origin}/${name}`, server.hostPort],
        { stdio: ["ignore", "pipe", "inherit"], detached: true },
      );
      let last = "";
      let buffer = "";
      proc.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        if (lines.length) last = lines.at(-1) ?? last;
      });
      const timer = setTimeout(() => {
        if (proc.pid) process.kill(-proc.pid, "SIGKILL");
        last = last.replace('"outcome":"running"', `"outcome":"killed after ${timeoutMs / 1000} s"`);
      }, timeoutMs);
      proc.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (last.includes('"outcome":"running"')) last = last.replace('"running"', `"crashed (${code ?? signal})"`);
        resolve(last || JSON.stringify({ case: name, outcome: `no output (${code ?? signal})` }));
      });
    });
    results.push({ ...JSON.parse(lastLine), bytesRead: server.sent.get(name) ?? 0 });
  }
  await server.close();
  console.log(JSON.stringify({ bench: "media-budgets", node: process.version, results }, null, 2));
}

if (process.argv.includes("--child")) {
  const at = process.argv.indexOf("--child");
  await child(process.argv[at + 1] ?? "", process.argv[at + 2] ?? "", process.argv[at + 3] ?? "");
} else {
  await parent();
}
