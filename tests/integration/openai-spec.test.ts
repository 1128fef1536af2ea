import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { AppError } from "@/lib/errors";
import type { SummarizeInput } from "@/lib/ports";
import { type FakeOpenAI, type RecordedRequest, startFakeOpenAI } from "../helpers/fake-openai";
import { wavFile } from "../helpers/spoken-episode";

/** A 16 kHz mono sine of `seconds`, as WAV: the fake reads its length from the header, as OpenAI does. */
function tone(seconds: number): Uint8Array {
  const rate = 16_000;
  const pcm = Buffer.alloc(Math.round(seconds * rate) * 2);
  for (let i = 0; i < pcm.length / 2; i++)
    pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return new Uint8Array(wavFile(pcm, rate));
}

/** The form fields of a recorded multipart transcription request. */
function fieldsOf(request: RecordedRequest | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of (request?.body ?? "").matchAll(
    /name="([^"]+)"(?:; filename="[^"]*")?\r\n(?:Content-Type: [^\r]*\r\n)?\r\n([^\r]*)/g,
  )) {
    const name = (m[1] ?? "").replace(/\[\]$/, "");
    if (name !== "file") out[name] = [...(out[name] ?? []), m[2] ?? ""];
  }
  return out;
}

const transcriptions = (llm: FakeOpenAI) => llm.requests.filter((r) => r.path.endsWith("/audio/transcriptions"));

let llm: FakeOpenAI;
beforeAll(async () => {
  llm = await startFakeOpenAI({ transcript: "The harbor wall was rebuilt after the storm of the century." });
});
afterAll(async () => {
  await llm.close();
});

const clip = tone(35);
const upload = { audio: clip, filename: "chunk-1-of-1.wav", mimeType: "audio/wav", durationSec: 35 };

describe("transcription requests follow each model's row of the capability table", () => {
  it.each([
    ["whisper-1", "verbose_json", true],
    ["gpt-4o-transcribe", "json", false],
    ["gpt-4o-mini-transcribe", "json", false],
    ["gpt-transcribe", "json", false],
    ["gpt-4o-transcribe-diarize", "diarized_json", true],
  ])("%s gets response_format %s and the spec's fields", async (model, format, timed) => {
    llm.requests.length = 0;
    const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), model);
    const transcript = await transcriber.transcribe({ ...upload, lang: "en-GB" });
    const fields = fieldsOf(transcriptions(llm)[0]);
    expect(fields.response_format).toEqual([format]);
    expect(fields.language).toEqual(["en"]);
    expect(transcript.text).toContain("harbor wall");
    expect(Boolean(transcript.segments?.length)).toBe(timed);
    expect(transcriber.capabilities?.timestamps).toBe(timed);
    if (model === "gpt-4o-transcribe-diarize") {
      expect(fields.chunking_strategy).toEqual(["auto"]);
      expect(fields.prompt).toBeUndefined();
      expect(transcript.segments?.[0]?.speaker).toBe("A");
    }
    // Billed from the response's usage: 35 s of duration, or tokens priced by the model's token prices.
    expect(transcript.billing?.seconds).toBe(35);
    expect(transcript.billing?.costUsd).toBeGreaterThan(0);
  });

  it("probes an unknown server verbose_json → json → text and remembers what it took", async () => {
    const local = await startFakeOpenAI({
      compatible: { formats: ["text"] },
      transcript: "Words from a local server.",
    });
    try {
      const transcriber = createOpenAITranscriber(
        createOpenAIClient({ apiKey: "sk", baseURL: local.url }),
        "Systran/faster-whisper-small",
      );
      expect((await transcriber.transcribe(upload)).text).toBe("Words from a local server.");
      expect(transcriptions(local).map((r) => fieldsOf(r).response_format?.[0])).toEqual([
        "verbose_json",
        "json",
        "text",
      ]);
      await transcriber.transcribe(upload);
      expect(
        transcriptions(local)
          .map((r) => fieldsOf(r).response_format?.[0])
          .slice(3),
      ).toEqual(["text"]);
    } finally {
      await local.close();
    }
  });

  it("sends ISO-639-1 or no language at all, never a truncated code", async () => {
    const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
    for (const lang of ["yue", "fil", "und", "zh-Hant-TW", null]) {
      llm.requests.length = 0;
      await transcriber.transcribe({ ...upload, lang });
      expect(fieldsOf(transcriptions(llm)[0]).language, String(lang)).toEqual(
        lang === "zh-Hant-TW" ? ["zh"] : undefined,
      );
    }
  });

  it("refuses media the endpoint cannot read before uploading it", async () => {
    llm.requests.length = 0;
    const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
    await expect(
      transcriber.transcribe({ ...upload, filename: "episode.wma", mimeType: "audio/x-ms-wma" }),
    ).rejects.toMatchObject({ reason: "media_unreadable", message: expect.stringContaining(".wma") });
    expect(transcriptions(llm)).toHaveLength(0);
  });
});

