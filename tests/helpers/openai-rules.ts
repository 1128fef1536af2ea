/**
 * The rules of OpenAI's REST API that the fakes and the contract test rely on, copied from OpenAI's published OpenAPI
 * description (openai/openai-openapi, MIT licence; the August 2026 spec): the request fields of
 * `CreateTranscriptionRequest` and `CreateChatCompletionRequest`, the per-model rules written in their descriptions
 * (`AudioResponseFormat`, `prompt`, `timestamp_granularities`, `chunking_strategy`, `known_speaker_*`), the accepted
 * upload formats, the usage shapes, and `ErrorResponse` ({ error: { message, type, param, code } }). A user's clone
 * has no copy of the spec; tests/contract/openai-requests.test.ts checks this table against it when it is there.
 */

export type AudioResponseFormat = "json" | "text" | "srt" | "verbose_json" | "vtt" | "diarized_json";

export interface TranscriptionModelRules {
  formats: AudioResponseFormat[];
  /** `prompt` accepted. */
  prompt: boolean;
  /** `timestamp_granularities` accepted (with verbose_json). */
  timestampGranularities: boolean;
  /** `chunking_strategy` required for inputs longer than this many seconds. */
  chunkingRequiredAboveSec?: number;
  /** Longest audio per request (STACK-NOTES: the real 400 for the gpt-4o family). */
  maxSeconds?: number;
  /** `known_speaker_names` / `known_speaker_references` accepted (up to 4, 2–10 s clips as data URLs). */
  knownSpeakers: boolean;
  /** `include: ["logprobs"]` accepted (json only). */
  logprobs: boolean;
  /** How its responses' `usage` is typed. */
  usage: "duration" | "tokens";
}

const gpt4o: TranscriptionModelRules = {
  formats: ["json", "text"],
  prompt: true,
  timestampGranularities: false,
  maxSeconds: 1400,
  knownSpeakers: false,
  logprobs: true,
  usage: "tokens",
};

export const TRANSCRIPTION_MODELS: Record<string, TranscriptionModelRules> = {
  "whisper-1": {
    formats: ["json", "text", "srt", "verbose_json", "vtt"],
    prompt: true,
    timestampGranularities: true,
    knownSpeakers: false,
    logprobs: false,
    usage: "duration",
  },
  "gpt-4o-transcribe": gpt4o,
  "gpt-4o-mini-transcribe": gpt4o,
  "gpt-4o-mini-transcribe-2025-12-15": gpt4o,
  "gpt-transcribe": { ...gpt4o, logprobs: false },
  "gpt-4o-transcribe-diarize": {
    formats: ["json", "text", "diarized_json"],
    prompt: false,
    timestampGranularities: false,
    chunkingRequiredAboveSec: 30,
    maxSeconds: 1400,
    knownSpeakers: true,
    logprobs: false,
    usage: "duration",
  },
};

/** `CreateTranscriptionRequest.properties` (additionalProperties: false; required: file, model). */
export const TRANSCRIPTION_FIELDS = [
  "file",
  "model",
  "language",
  "languages",
  "keywords",
  "prompt",
  "response_format",
  "temperature",
  "include",
  "timestamp_granularities",
  "stream",
  "chunking_strategy",
  "known_speaker_names",
  "known_speaker_references",
] as const;

/** `CreateTranscriptionRequest.file`: the formats the endpoint reads. */
export const TRANSCRIPTION_FILE_EXTENSIONS = ["flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"];

/** The chat completion fields the app may send (a subset of `CreateChatCompletionRequest`'s properties). */
export const CHAT_FIELDS_USED = ["model", "messages", "response_format"] as const;

/** `ResponseFormatText | ResponseFormatJsonSchema | ResponseFormatJsonObject`. */
export const CHAT_RESPONSE_FORMATS = ["text", "json_schema", "json_object"] as const;

export interface OpenAIError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

export const openAIError = (status: number, message: string, param: string | null, code: string | null = null) => ({
  status,
  body: { error: { message, type: "invalid_request_error", param, code } },
});

/** A transcription request as the fake read it from the multipart body: every field's values, in order. */
export interface TranscriptionRequest {
  fields: Map<string, string[]>;
  filename: string;
  audio: Buffer;
  /** Seconds of audio in the upload, when it could be decoded. */
  duration: number | null;
  /** Seconds of each `known_speaker_references` clip (null: not audio). */
  referenceSeconds?: (number | null)[];
}

const one = (request: TranscriptionRequest, name: string) => request.fields.get(name)?.[0];

/**
 * What OpenAI answers to a transcription request that breaks a rule of its spec, with its error shape; null when
 * the request is valid. The messages are the real service's where they are known (STACK-NOTES).
 */
