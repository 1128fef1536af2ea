import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProcessArticle } from "@/inngest/functions/process-article";
import { createExtractiveSummarizer } from "@/lib/ai/extractive-summarizer";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { Detected, Transcript } from "@/lib/domain";
import { AppError } from "@/lib/errors";
import { createSafeFetch } from "@/lib/net/safe-fetch";
import { DEFAULT_CHUNKING, TIMELESS_WINDOW_SECONDS } from "@/lib/pipeline/chunk-plan";
import { transcribeStage } from "@/lib/pipeline/transcribe";
import { planTranscription } from "@/lib/pipeline/transcribe-chunks";
import type { PipelineDeps } from "@/lib/pipeline/types";
import type { Transcriber } from "@/lib/ports";
import { createProgressKv } from "@/lib/progress";
import { createStore } from "@/lib/store";
import type { Store } from "@/lib/store/store";
import type { RecordedRequest } from "../helpers/fake-openai";
import { oneRunId } from "../helpers/inngest-test-run";
import { extractedFixture, memoryTranscriptCache, quietLogger, testReader } from "../helpers/pipeline-fixtures";
import { hasEspeak, spokenEpisodeSuite } from "../helpers/spoken-episode-server";

/**
 * An OpenAI-compatible speech-to-text server not in the model table that answers `json` only (no segments): it
 * refuses verbose_json in its own words (vLLM's error shape), so the probe learns that it gives no timestamps, and
 * from then on windows follow the timestamp-less rule (≤ 120 s, each one segment at its cut start).
 */
const spoken = spokenEpisodeSuite(40, { compatible: { formats: ["json", "text"] } });
const MODEL = "Systran/faster-whisper-small";

const formatsSent = (requests: RecordedRequest[]) =>
  requests
    .filter((r) => r.path.endsWith("/audio/transcriptions"))
    .map((r) => /name="response_format"\r\n\r\n([^\r]*)/.exec(r.body)?.[1]);
const newTranscriber = () =>
  createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: spoken.llm.url }), MODEL);
const media = () => ({ kind: "audio" as const, url: `${spoken.site.origin}/episode.wav`, type: "audio/wav" });

function expectTimeline(transcript: Transcript | null | undefined) {
  const segments = transcript?.segments ?? [];
  expect(segments.length).toBeGreaterThanOrEqual(Math.ceil(spoken.episode.seconds / TIMELESS_WINDOW_SECONDS));
  for (const s of segments) expect(s.end - s.start).toBeLessThanOrEqual(TIMELESS_WINDOW_SECONDS);
  expect(segments[0]?.start).toBe(0);
  // Every sentence exactly once, in order, though the overlaps were heard twice.
  for (const sentence of spoken.episode.sentences)
    expect(transcript?.text.split(sentence.text), sentence.text).toHaveLength(2);
}

describe.skipIf(!hasEspeak)("a compatible server without timestamps keeps a timeline", () => {
  it("the first window probes it; the windows after follow the timestamp-less rule; then the plan knows", async () => {
    expect(spoken.episode.seconds).toBeGreaterThan(150);
    const transcriber = newTranscriber();
    const detected: Detected = { media: [], primary: media() };
    spoken.llm.requests.length = 0;
    const deps = { fetch: createSafeFetch({ allowlist: [spoken.site.hostPort] }), transcriber };
    const transcript = await transcribeStage(
      detected,
      extractedFixture(),
      { ...deps, store: memoryTranscriptCache() },
      () => undefined,
    );
    expectTimeline(transcript);
    // One refused verbose_json (the probe, in the first window), json from then on.
    const sent = formatsSent(spoken.llm.requests);
    expect(sent[0]).toBe("verbose_json");
    expect(sent.slice(1).every((f) => f === "json")).toBe(true);
    expect(sent.length - 1).toBe(transcript?.segments?.length);

    // What the probe learned is remembered for this server: the next plan is made by the rule from the start.
    const planned = await planTranscription(media(), null, { ...deps, store: memoryTranscriptCache() });
    expect(planned.kind).toBe("plan");
    if (planned.kind !== "plan") return;
    expect(planned.plan.pending).toBeUndefined();
    expect(planned.plan.format).toBe("json");
    expect(planned.plan.windows.length).toBe(transcript?.segments?.length);
  }, 120_000);

  describe("as durable steps", () => {
    let store: Store;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), "as-compatible-"));
      store = await createStore({ kind: "pglite", dir: path.join(dir, "db") });
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** The real transcriber, with a window that fails (a transient 503) while `failing` names it. */
    function flaky(inner: Transcriber, failing: { chunk?: number }): Transcriber {
      return {
        model: inner.model,
        get capabilities() {
          return inner.capabilities;
        },
        transcribe: async (input) => {
          if (input.filename.startsWith(`chunk-${failing.chunk}-of-`))
            throw new AppError("transcription_failed", "upstream 503", { retriable: true });
          return inner.transcribe(input);
        },
      };
    }

    it("the windows planned after the probe are a step's output: a replay in a new process cuts and asks the same", async () => {
      const url = media().url;
      const jobId = `job_compatible_${Date.now()}`;
      await store.createJob({ id: jobId, url, canonicalUrl: url, force: true });
      const deps = (transcriber: Transcriber): PipelineDeps => ({
        fetch: createSafeFetch({ allowlist: [spoken.site.hostPort] }),
        store,
        kv: createProgressKv({ kind: "memory" }),
        summarizer: createExtractiveSummarizer(),
        transcriber,
        now: Date.now,
        reader: testReader,
        logger: quietLogger,
        chunking: DEFAULT_CHUNKING,
      });
      const engine = (d: PipelineDeps) =>
        new InngestTestEngine({
          function: createProcessArticle(async () => d),
          events: [{ name: "article/submitted", data: { jobId, url, force: true, runKey: jobId } }],
          ...oneRunId(),
        });
      spoken.llm.requests.length = 0;
      const first = await engine(deps(flaky(newTranscriber(), { chunk: 2 }))).execute();
      expect(first.error).toBeDefined();
      const runSpy = first.ctx.step.run;
      const memoized = await Promise.all(
        ["fetch", "detect", "extract", "transcribe", "transcribe:chunk:0", "transcribe:plan"].map(async (id) => {
          const i = runSpy.mock.calls.findIndex((call) => call[0] === id);
          expect(i, id).toBeGreaterThanOrEqual(0);
          return { id, output: await runSpy.mock.results[i]?.value };
        }),
      );
      const plan = memoized.find((s) => s.id === "transcribe:plan")?.output as {
        windows: { start: number; end: number; readStart: number }[];
      };
      for (const w of plan.windows) expect(w.end - w.readStart).toBeLessThanOrEqual(TIMELESS_WINDOW_SECONDS);

      // A new process: its transcriber never probed this server; the memoized plan says how to ask.
      spoken.llm.requests.length = 0;
      const second = await engine(deps(newTranscriber())).execute({
        steps: memoized.map((s) => ({ id: s.id, handler: () => s.output })),
      });
      expect(second.error).toBeUndefined();
      const sent = formatsSent(spoken.llm.requests);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((f) => f === "json")).toBe(true);
      const article = await store.getArticle((second.result as { articleId: string }).articleId);
      expectTimeline(article?.transcript);
      expect(article?.transcript?.segments).toHaveLength(plan.windows.length);
    }, 120_000);
  });
});
