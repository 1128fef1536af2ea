import type OpenAI from "openai";
import { toFile } from "openai";
import type { Transcript } from "../domain";
import type { TranscribeInput, Transcriber } from "../ports";
import { fromOpenAIError } from "./openai";

interface VerboseTranscription {
  text: string;
  language?: string;
  segments?: { start: number; end: number; text: string }[];
}

/** Speech to text through any OpenAI-compatible `/audio/transcriptions` endpoint (Whisper and friends). */
export function createOpenAITranscriber(client: OpenAI, model: string): Transcriber {
  return {
    model,
    async transcribe(input: TranscribeInput): Promise<Transcript> {
      try {
        const file = await toFile(Buffer.from(input.audio), input.filename, { type: input.mimeType });
        const result = (await client.audio.transcriptions.create(
          {
            file,
            model,
            response_format: "verbose_json",
            ...(input.lang ? { language: input.lang.slice(0, 2) } : {}),
          },
          input.timeoutMs ? { timeout: input.timeoutMs } : undefined,
        )) as unknown as VerboseTranscription;
        return {
          source: "openai",
          model,
          text: result.text.trim(),
          ...(result.segments?.length
            ? { segments: result.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() })) }
            : {}),
        };
      } catch (error) {
        throw fromOpenAIError(error, "transcription_failed");
      }
    },
  };
}