describe("provider errors", () => {
  const transcriber = () =>
    createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), "whisper-1");
  const failure = async () => {
    try {
      await transcriber().transcribe(upload);
    } catch (error) {
      return error as AppError;
    }
    throw new Error("expected a failure");
  };

  it("a 429 without Retry-After backs off like a 5xx; retry-after-ms is honoured", async () => {
    llm.failNext(429);
    expect(await failure()).toMatchObject({ reason: "rate_limited", retriable: true, retryAfterMs: undefined });
    llm.failNext(429, 1, undefined, { headers: { "retry-after-ms": "1500" } });
    expect(await failure()).toMatchObject({ reason: "rate_limited", retryAfterMs: 1500 });
  });

  it("insufficient_quota is permanent and says what OpenAI said", async () => {
    const message = "You exceeded your current quota, please check your plan and billing details.";
    llm.failNext(429, 1, undefined, { code: "insufficient_quota", type: "insufficient_quota", message });
    const error = await failure();
    expect(error.retriable).toBe(false);
    expect(error.message).toContain(message);
  });

  it("a 413 is too_large; a 400 reads once, naming the setting", async () => {
    llm.failNext(413);
    expect(await failure()).toMatchObject({ reason: "too_large", retriable: false });
    llm.failNext(400, 1, undefined, { message: "Invalid file format." });
    const error = await failure();
    expect(error.retriable).toBe(false);
    expect(error.message).not.toMatch(/400: 400/);
    expect(error.message).toMatch(/TRANSCRIBE_MODEL/);
  });
});

describe("chat answers the spec allows", () => {
  const input: SummarizeInput = {
    title: "The harbor",
    text: "The harbor wall was rebuilt after the storm of the century. Fishing boats returned within a week. ".repeat(
      5,
    ),
    lang: "en",
    url: "https://example.com/harbor",
  };
  const summarizer = () =>
    createOpenAISummarizer(createOpenAIClient({ apiKey: "sk", baseURL: llm.url }), {
      model: "gpt-4o-mini",
      baseURL: llm.url,
    });
  const chats = () => llm.requests.filter((r) => r.path.endsWith("/chat/completions"));

  it("a refusal is permanent summarization_refused with the model's words, asked once", async () => {
    llm.requests.length = 0;
    llm.setChat({ refusal: "I can't help with summarizing this content." });
    try {
      await expect(summarizeInProcess(summarizer(), input)).rejects.toMatchObject({
        reason: "summarization_refused",
        retriable: false,
        message: expect.stringContaining("I can't help with summarizing this content."),
      });
      expect(chats()).toHaveLength(1);
    } finally {
      llm.setChat({});
    }
  });

  it("an answer cut at the output limit is not repaired: the parts are tried once, and a cut part fails saying so", async () => {
    llm.requests.length = 0;
    llm.setChat({ outputTokens: 5 });
    try {
      await expect(summarizeInProcess(summarizer(), input)).rejects.toMatchObject({
        reason: "summarization_failed",
        retriable: false,
        message: expect.stringMatching(/^Part 1 of \d+: the model's notes were cut off at its output limit/),
      });
      expect(chats()).toHaveLength(2);
    } finally {
      llm.setChat({});
    }
  });

  it("an answer without usage has an unknown cost, never $0", async () => {
    llm.setChat({ noUsage: true });
    try {
      const result = await summarizeInProcess(summarizer(), input);
      expect(result.provenance.costUsd).toBeNull();
    } finally {
      llm.setChat({});
    }
    const priced = await summarizeInProcess(summarizer(), input);
    expect(priced.provenance.costUsd).toBeGreaterThan(0);
  });
});
