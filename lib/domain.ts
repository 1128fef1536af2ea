import type { FailureReason } from "./errors";
import type { JobStatus, StepName } from "./progress/events";

/** The data shapes shared by stages, store, API and CLI (README: HTTP API and CLI). */

export type MediaKind = "audio" | "video" | "youtube" | "feed";

export interface MediaItem {
  kind: MediaKind;
  url: string;
  type?: string;
  durationSec?: number;
  /** Where it was found: "response", "og:audio", "audio-element", "rss-enclosure", … */
  foundIn?: string;
  /** A publisher transcript for this item (podcast:transcript), when the source offers one. */
  transcriptUrl?: string;
  transcriptType?: string;
}

/** What a source says about itself: shared, field for field, by the extraction result and the saved article. */
export interface ArticleContent {
  url: string;
  canonicalUrl: string;
  title: string;
  byline: string | null;
  siteName: string | null;
  lang: string | null;
  publishedTime: string | null;
  excerpt: string | null;
  /** Plain text handed to the summarizer. */
  text: string;
  /** Sanitized HTML, safe to render. */
  html: string;
  /** Absolute http(s) URL of the page's lead image (og:image, JSON-LD), when it declares one. */
  leadImage: string | null;
  media: MediaItem[];
}

export interface Extracted extends ArticleContent {
  extractor: string;
}

/** Output of the fetch stage. HTML/XML bodies travel as text; media bodies are not downloaded here. */
export interface Fetched {
  requestedUrl: string;
  finalUrl: string;
  status: number;
  contentType: string | null;
  kind: "html" | "feed" | "media" | "pdf" | "text";
  /** Decoded text for html/feed/text; base64 for pdf; empty for media. */
  body: string;
  contentLength: number | null;
  redirects: string[];
}

export interface FeedItem {
  title: string;
  description: string;
  link?: string;
  /** The item's identity when a catalogue that owns it gave one (Apple's trackViewUrl for its episode id). */
  canonicalUrl?: string;
  author?: string;
  pubDate?: string;
  feedTitle?: string;
  lang?: string;
}

/** Output of the detect stage. */
export interface Detected {
  media: MediaItem[];
  /** The item to transcribe, if any. */
  primary?: MediaItem;
  /** When the URL is a feed: the episode it points at (or the newest). */
  feedItem?: FeedItem;
}

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  /** Who speaks, from a diarizing model; the same label names the same person across the whole episode. */
  speaker?: string;
}

export interface Transcript {
  source: "openai" | "publisher" | "youtube-captions" | string;
  text: string;
  segments?: TranscriptSegment[];
  model?: string;
  /** Speech-to-text this transcript cost: seconds billed (the response's `usage`, else the audio sent) and price. */
  billing?: { seconds: number; costUsd: number | null };
  /**
   * The response format a speech-to-text server not in the model table answered in (found by probing): a window's
   * cached copy keeps what the probe learned, so the windows planned after it follow it in any process.
   */
  format?: "verbose_json" | "diarized_json" | "json" | "text";
}

export interface Summary {
  tldr: string;
  keyPoints: string[];
  markdown: string;
  tags: string[];
  chapters?: { start: number; title: string }[];
  quotes?: string[];
  /** Quotes that lie inside one diarized segment: who said them, and when. */
  quoteSpeakers?: { quote: string; speaker: string; start: number }[];
}

/** What verification removed from the model's answer (quotes not in the source, chapters off the timeline…). */
export interface DroppedCounts {
  quotes: number;
  chapters: number;
  tags: number;
  keyPoints: number;
}

