import { readFileSync } from "node:fs";
import path from "node:path";
import { createOpenAIClient } from "@/lib/ai/openai";
import { createOpenAISummarizer, summarizeInProcess } from "@/lib/ai/openai-summarizer";
import type { Transcript } from "@/lib/domain";
import { costedProvenance } from "@/lib/pipeline/summarize";
import type { SummarizeInput } from "@/lib/ports";
import { startFakeOpenAI } from "../tests/helpers/fake-openai";

/**
 * npm run bench:summaries — tokens and cost of a short article, a long article and a two-hour transcript, against the
 * loopback fake OpenAI server (its usage counts prompts with o200k_base, as OpenAI does), on gpt-4o-mini's table entry
 * (128k context: one call) and on a local 8k-context model (map-reduce). The fake copies one real sentence as a quote
 * and invents one; chapters come from the transcript's timestamps. Prints JSON.
 */
const FIXTURES = path.join(import.meta.dirname, "../tests/fixtures");
const read = (file: string) => readFileSync(path.join(FIXTURES, file), "utf8");

const short = read("summaries/tide-pools.txt");
/** A long read: the three fixture articles' paragraphs, numbered so none repeats, 40 times (~30k tokens). */
const longText = Array.from({ length: 40 }, (_, round) =>
  [short, read("summaries/bakery.txt")]
    .join("\n\n")
    .split(/\n{2,}/)
    .map((p, i) => `(${round + 1}.${i + 1}) ${p}`)
    .join("\n\n"),
).join("\n\n");

/** Two hours, a 12-second segment at a time, each sentence different (no compression by repetition). */
function twoHourTranscript(): Transcript {
  const topics = ["tide pools", "sea stars", "barnacles", "volunteers", "rangers", "school counts", "gulls", "algae"];
  const segments = Array.from({ length: 600 }, (_, i) => ({
    start: i * 12,
    end: i * 12 + 12,
    text: `At minute ${Math.floor((i * 12) / 60)} the guest returns to ${topics[i % topics.length]} and adds detail number ${i}, about what changed on the shore since the count began in spring.`,
  }));
  return { source: "openai", model: "whisper-1", text: segments.map((s) => s.text).join(" "), segments };
}

const fake = await startFakeOpenAI();
fake.setChat({ inventQuote: true });
const client = createOpenAIClient({ apiKey: "sk-bench", baseURL: fake.url });
/** A local 8k-context model: map-reduce, priced as gpt-4o-mini so the cost of the extra calls shows. */
const models = {
  "local-8k": { contextTokens: 8_192, maxOutputTokens: 2_048, inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 },
};

const inputs: Record<string, SummarizeInput> = {
  "short article": { title: "Why Tide Pools Matter", text: short, lang: "en", url: "https://bench.example/short" },
  "long article": { title: "Tide pools and bakeries", text: longText, lang: "en", url: "https://bench.example/long" },
  "two-hour transcript": {
    title: "Two hours on the shore",
    text: "",
    transcript: twoHourTranscript(),
    lang: "en",
    url: "https://bench.example/episode",
    durationSec: 7_200,
  },
};

const runs = [];
for (const model of ["gpt-4o-mini", "local-8k"]) {
  for (const [name, input] of Object.entries(inputs)) {
    const summarizer = createOpenAISummarizer(client, { model, baseURL: fake.url, models });
    fake.requests.length = 0;
    const summarized = await summarizeInProcess(summarizer, input);
    const { provenance, summary } = summarized;
    // The job's whole cost: the summary plus the speech-to-text of the transcript (whisper-1 per audio minute).
    const { transcription, totalCostUsd } = costedProvenance(summarized, input.transcript, models);
    const content = provenance.contentTokens ?? 0;
    const prompt = provenance.promptTokens ?? 0;
    runs.push({
      input: name,
      model,
      path: provenance.path,
      parts: provenance.parts ?? 0,
      calls: fake.requests.length,
      inputTokens: provenance.inputTokens,
      outputTokens: provenance.outputTokens,
      contentTokens: content,
      promptTokens: prompt,
      /** Map-reduce: the parts' notes read again by the combine call. */
      notesTokens: Math.max(0, provenance.inputTokens - content - prompt),
      contentShare: Number((content / provenance.inputTokens).toFixed(3)),
      inputOverContent: Number((provenance.inputTokens / content).toFixed(3)),
      costUsd: provenance.costUsd,
      transcription: transcription ?? null,
      totalCostUsd,
      dropped: provenance.dropped,
      kept: { quotes: summary.quotes?.length ?? 0, chapters: summary.chapters?.length ?? 0 },
    });
  }
}
await fake.close();
console.log(JSON.stringify({ runs }, null, 2));
