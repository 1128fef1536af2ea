import { countTokens, decode, encode } from "gpt-tokenizer/encoding/o200k_base";

/**
 * How the fake OpenAI-compatible server answers `/chat/completions`: each knob reproduces one way real servers
 * and models behave (a server that refuses structured output in its own words, a model that invents a quote…).
 */
export interface ChatBehaviour {
  /** Refuse these response_format types, answering as the named server family does. */
  refuse?: Partial<Record<"json_schema" | "json_object", "openai" | "vllm" | "lmstudio" | "ollama">>;
  /** The next n summary answers are malformed (cut-off JSON), then valid ones. */
  malformedNext?: number;
  /**
   * The model's context: prompts over it get OpenAI's context_length_exceeded error, and an answer stops where the
   * context ends (prompt + answer ≤ context), `finish_reason: "length"`, as OpenAI does when no output cap is sent.
   */
  contextTokens?: number;
  /** Add a quote that is not in the document. */
  inventQuote?: boolean;
  /** Chapters returned as given instead of derived from the transcript's timestamps. */
  chapters?: { start: number; title: string }[];
  /** Wrap plain-text answers in a Markdown code fence, as chatty local models do. */
  fenceText?: boolean;
  /** Tags returned as given. */
  tags?: string[];
  /**
   * Every chat completion fails with this HTTP status (OpenAI's error body) until the behaviour is changed: an
   * outage or a revoked key that a test switches off at run time (`setChat`). A 4xx other than 408/409/429 is a
   * permanent failure for the app, so the job stops at summarize instead of being retried.
   */
  failWith?: { status: number; message?: string };
  /** The model declines: `content` null and `message.refusal` set, as the spec's ChatCompletionResponseMessage allows. */
  refusal?: string;
  /**
   * The model's output limit in tokens (OpenAI's max output tokens, or a server's default cap): a longer answer is cut
   * at exactly this many tokens, `finish_reason: "length"`, its usage counting the tokens produced. A request's
   * `max_completion_tokens` (or legacy `max_tokens`) lowers it, as the spec says.
   */
  outputTokens?: number;
  /** Answers carry no `usage` (optional in the spec, left out by some compatible servers). */
  noUsage?: boolean;
}

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string };
  max_completion_tokens?: number;
  max_tokens?: number;
}

export interface ChatAnswer {
  status: number;
  body: object;
}

const REFUSALS: Record<string, (type: string) => ChatAnswer> = {
  openai: (type) => ({
    status: 400,
    body: {
      error: {
        message: `Invalid parameter: 'response_format' of type '${type}' is not supported with this model.`,
        type: "invalid_request_error",
        param: "response_format",
        code: null,
      },
    },
  }),
  vllm: (type) => ({
    status: 400,
    body: { object: "error", message: `Guided decoding for ${type} is unsupported by this backend`, code: 400 },
  }),
  lmstudio: () => ({ status: 400, body: { error: "'response_format.type' must be 'json_schema'" } }),
  ollama: (type) => ({ status: 400, body: { error: { message: `unknown response_format type "${type}"` } } }),
};

/** The document between the delimiters, as the model would read it. */
function documentOf(user: string): string {
  const start = user.indexOf("<document>");
  const end = user.lastIndexOf("</document>");
  return start >= 0 && end > start ? user.slice(start + "<document>".length, end) : user;
}

/** The first sentence of the document with at least six words, copied exactly: a quote that verification keeps. */
function realQuote(document: string): string | undefined {
  const text = document.replace(/\[\d+s\] /g, "");
  const noted = /^QUOTE: (.+)$/m.exec(text)?.[1];
  if (noted) return noted.trim();
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .find((s) => s.split(/\s+/).length >= 6 && !/^(Title|URL|Language|Part \d+|QUOTE):/.test(s));
}

function timestamps(document: string): number[] {
  return [...document.matchAll(/\[(\d+)s\]/g)].map((m) => Number(m[1]));
}

/** Tokens as OpenAI counts a chat prompt: the messages' text plus a few per message. */
export function promptTokens(messages: ChatRequest["messages"]): number {
  return messages.reduce((sum, m) => sum + countTokens(m.content) + 4, 3);
}

