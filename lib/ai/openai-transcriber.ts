import OpenAI, { toFile } from "openai";
import type { Transcript, TranscriptSegment } from "../domain";
import { AppError } from "../errors";
import type { SttCapabilities, SttFormat, TranscribeInput, Transcriber } from "../ports";
import { type ModelTable, type ResolvedModel, resolveModel, type SttUsage, sttCostUsd } from "./models";
import { fromOpenAIError, providerMessage } from "./openai";

/**
 * The file types `/audio/transcriptions` reads (OpenAI's spec, `CreateTranscriptionRequest.file`), by extension and
 * by the content types that name them. Anything else is refused before it is uploaded (and paid for).
 */
export const STT_EXTENSIONS = ["flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"] as const;
const EXTENSION_BY_TYPE: Record<string, string> = {
  "audio/flac": "flac",
  "audio/x-flac": "flac",
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a",
  "audio/m4a": "m4a",
  "video/mp4": "mp4",
  "audio/ogg": "ogg",
  "audio/opus": "ogg",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/wave": "wav",
  "audio/webm": "webm",
  "video/webm": "webm",
};

/** Media formats the endpoint does not read: a file named so is refused whatever content type its server claims. */
const OTHER_MEDIA = /^(wma|wmv|aac|amr|aif|aiff|aifc|ra|rm|ape|wv|mka|mkv|avi|mov|3gp|caf|au|snd|mid|midi)$/;

/**
 * The name to upload under: the file's own when its extension is one the endpoint reads, else one taken from the
 * content type; a file neither names (`.wma`, `audio/x-ms-wma`) is `media_unreadable`, before any upload.
 */
export function uploadName(filename: string, mimeType: string): string {
  const ext = /\.([a-z0-9]{2,5})$/i.exec(filename)?.[1]?.toLowerCase();
  if (ext && (STT_EXTENSIONS as readonly string[]).includes(ext)) return filename;
  const byType = EXTENSION_BY_TYPE[mimeType.split(";")[0]?.trim().toLowerCase() ?? ""];
  if (byType && !(ext && OTHER_MEDIA.test(ext)))
    return `${ext ? filename.slice(0, -ext.length - 1) : filename}.${byType}`;
  throw new AppError(
    "media_unreadable",
    `The media's format (${ext ? `.${ext}` : "no extension"}, ${mimeType || "no content type"}) is not one speech-to-text reads (${STT_EXTENSIONS.join(", ")})`,
  );
}

/** ISO-639-1, as the endpoint takes it: a two-letter primary subtag, else nothing (yue, fil, und have none). */
export function sttLanguage(lang: string | null | undefined): string | undefined {
  const primary = /^\s*([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*\s*$/i.exec(lang ?? "")?.[1]?.toLowerCase();
  return primary && primary.length === 2 ? primary : undefined;
}

/** A server's refusal of a response format (not of the file's format), in any server family's words. */
function isResponseFormatRejection(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError)) return false;
  return (
    [400, 404, 422, 500, 501].includes(error.status ?? 0) &&
    /response_format|response format|verbose_json|diarized_json/i.test(
      `${error.message} ${JSON.stringify(error.error ?? "")}`,
    )
  );
}

interface RawSegment {
  start?: unknown;
  end?: unknown;
  text?: unknown;
  speaker?: unknown;
}
interface RawTranscription {
  text?: unknown;
  duration?: unknown;
  segments?: RawSegment[];
  usage?: {
    type?: unknown;
    seconds?: unknown;
    input_tokens?: unknown;
    output_tokens?: unknown;
    input_token_details?: { audio_tokens?: unknown; text_tokens?: unknown };
  };
}

const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

function usageOf(raw: RawTranscription): SttUsage {
  const usage = raw.usage;
  if (usage?.type === "duration" && num(usage.seconds) !== undefined) return { seconds: num(usage.seconds) };
  if (usage?.type === "tokens") {
    const input = num(usage.input_tokens) ?? 0;
    const audio = num(usage.input_token_details?.audio_tokens);
    const text = num(usage.input_token_details?.text_tokens);
    return {
      tokens: { audio: audio ?? input - (text ?? 0), text: text ?? 0, output: num(usage.output_tokens) ?? 0 },
    };
  }
  return {};
}

function segmentsOf(raw: RawTranscription): TranscriptSegment[] {
  const out: TranscriptSegment[] = [];
  for (const s of raw.segments ?? []) {
    const start = num(s.start);
    const end = num(s.end);
    const text = typeof s.text === "string" ? s.text.trim() : "";
    if (start === undefined || end === undefined || !text) continue;
    out.push({ start, end, text, ...(typeof s.speaker === "string" && s.speaker ? { speaker: s.speaker } : {}) });
  }
  return out;
}

