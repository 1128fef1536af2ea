import http from "node:http";
import type { AddressInfo } from "node:net";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { ALL_FORMATS, BufferSource, Input } from "mediabunny";
import { answerChat, type ChatBehaviour, type ChatRequest } from "./fake-chat";
import {
  type AudioResponseFormat,
  chatRefusal,
  openAIError,
  TRANSCRIPTION_MODELS,
  type TranscriptionRequest,
  transcriptionRefusal,
} from "./openai-rules";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's bytes (a multipart upload's audio is binary). */
  raw: Buffer;
}

export interface FakeOpenAIOptions {
  latencyMs?: number;
  /** Transcript text returned by /audio/transcriptions. */
  transcript?: string;
  /**
   * Answers /audio/transcriptions from the uploaded file itself (see tests/helpers/tone-audio.ts), after the
   * request passed the spec's rules; a 200 body is what was heard, shaped here into the requested format.
   */
  transcribe?: (upload: AudioUpload) => Promise<{ status: number; body: object }>;
  /**
   * Play an OpenAI-compatible server instead of OpenAI (speaches, whisper.cpp, vLLM…): every model name accepted, only these
   * response formats; others are refused in vLLM's words.
   */
  compatible?: { formats: AudioResponseFormat[] };
  /** Timed segments returned with the transcript (default: one segment holding the whole text). */
  segments?: { start: number; end: number; text: string }[];
}

export interface AudioUpload {
  model: string;
  filename: string;
  audio: Buffer;
  /** Every form field as sent (arrays as repeated `name[]` fields, read back under `name`). */
  fields: Map<string, string[]>;
}

/** A transcription answer before it is shaped into the requested response format. */
export interface HeardAudio {
  text: string;
  duration?: number;
  segments?: { start: number; end: number; text: string; speaker?: string }[];
}

