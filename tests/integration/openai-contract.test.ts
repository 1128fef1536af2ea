import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import { createOpenAITranscriber } from "@/lib/ai/openai-transcriber";
import type { SummarizeInput } from "@/lib/ports";
import {
  audioSeconds,
  type FakeOpenAI,
  parseUpload,
  type RecordedRequest,
  referenceSeconds,
  startFakeOpenAI,
} from "../helpers/fake-openai";
import { validate } from "../helpers/json-schema";
import {
  chatRefusal,
  TRANSCRIPTION_FIELDS,
  TRANSCRIPTION_FILE_EXTENSIONS,
  TRANSCRIPTION_MODELS,
  transcriptionRefusal,
} from "../helpers/openai-rules";
import { wavFile } from "../helpers/spoken-episode";

/**
 * Every request the app makes to an OpenAI-compatible server — chat on every path (structured output, JSON mode,
 * plain text, a repair, parts and their combine call; gpt-4o and gpt-5 families) and transcription for every model
 * family (with a language, known speakers, the format probe) — is recorded and checked against the copied rules
 * table (tests/helpers/openai-rules.ts) and, where the spec is on this machine (../shared/specs), against its
 * request schemas; the table itself is checked against the spec there.
 */
const SPEC_FILE = path.resolve(__dirname, "../../../shared/specs/openai-openapi.json.gz");
const spec: Record<string, unknown> | null = existsSync(SPEC_FILE)
  ? (JSON.parse(gunzipSync(readFileSync(SPEC_FILE)).toString("utf8")) as Record<string, unknown>)
  : null;
const schemas = (spec?.components as { schemas?: Record<string, Record<string, unknown>> } | undefined)?.schemas ?? {};

function tone(seconds: number): Uint8Array {
  const rate = 16_000;
  const pcm = Buffer.alloc(Math.round(seconds * rate) * 2);
  for (let i = 0; i < pcm.length / 2; i++)
    pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 330 * i) / rate)), i * 2);
  return new Uint8Array(wavFile(pcm, rate));
}

const recorded: RecordedRequest[] = [];
let openai: FakeOpenAI;
let local: FakeOpenAI;
beforeAll(async () => {
  openai = await startFakeOpenAI({ transcript: "The harbor wall was rebuilt after the storm of the century." });
  local = await startFakeOpenAI({ compatible: { formats: ["json", "text"] } });
});
afterAll(async () => {
  await openai.close();
  await local.close();
});

const ARTICLE: SummarizeInput = {
  title: "The harbor",
  text: "The harbor wall was rebuilt after the storm of the century. Fishing boats returned within a week. ".repeat(6),
  lang: "en",
  url: "https://example.com/harbor",
};