export interface OpenAITranscriberOptions {
  models?: ModelTable;
}

/**
 * Speech to text through any OpenAI-compatible `/audio/transcriptions` endpoint. Requests follow the model's row of
 * the capability table (lib/ai/models.ts); a model the table does not know is probed down verbose_json → json →
 * text, and the format it accepted is remembered for this server.
 */
export function createOpenAITranscriber(
  client: OpenAI,
  model: string,
  options: OpenAITranscriberOptions = {},
): Transcriber {
  const resolved: ResolvedModel = resolveModel(model, options.models);
  const capabilities: SttCapabilities = resolved.stt;
  let formatAt = 0;
  // An unknown server's format, once an answer showed it: remembered for this server (one transcriber per server and
  // model in a process); plans and cached windows carry it across processes.
  let learned: SttFormat | undefined;
  const learnedCapabilities = (format: SttFormat): SttCapabilities => ({
    ...capabilities,
    formats: capabilities.formats.slice(capabilities.formats.indexOf(format)),
    timestamps: format === "verbose_json" || format === "diarized_json",
    probe: false,
    learned: format,
  });

  const params = (format: SttFormat, input: TranscribeInput, file: Awaited<ReturnType<typeof toFile>>) => {
    const language = sttLanguage(input.lang);
    const speakers =
      capabilities.diarization && format === "diarized_json" ? (input.knownSpeakers ?? []).slice(0, 4) : [];
    return {
      file,
      model,
      response_format: format,
      ...(language ? { language } : {}),
      // Required by the diarizing model above 30 s of audio; harmless below.
      ...(capabilities.diarization ? { chunking_strategy: "auto" as const } : {}),
      ...(speakers.length
        ? {
            known_speaker_names: speakers.map((s) => s.name),
            known_speaker_references: speakers.map(
              (s) => `data:${s.mimeType};base64,${Buffer.from(s.audio).toString("base64")}`,
            ),
          }
        : {}),
    };
  };

  return {
    model,
    get capabilities() {
      return learned ? learnedCapabilities(learned) : capabilities;
    },
    async transcribe(input: TranscribeInput): Promise<Transcript> {
      const filename = uploadName(input.filename, input.mimeType);
      // A plan made after an earlier probe names the format: start there (a new process has not probed yet).
      if (capabilities.probe && !learned && input.format && capabilities.formats.includes(input.format))
        formatAt = capabilities.formats.indexOf(input.format);
      for (;;) {
        const format = capabilities.formats[formatAt] ?? "json";
        let answer: unknown;
        try {
          const file = await toFile(Buffer.from(input.audio), filename, { type: input.mimeType });
          answer = await client.audio.transcriptions.create(
            params(format, input, file),
            input.timeoutMs ? { timeout: input.timeoutMs } : undefined,
          );
        } catch (error) {
          if (capabilities.probe && formatAt < capabilities.formats.length - 1 && isResponseFormatRejection(error)) {
            formatAt++;
            continue;
          }
          const failure = fromOpenAIError(error, "transcription_failed");
          if (failure.retriable || !(error instanceof OpenAI.APIError)) throw failure;
          throw new AppError(
            failure.reason,
            `${failure.reason === "transcription_failed" ? `The speech-to-text server refused ${model} (TRANSCRIBE_MODEL)` : failure.message}: ${providerMessage(error)}`,
            { cause: error, retriable: false },
          );
        }
        if (!capabilities.probe) return transcriptOf(answer, input, resolved);
        learned = format;
        return { ...transcriptOf(answer, input, resolved), format };
      }
    },
  };
}

function transcriptOf(answer: unknown, input: TranscribeInput, model: ResolvedModel): Transcript {
  const raw: RawTranscription = typeof answer === "string" ? { text: answer } : ((answer ?? {}) as RawTranscription);
  const segments = segmentsOf(raw);
  const usage = usageOf(raw);
  // Billed seconds: the response's usage, else the audio we planned to send, else what the response says it heard.
  const known = usage.seconds ?? input.durationSec ?? num(raw.duration);
  const seconds = known ?? segments.reduce((end, s) => Math.max(end, s.end), 0);
  const costUsd = usage.tokens || known !== undefined ? sttCostUsd(model, seconds, usage) : null;
  return {
    source: "openai",
    model: model.name,
    text: typeof raw.text === "string" ? raw.text.trim() : "",
    ...(segments.length ? { segments } : {}),
    billing: { seconds, costUsd },
  };
}