/** A summary derived from the request, so tests can tell which document was summarized. */
function summaryFor(user: string, behaviour: ChatBehaviour): object {
  const title = /^Title: (.*)$/m.exec(user)?.[1] ?? "Untitled";
  const document = documentOf(user);
  const times = timestamps(document);
  const quote = realQuote(document);
  return {
    tldr: `A summary of “${title}”.`,
    keyPoints: ["The first key point.", "The second key point.", "The third key point."],
    markdown: `## Summary\n\nThis is a fake summary of **${title}**.`,
    tags: behaviour.tags ?? ["fake", "test"],
    chapters:
      behaviour.chapters ??
      (times.length
        ? [
            { start: times[0] ?? 0, title: "Start" },
            ...(times.length > 2 ? [{ start: times[Math.floor(times.length / 2)] ?? 0, title: "Middle" }] : []),
          ]
        : []),
    quotes: [
      // Models straighten typographic quote marks when they copy.
      ...(quote ? [quote.replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"')] : []),
      ...(behaviour.inventQuote ? ["This sentence was never written by anyone in the document."] : []),
    ],
  };
}

/** The answer to one chat completion request under the current behaviour (which it may update). */
export function answerChat(request: ChatRequest, behaviour: ChatBehaviour): ChatAnswer {
  if (behaviour.failWith) {
    const { status, message = `The fake server refuses chat completions (HTTP ${status})` } = behaviour.failWith;
    return { status, body: { error: { message, type: "invalid_request_error", param: null, code: null } } };
  }
  const format = request.response_format?.type;
  if (format === "json_schema" || format === "json_object") {
    const flavour = behaviour.refuse?.[format];
    if (flavour) return REFUSALS[flavour]?.(format) ?? { status: 400, body: {} };
  }
  const prompt = promptTokens(request.messages);
  if (behaviour.contextTokens !== undefined && prompt > behaviour.contextTokens) {
    return {
      status: 400,
      body: {
        error: {
          message: `This model's maximum context length is ${behaviour.contextTokens} tokens. However, your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`,
          type: "invalid_request_error",
          param: "messages",
          code: "context_length_exceeded",
        },
      },
    };
  }
  const system = request.messages.find((m) => m.role === "system")?.content ?? "";
  // The last user message is the document (or, for a repair request, the first one is).
  const user = request.messages.find((m) => m.role === "user")?.content ?? "";
  let content: string;
  if (/take notes/.test(system)) {
    const quote = realQuote(documentOf(user));
    content = `- the notes of ${/This is part (\d+)/.exec(user)?.[0] ?? "a part"}\n${quote ? `QUOTE: ${quote}` : ""}`;
  } else {
    const json = JSON.stringify(summaryFor(user, behaviour));
    if ((behaviour.malformedNext ?? 0) > 0) {
      behaviour.malformedNext = (behaviour.malformedNext ?? 0) - 1;
      content = json.slice(0, Math.floor(json.length / 2));
    } else content = !format && behaviour.fenceText ? `Here is the summary:\n\`\`\`json\n${json}\n\`\`\`` : json;
  }
  // The answer ends at the first limit it meets: the request's cap, the model's output limit, the context's end.
  const limit = Math.min(
    request.max_completion_tokens ?? request.max_tokens ?? Number.POSITIVE_INFINITY,
    behaviour.outputTokens ?? Number.POSITIVE_INFINITY,
    behaviour.contextTokens === undefined ? Number.POSITIVE_INFINITY : behaviour.contextTokens - prompt,
  );
  const produced = encode(content);
  const cutOff = produced.length > limit;
  if (cutOff) content = decode(produced.slice(0, Math.max(0, limit)));
  const message = behaviour.refusal
    ? { role: "assistant", content: null, refusal: behaviour.refusal }
    : { role: "assistant", content, refusal: null };
  return {
    status: 200,
    body: {
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, finish_reason: cutOff ? "length" : "stop", message, logprobs: null }],
      ...(behaviour.noUsage
        ? {}
        : {
            usage: {
              prompt_tokens: prompt,
              completion_tokens: cutOff ? limit : produced.length,
              total_tokens: prompt + (cutOff ? limit : produced.length),
            },
          }),
    },
  };
}
