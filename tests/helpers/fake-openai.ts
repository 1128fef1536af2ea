import http from "node:http";
import type { AddressInfo } from "node:net";
import { answerChat, type ChatBehaviour, type ChatRequest } from "./fake-chat";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeOpenAIOptions {
  latencyMs?: number;
  /** Transcript text returned by /audio/transcriptions. */
  transcript?: string;
  /** Answers /audio/transcriptions from the uploaded file itself (see tests/helpers/tone-audio.ts). */
  transcribe?: (upload: AudioUpload) => Promise<{ status: number; body: object }>;
  /** Timed segments returned with the transcript (default: one segment holding the whole text). */
  segments?: { start: number; end: number; text: string }[];
}

export interface AudioUpload {
  model: string;
  filename: string;
  audio: Buffer;
}

/** The file and model fields of a multipart transcription request. */
function parseUpload(raw: Buffer, contentType: string): AudioUpload {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const marker = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ""}`);
  const upload: AudioUpload = { model: "", filename: "", audio: Buffer.alloc(0) };
  let at = raw.indexOf(marker);
  while (at >= 0) {
    const next = raw.indexOf(marker, at + marker.length);
    if (next < 0) break;
    const part = raw.subarray(at + marker.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const value = part.subarray(split + 4);
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (name === "model") upload.model = value.toString("utf8");
    if (name === "file") {
      upload.filename = /filename="([^"]*)"/.exec(head)?.[1] ?? "";
      upload.audio = value;
    }
    at = next;
  }
  return upload;
}

export interface FakeOpenAI {
  /** Base URL including /v1, for OPENAI_BASE_URL. */
  url: string;
  requests: RecordedRequest[];
  setLatency(ms: number): void;
  /** How chat completions answer from now on (see ChatBehaviour); `{}` restores the default. */
  setChat(behaviour: ChatBehaviour): void;
  /** The next n requests fail with this status (and optional Retry-After seconds). */
  failNext(status: number, times?: number, retryAfterSeconds?: number): void;
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
  const failures: { status: number; retryAfter?: number }[] = [];
  const requests: RecordedRequest[] = [];
  let chat: ChatBehaviour = {};
  let gate: Promise<void> | null = null;

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString("utf8");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push({ method: req.method ?? "GET", path, headers: req.headers, body });
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (gate) await gate;
    const json = (status: number, value: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(value));
    };
    const failure = failures.shift();
    if (failure) {
      json(
        failure.status,
        { error: { message: `injected ${failure.status}`, type: "test_error", code: null } },
        failure.retryAfter !== undefined ? { "retry-after": String(failure.retryAfter) } : {},
      );
      return;
    }
    if (path.endsWith("/chat/completions")) {
      const answer = answerChat(JSON.parse(body) as ChatRequest, chat);
      json(answer.status, answer.body);
      return;
    }
    if (path.endsWith("/audio/transcriptions") && options.transcribe) {
      const answer = await options.transcribe(parseUpload(raw, req.headers["content-type"] ?? ""));
      json(answer.status, answer.body);
      return;
    }
    if (path.endsWith("/audio/transcriptions")) {
      const text = options.transcript ?? "Hello from the fake transcription server.";
      const segments = (options.segments ?? [{ start: 0, end: 2, text }]).map((segment, id) => ({ id, ...segment }));
      json(200, { text, language: "english", duration: segments.at(-1)?.end ?? 2, segments });
      return;
    }
    json(404, { error: { message: `no route ${path}` } });
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
    failNext: (status, times = 1, retryAfterSeconds) => {
      for (let i = 0; i < times; i++) failures.push({ status, retryAfter: retryAfterSeconds });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