/** How a summary was made. Token counts and cost are the summary's; `transcription` and `totalCostUsd` add STT. */
export interface Provenance {
  extractor: string;
  transcriptSource?: string;
  model: string;
  promptVersion: string;
  path: "single" | "map-reduce" | "extractive";
  inputTokens: number;
  outputTokens: number;
  /** null when the price of the model is unknown. */
  costUsd: number | null;
  /** Host of the OpenAI-compatible server ("api.openai.com", "localhost:11434"). */
  provider?: string;
  /** How the JSON answer was obtained: structured output, JSON mode, or plain text with the schema in the prompt. */
  format?: "json_schema" | "json_object" | "text";
  /** The language the summary was asked in (ISO 639-1), and where that came from. */
  lang?: string | null;
  langSource?: "job" | "page" | "detected";
  /** Content tokens (the document) and prompt tokens (instructions, framing) as counted before sending. */
  contentTokens?: number;
  promptTokens?: number;
  /** Map-reduce: how many parts were summarized before the combine call. */
  parts?: number;
  dropped?: DroppedCounts;
  /** The model's first answer was invalid and one repair request fixed it. */
  repaired?: boolean;
  /** Content hash + model + prompt version + language: the same key finds this summary instead of paying again. */
  cacheKey?: string;
  /** This summary was reused from an earlier one with the same key (no LLM call). */
  cached?: boolean;
  /** Speech-to-text for this article's media, when this job paid for it (null cost: price unknown). */
  transcription?: { model: string; seconds: number; costUsd: number | null };
  /** Summary plus transcription; null when any part's price is unknown. */
  totalCostUsd?: number | null;
}

/** Triage: an article waits in the inbox until the reader archives it. */
export const ARTICLE_STATES = ["inbox", "archived"] as const;
export type ArticleState = (typeof ARTICLE_STATES)[number];

/** What the reader did with an article: triage, a note, where they stopped (restored on open). */
export interface ReaderState {
  state: ArticleState;
  read: boolean;
  favorite: boolean;
  note: string;
  /** Scroll fraction of the page (0–1) and seconds into the media; null until known. */
  position: { fraction: number | null; seconds: number | null };
}

/** A passage the reader marked, verbatim from the article's text or transcript, with an optional note. */
export interface Highlight {
  id: string;
  articleId: string;
  quote: string;
  note: string | null;
  source: "text" | "transcript";
  /** Characters into the source where the quote starts. */
  offset: number;
  /** Transcript highlights: the time (seconds) of the segment the quote starts in. */
  startSec: number | null;
  createdAt: string;
}

export interface Article extends ArticleContent, ReaderState {
  id: string;
  transcript?: Transcript;
  summary: Summary;
  provenance: Provenance;
  /** The current summary version (GET /api/articles/:id/summaries lists them all). */
  summaryId?: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NewArticle = Omit<Article, "id" | "createdAt" | "updatedAt" | "summaryId" | keyof ReaderState>;

/** One summary an article has had; the article's `summary` is a copy of the current one. */
export interface SummaryVersion {
  id: string;
  articleId: string;
  model: string;
  promptVersion: string;
  lang: string | null;
  summary: Summary;
  provenance: Provenance;
  current: boolean;
  createdAt: string;
}

/** "article": fetch → … → save. "summary": a new summary version of an existing article (summarize → save). */
export type JobKind = "article" | "summary";

export interface StepTiming {
  startedAt?: number;
  finishedAt?: number;
  attempts?: number;
}

export interface Job {
  id: string;
  url: string;
  canonicalUrl: string;
  status: JobStatus;
  step?: StepName;
  reason?: FailureReason;
  message?: string;
  articleId?: string;
  force: boolean;
  kind: JobKind;
  /** The summary language the admin asked for (null: the page's, or detected). */
  lang?: string;
  /** The summary model asked for (summary jobs; null: the configured one). */
  model?: string;
  attempts: number;
  runId?: string;
  steps: Partial<Record<StepName, StepTiming>>;
  /**
   * What the job's paid steps have spent so far, over all its runs (each adds its cost as it completes; a reused
   * result adds nothing): 0 before any, null when a price is unknown (or, for a job from before costs were recorded
   * per step, what it spent was never recorded).
   */
  costUsd?: number | null;
  /** When the job was dismissed from the failure inbox (still retriable); absent when it was not. */
  dismissedAt?: string;
  /** The token of the run that holds the job (lib/jobs/transitions.ts); absent when no run does. */
  runToken?: string;
  createdAt: string;
  updatedAt: string;
}

export interface ArticleSearchHit {
  id: string;
  url: string;
  title: string;
  siteName: string | null;
  tldr: string;
  tags: string[];
  snippet?: string;
  rank?: number;
  createdAt: string;
}
