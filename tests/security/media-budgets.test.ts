import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import type { SafeFetch } from "@/lib/net/types";
import { type ChunkingConfig, DEFAULT_CHUNKING } from "@/lib/pipeline/chunk-plan";
import { planTranscription, transcribeChunk } from "@/lib/pipeline/transcribe-chunks";
import type { TranscribeInput, Transcriber } from "@/lib/ports";
import { cbrMp3, HOSTILE_CASES, type HostileServer, startHostileServer } from "../helpers/hostile-media";
import { memoryTranscriptCache } from "../helpers/pipeline-fixtures";

/**
 * Issue 24's hostile media, served from loopback through the allowlist: every budget holds while reading. Each
 * case plans and cuts like the pipeline does and checks what was read from the server and what would be paid for.
 */

let server: HostileServer;
let fetch: SafeFetch;
beforeAll(async () => {
  server = await startHostileServer({
    ...Object.fromEntries(Object.entries(HOSTILE_CASES).map(([name, make]) => [name, make()])),
    "cbr-20m.mp3": cbrMp3(20 * 60, 64),
  });
  fetch = createSafeFetch({ allowlist: [server.hostPort] });
}, 60_000);
afterAll(() => server?.close());
beforeEach(() => server.sent.clear());

const MB = 1024 * 1024;

function recordingTranscriber() {
  const uploads: TranscribeInput[] = [];
  const transcriber: Transcriber = {
    model: "whisper-1",
    async transcribe(input) {
      uploads.push(input);
      return { source: "openai", text: "x", segments: [{ start: 0, end: 1, text: "x" }] };
    },
  };
  return { uploads, transcriber };
}

/** Plans the file and cuts every window like the pipeline; the error that stopped it, if any. */
async function runAll(name: string, config: ChunkingConfig = DEFAULT_CHUNKING) {
  const { uploads, transcriber } = recordingTranscriber();
  const deps = { fetch, transcriber, store: memoryTranscriptCache() };
  let failure: AppError | null = null;
  let duration: number | null = null;
  try {
    const planned = await planTranscription({ kind: "audio", url: `${server.origin}/${name}` }, null, deps, config);
    if (planned.kind === "plan") {
      duration = planned.plan.facts.duration;
      for (const window of planned.plan.windows) await transcribeChunk(planned.plan, window, deps, config);
    }
  } catch (error) {
    failure = error instanceof AppError ? error : new AppError("internal", String(error));
  }
  const root = (failure?.cause instanceof AppError ? failure.cause : failure) ?? null;
  return { uploads, failure, root, duration, sent: server.sent.get(name) ?? 0 };
}

describe("media budgets hold while reading", () => {
  it("refuses a sample table of huge one-tick samples sharing the same bytes at its first packet", async () => {
    const result = await runAll("shared-huge-samples.m4a");
    expect(result.uploads).toHaveLength(0);
    expect(result.root?.reason).toBe("media_unreadable");
    expect(result.sent).toBeLessThan(30 * MB);
  });

  it("never pays for more decoded audio than the window's length (500 k one-tick AAC packets)", async () => {
    const result = await runAll("one-tick-packets.m4a");
    // AAC frames decode to 1,024 samples each, whatever the sample table says about their duration.
    const paid = result.uploads.reduce((n, u) => n + u.audio.byteLength / 40, 0) * (1024 / 44100);
    expect(paid).toBeLessThanOrEqual(312 + 10);
    expect(result.root?.reason).toBe("media_unreadable");
  });

  it("refuses 1.5 M tiny one-tick samples without copying them", async () => {
    const result = await runAll("million-tiny-samples.m4a");
    expect(result.uploads).toHaveLength(0);
    expect(result.root?.reason).toBe("media_unreadable");
  });

  it("plans a 4 h MP3 without a Xing header from its first frames, not a scan", async () => {
    const { transcriber } = recordingTranscriber();
    const planned = await planTranscription(
      { kind: "audio", url: `${server.origin}/cbr-4h.mp3` },
      null,
      { fetch, transcriber, store: memoryTranscriptCache() },
      DEFAULT_CHUNKING,
    );
    expect(planned.kind).toBe("plan");
    if (planned.kind === "plan") expect(planned.plan.facts.duration).toBeCloseTo(4 * 3600, 0);
    expect(server.sent.get("cbr-4h.mp3")).toBeLessThan(2 * MB);
  });

  it("refuses an 8 h MP3 as too long after a few reads", async () => {
    const result = await runAll("cbr-8h.mp3");
    expect(result.failure?.reason).toBe("too_large");
    expect(result.sent).toBeLessThan(2 * MB);
  });

  it("refuses a file whose declared size cannot fit the duration limit before reading it", async () => {
    // 576 MB at most 1 MiB/s is over 300 s whatever its headers say.
    const result = await runAll("cbr-4h.mp3", { ...DEFAULT_CHUNKING, maxSeconds: 300 });
    expect(result.failure?.reason).toBe("too_large");
    expect(result.sent).toBeLessThanOrEqual(MB);
  });

  it("cuts a CBR MP3 window from its bytes: each window reads about its own length, uploads its decoded seconds", async () => {
    const config = { ...DEFAULT_CHUNKING, chunkSeconds: 300 };
    const result = await runAll("cbr-20m.mp3", config);
    expect(result.failure).toBeNull();
    expect(result.uploads).toHaveLength(4);
    // 20 min at 64 kbps is 9.6 MB: every window read once (plus a resync slab each), never the file per window.
    expect(result.sent).toBeLessThan(9.6 * MB + 4 * 1.5 * MB);
    const seconds = result.uploads.map((u) => (u.audio.byteLength / 192) * 0.024);
    for (const s of seconds) expect(s).toBeLessThanOrEqual(302 + 0.05);
    expect(seconds.reduce((a, b) => a + b, 0)).toBeGreaterThan(1200 - 1);
  });
});