/** Every field of a multipart transcription request. */
export function parseUpload(raw: Buffer, contentType: string): AudioUpload {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const marker = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ""}`);
  const upload: AudioUpload = { model: "", filename: "", audio: Buffer.alloc(0), fields: new Map() };
  let at = raw.indexOf(marker);
  while (at >= 0) {
    const next = raw.indexOf(marker, at + marker.length);
    if (next < 0) break;
    const part = raw.subarray(at + marker.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const value = part.subarray(split + 4);
    const name = /name="([^"]+)"/.exec(head)?.[1]?.replace(/\[\]$/, "");
    if (name === "file") {
      upload.filename = /filename="([^"]*)"/.exec(head)?.[1] ?? "";
      upload.audio = value;
      upload.fields.set("file", [upload.filename]);
    } else if (name) {
      upload.fields.set(name, [...(upload.fields.get(name) ?? []), value.toString("utf8")]);
      if (name === "model") upload.model = value.toString("utf8");
    }
    at = next;
  }
  return upload;
}

/** Seconds of audio in an upload, read from its container as the real service does; null when it is not audio. */
export async function audioSeconds(audio: Buffer): Promise<number | null> {
  try {
    const input = new Input({ source: new BufferSource(audio), formats: ALL_FORMATS });
    const seconds = await input.computeDuration();
    return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
  } catch {
    return null;
  }
}

/** Seconds of each known speaker reference (data URLs), as the service reads them. */
export async function referenceSeconds(fields: Map<string, string[]>): Promise<(number | null)[]> {
  const references = fields.get("known_speaker_references") ?? [];
  return Promise.all(references.map((r) => audioSeconds(Buffer.from(r.slice(r.indexOf(",") + 1), "base64"))));
}

/** A compatible server: whatever model, these formats; a refusal in its own (vLLM's) shape. */
function compatibleRefusal(request: TranscriptionRequest, formats: AudioResponseFormat[]) {
  const format = (request.fields.get("response_format")?.[0] ?? "json") as AudioResponseFormat;
  if (formats.includes(format)) return null;
  return {
    status: 400,
    body: { object: "error", message: `Unsupported response_format: ${format}`, type: "BadRequestError", code: 400 },
  };
}

/** The response body the spec gives for this format and model (CreateTranscriptionResponse*). */
function shapeTranscription(model: string, format: AudioResponseFormat, heard: HeardAudio, duration: number) {
  const rules = TRANSCRIPTION_MODELS[model];
  const seconds = heard.duration ?? duration;
  const durationUsage = { type: "duration", seconds: Math.ceil(seconds) };
  const audioTokens = Math.ceil((seconds * 1000) / 60);
  const outputTokens = countTokens(heard.text);
  const usage =
    rules?.usage === "tokens"
      ? {
          type: "tokens",
          input_tokens: audioTokens,
          input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
          output_tokens: outputTokens,
          total_tokens: audioTokens + outputTokens,
        }
      : durationUsage;
  const segments = heard.segments ?? [];
  if (format === "text") return heard.text;
  if (format === "verbose_json")
    return {
      task: "transcribe",
      language: "english",
      duration: seconds,
      text: heard.text,
      segments: segments.map((s, id) => ({
        id,
        seek: 0,
        start: s.start,
        end: s.end,
        text: s.text,
        tokens: [],
        temperature: 0,
        avg_logprob: -0.2,
        compression_ratio: 1.2,
        no_speech_prob: 0.01,
      })),
      usage: durationUsage,
    };
  if (format === "diarized_json")
    return {
      task: "transcribe",
      duration: seconds,
      text: heard.text,
      segments: segments.map((s, i) => ({
        type: "transcript.text.segment",
        id: `seg_${i}`,
        start: s.start,
        end: s.end,
        text: s.text,
        speaker: s.speaker ?? "A",
      })),
      usage: durationUsage,
    };
  return { text: heard.text, usage };
}

export interface InjectedFailure {
  code?: string;
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}

export interface FakeOpenAI {
  /** Base URL including /v1, for OPENAI_BASE_URL. */
  url: string;
  requests: RecordedRequest[];
  setLatency(ms: number): void;
  /** How chat completions answer from now on (see ChatBehaviour); `{}` restores the default. */
  setChat(behaviour: ChatBehaviour): void;
  /** The next n requests fail with this status (and optional Retry-After seconds, or other headers and error code). */
  failNext(status: number, times?: number, retryAfterSeconds?: number, extra?: InjectedFailure): void;
  /**
   * Holds every request (after its latency) until the returned function is called: a test sees a stage running for
   * as long as it needs, then lets it finish.
   */
  hold(): () => void;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible server on loopback: chat completions (structured output) and audio transcriptions,
 * with injectable latency and failures. Records every request.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let latencyMs = options.latencyMs ?? 0;
  const failures: { status: number; retryAfter?: number; extra: InjectedFailure }[] = [];
  const requests: RecordedRequest[] = [];
  let chat: ChatBehaviour = {};
  let gate: Promise<void> | null = null;

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString("utf8");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push({ method: req.method ?? "GET", path, headers: req.headers, body, raw });
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (gate) await gate;
    const json = (status: number, value: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(value));
    };
    const failure = failures.shift();
    if (failure) {
      const { extra } = failure;
      json(
        failure.status,
        {
          error: {
            message: extra.message ?? `injected ${failure.status}`,
            type: extra.type ?? (failure.status === 429 ? "requests" : "server_error"),
            param: null,
            code: extra.code ?? null,
          },
        },
        {
          ...(failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {}),
          ...extra.headers,
        },
      );
      return;
    }
    if (path.endsWith("/chat/completions")) {
      const request = JSON.parse(body) as Record<string, unknown>;
      const refused = chatRefusal(request);
      const answer = refused ?? answerChat(request as unknown as ChatRequest, chat);
      json(answer.status, answer.body);
      return;
    }
    if (path.endsWith("/audio/transcriptions")) {
      const upload = parseUpload(raw, req.headers["content-type"] ?? "");
      const request: TranscriptionRequest = {
        fields: upload.fields,
        filename: upload.filename,
        audio: upload.audio,
        duration: await audioSeconds(upload.audio),
        referenceSeconds: await referenceSeconds(upload.fields),
      };
      const model = upload.model;
      const refused = options.compatible
        ? compatibleRefusal(request, options.compatible.formats)
        : transcriptionRefusal(request);
      if (refused) {
        json(refused.status, refused.body);
        return;
      }
      const format = (upload.fields.get("response_format")?.[0] ?? "json") as AudioResponseFormat;
      let heard: HeardAudio;
      if (options.transcribe) {
        const answer = await options.transcribe(upload);
        if (answer.status !== 200) {
          json(answer.status, answer.body);
          return;
        }
        heard = answer.body as HeardAudio;
      } else {
        const text = options.transcript ?? "Hello from the fake transcription server.";
        const duration = request.duration ?? 2;
        heard = { text, duration, segments: options.segments ?? [{ start: 0, end: Math.min(duration, 2), text }] };
      }
      const shaped = shapeTranscription(model, format, heard, request.duration ?? 0);
      if (typeof shaped === "string") res.writeHead(200, { "Content-Type": "text/plain" }).end(shaped);
      else json(200, shaped);
      return;
    }
    json(404, openAIError(404, `Invalid URL (POST ${path})`, null).body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setChat: (behaviour) => {
      chat = { ...behaviour };
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    hold: () => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      gate = held;
      return () => {
        if (gate === held) gate = null;
        release();
      };
    },
    failNext: (status, times = 1, retryAfterSeconds, extra = {}) => {
      for (let i = 0; i < times; i++) failures.push({ status, retryAfter: retryAfterSeconds, extra });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