export function transcriptionRefusal(
  request: TranscriptionRequest,
  table: Record<string, TranscriptionModelRules> = TRANSCRIPTION_MODELS,
): OpenAIError | null {
  for (const name of request.fields.keys()) {
    if (!(TRANSCRIPTION_FIELDS as readonly string[]).includes(name))
      return openAIError(400, `Unrecognized request argument supplied: ${name}`, name);
  }
  const model = one(request, "model");
  if (!model) return openAIError(400, "you must provide a model parameter", "model");
  if (!request.filename && request.audio.byteLength === 0)
    return openAIError(400, "you must provide a file parameter", "file");
  const rules = table[model];
  if (!rules)
    return openAIError(
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      "model",
      "model_not_found",
    );
  const ext = /\.([a-z0-9]+)$/i.exec(request.filename)?.[1]?.toLowerCase() ?? "";
  if (!TRANSCRIPTION_FILE_EXTENSIONS.includes(ext))
    return openAIError(
      400,
      `Invalid file format. Supported formats: ${JSON.stringify(TRANSCRIPTION_FILE_EXTENSIONS)}`,
      "file",
      "invalid_value",
    );
  if (request.duration === null)
    return openAIError(400, "Audio file might be corrupted or unsupported", "file", "invalid_value");
  const format = (one(request, "response_format") ?? "json") as AudioResponseFormat;
  if (!rules.formats.includes(format))
    return openAIError(
      400,
      `response_format '${format}' is not compatible with model '${model}'. Use ${rules.formats
        .filter((f) => f === "json" || f === "text")
        .map((f) => `'${f}'`)
        .join(" or ")} instead.`,
      "response_format",
      "unsupported_value",
    );
  const language = one(request, "language");
  if (language !== undefined && !/^[a-z]{2}$/.test(language))
    return openAIError(
      400,
      `Invalid language '${language}'. Language parameter must be specified in ISO-639-1 format.`,
      "language",
      "invalid_language_format",
    );
  if (request.fields.has("prompt") && !rules.prompt)
    return openAIError(400, `prompt is not supported with model '${model}'.`, "prompt", "unsupported_parameter");
  if (request.fields.has("timestamp_granularities") && (!rules.timestampGranularities || format !== "verbose_json"))
    return openAIError(
      400,
      "timestamp_granularities requires response_format verbose_json with a model that supports it.",
      "timestamp_granularities",
      "unsupported_parameter",
    );
  const chunking = one(request, "chunking_strategy");
  if (chunking !== undefined && chunking !== "auto" && !chunking.includes("server_vad"))
    return openAIError(400, `Invalid chunking_strategy '${chunking}'.`, "chunking_strategy", "invalid_value");
  if (
    rules.chunkingRequiredAboveSec !== undefined &&
    chunking === undefined &&
    request.duration > rules.chunkingRequiredAboveSec
  )
    return openAIError(
      400,
      `chunking_strategy is required for audio longer than ${rules.chunkingRequiredAboveSec} seconds with model '${model}'.`,
      "chunking_strategy",
      "missing_required_parameter",
    );
  const names = request.fields.get("known_speaker_names") ?? [];
  const references = request.fields.get("known_speaker_references") ?? [];
  if ((names.length || references.length) && !rules.knownSpeakers)
    return openAIError(
      400,
      `known speakers are not supported with model '${model}'.`,
      "known_speaker_names",
      "unsupported_parameter",
    );
  if (names.length > 4 || references.length > 4 || names.length !== references.length)
    return openAIError(
      400,
      "Provide up to 4 known_speaker_names, one per known_speaker_references entry.",
      "known_speaker_references",
      "invalid_value",
    );
  for (const reference of references)
    if (!/^data:audio\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]+$/.test(reference))
      return openAIError(
        400,
        "known_speaker_references entries must be audio data URLs.",
        "known_speaker_references",
        "invalid_value",
      );
  for (const seconds of request.referenceSeconds ?? [])
    if (seconds === null || seconds < 2 || seconds > 10)
      return openAIError(
        400,
        "Each known_speaker_references sample must be between 2 and 10 seconds of audio.",
        "known_speaker_references",
        "invalid_value",
      );
  if (rules.maxSeconds !== undefined && request.duration > rules.maxSeconds)
    return openAIError(
      400,
      `audio duration ${request.duration} seconds is longer than ${rules.maxSeconds} seconds which is the maximum for this model`,
      "file",
      "invalid_value",
    );
  return null;
}

/** What a chat completion request that breaks the spec gets; null when it is valid. */
export function chatRefusal(body: Record<string, unknown>): OpenAIError | null {
  for (const name of Object.keys(body))
    if (
      !(CHAT_FIELDS_USED as readonly string[]).includes(name) &&
      !["temperature", "max_completion_tokens", "stream"].includes(name)
    )
      return openAIError(400, `Unrecognized request argument supplied: ${name}`, name);
  if (typeof body.model !== "string" || !body.model)
    return openAIError(400, "you must provide a model parameter", "model");
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return openAIError(400, "[] is too short - 'messages'", "messages", "empty_array");
  for (const [i, m] of messages.entries()) {
    const message = m as { role?: unknown; content?: unknown };
    if (!["system", "developer", "user", "assistant"].includes(String(message.role)))
      return openAIError(400, `Invalid value for 'messages[${i}].role'.`, `messages[${i}].role`, "invalid_value");
    if (typeof message.content !== "string")
      return openAIError(400, `Invalid type for 'messages[${i}].content'.`, `messages[${i}].content`, "invalid_type");
  }
  const format = body.response_format as
    | { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } }
    | undefined;
  if (format !== undefined) {
    if (!(CHAT_RESPONSE_FORMATS as readonly string[]).includes(String(format.type)))
      return openAIError(400, "Invalid value for 'response_format.type'.", "response_format.type", "invalid_value");
    if (
      format.type === "json_schema" &&
      (typeof format.json_schema?.name !== "string" || typeof format.json_schema.schema !== "object")
    )
      return openAIError(
        400,
        "Missing required parameter: 'response_format.json_schema'.",
        "response_format.json_schema",
        "missing_required_parameter",
      );
    if (
      format.type === "json_object" &&
      !messages.some((m) => /json/i.test(String((m as { content?: unknown }).content)))
    )
      return openAIError(
        400,
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        "messages",
      );
  }
  return null;
}