describe("every request the app makes follows OpenAI's spec", () => {
  it("chat: every path and model family", async () => {
    const client = createOpenAIClient({ apiKey: "sk", baseURL: openai.url });
    const run = async (model: string, behaviour: Parameters<FakeOpenAI["setChat"]>[0], input = ARTICLE) => {
      openai.setChat(behaviour);
      const summarizer = createOpenAISummarizer(client, {
        model,
        baseURL: openai.url,
        // A small context forces parts and a combine call for the long input below.
        models: { [model]: { contextTokens: 1_500 } },
      });
      return summarizeInProcess(summarizer, input);
    };
    for (const model of ["gpt-4o-mini", "gpt-5-mini"]) {
      await run(model, {});
      await run(model, { refuse: { json_schema: "openai" } });
      await run(model, { refuse: { json_schema: "openai", json_object: "openai" } });
      await run(model, { malformedNext: 1 });
      const long = { ...ARTICLE, text: `${ARTICLE.text.repeat(30)} QUOTE: The harbor wall was rebuilt.` };
      expect((await run(model, {}, long)).provenance.path).toBe("map-reduce");
    }
    openai.setChat({});
    recorded.push(...openai.requests.filter((r) => r.path.endsWith("/chat/completions")));
    expect(recorded.length).toBeGreaterThanOrEqual(20);
  });

  it("transcription: every model family, a language, known speakers, and the probe of an unknown server", async () => {
    const clip = tone(35);
    const reference = new Uint8Array(tone(4));
    openai.requests.length = 0;
    for (const model of Object.keys(TRANSCRIPTION_MODELS)) {
      const transcriber = createOpenAITranscriber(createOpenAIClient({ apiKey: "sk", baseURL: openai.url }), model);
      await transcriber.transcribe({
        audio: clip,
        filename: "chunk-2-of-3.wav",
        mimeType: "audio/wav",
        lang: "pt-BR",
        durationSec: 35,
        knownSpeakers: [
          { name: "Speaker 1", audio: reference, mimeType: "audio/wav" },
          { name: "Speaker 2", audio: reference, mimeType: "audio/wav" },
        ],
      });
    }
    const unknown = createOpenAITranscriber(
      createOpenAIClient({ apiKey: "sk", baseURL: local.url }),
      "whisper-large-v3",
    );
    await unknown.transcribe({ audio: clip, filename: "episode", mimeType: "audio/mpeg", durationSec: 35 });
    const uploads = openai.requests.filter((r) => r.path.endsWith("/audio/transcriptions"));
    expect(uploads).toHaveLength(Object.keys(TRANSCRIPTION_MODELS).length);
    recorded.push(...uploads);
    // The probe's first request (verbose_json) is the one a compatible server may refuse; it is a valid request.
    recorded.push(...local.requests.filter((r) => r.path.endsWith("/audio/transcriptions")));
  });

  it("the recorded requests break neither the copied rules nor the spec's request schemas", async () => {
    expect(recorded.length).toBeGreaterThan(25);
    for (const request of recorded) {
      if (request.path.endsWith("/chat/completions")) {
        const body = JSON.parse(request.body) as Record<string, unknown>;
        expect(chatRefusal(body), request.body.slice(0, 200)).toBeNull();
        if (spec) expect(validate(spec, schemas.CreateChatCompletionRequest ?? {}, body)).toEqual([]);
        continue;
      }
      const upload = parseUpload(request.raw, request.headers["content-type"] ?? "");
      const model = upload.model;
      if (model in TRANSCRIPTION_MODELS) {
        const refused = transcriptionRefusal({
          fields: upload.fields,
          filename: upload.filename,
          audio: upload.audio,
          duration: await audioSeconds(upload.audio),
          referenceSeconds: await referenceSeconds(upload.fields),
        });
        expect(refused?.body.error.message ?? null, model).toBeNull();
      }
      if (spec) {
        const arrays = new Set([
          "known_speaker_names",
          "known_speaker_references",
          "timestamp_granularities",
          "include",
        ]);
        const body: Record<string, unknown> = { file: "(binary)" };
        for (const [name, values] of upload.fields)
          if (name !== "file") body[name] = arrays.has(name) ? values : values[0];
        expect(validate(spec, schemas.CreateTranscriptionRequest ?? {}, body), model).toEqual([]);
      }
    }
  });

  it.skipIf(!spec)("the copied rules table agrees with the spec", () => {
    const request = schemas.CreateTranscriptionRequest as { properties: Record<string, { description?: string }> };
    expect(Object.keys(request.properties).sort()).toEqual([...TRANSCRIPTION_FIELDS].sort());
    const text = JSON.stringify(schemas.CreateTranscriptionRequest);
    for (const model of Object.keys(TRANSCRIPTION_MODELS)) expect(text).toContain(`"${model}"`);
    for (const ext of TRANSCRIPTION_FILE_EXTENSIONS) expect(request.properties.file?.description).toContain(ext);
    const formats = schemas.AudioResponseFormat as { description: string; enum: string[] };
    for (const rules of Object.values(TRANSCRIPTION_MODELS))
      for (const f of rules.formats) expect(formats.enum).toContain(f);
    expect(formats.description).toContain(
      "For `gpt-4o-transcribe` and `gpt-4o-mini-transcribe`, the only supported format is `json`",
    );
    expect(formats.description).toContain(
      "For `gpt-4o-transcribe-diarize`, the supported formats are `json`, `text`, and `diarized_json`",
    );
    expect(request.properties.prompt?.description).toContain("not supported when using `gpt-4o-transcribe-diarize`");
    expect(JSON.stringify(request.properties.chunking_strategy)).toContain(
      "Required when using `gpt-4o-transcribe-diarize` for inputs longer than 30 seconds",
    );
    expect(JSON.stringify(request.properties.known_speaker_references)).toContain("between 2 and 10 seconds");
    const error = schemas.Error as { required: string[] };
    expect(error.required.sort()).toEqual(["code", "message", "param", "type"]);
  });
});
