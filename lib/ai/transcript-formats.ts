import type { Transcript, TranscriptSegment } from "../domain";
import { hasTag, replaceTags } from "../extract/text";

/** "00:01:02,500" / "01:02.5" / "62.5" → seconds. */
function parseTimestamp(value: string): number {
  const parts = value.trim().replace(",", ".").split(":").map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** SRT and WebVTT cues: a timing line `start --> end`, then text lines until a blank line. */
export function parseCues(body: string): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  const blocks = body.replace(/\r/g, "").split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split("\n");
    const timing = lines.findIndex((l) => l.includes("-->"));
    if (timing < 0) continue;
    const [start = "0", end = "0"] = (lines[timing] ?? "").split("-->").map((s) => s.trim().split(/\s+/)[0] ?? "0");
    const joined = lines.slice(timing + 1).join(" ");
    const text = replaceTags(joined, "").trim();
    if (text) segments.push({ start: parseTimestamp(start), end: parseTimestamp(end), text });
  }
  return segments;
}

/** Podcasting 2.0 JSON transcript: `{ segments: [{ startTime, endTime, body, speaker? }] }`; anything else is none. */
function parseJsonTranscript(body: string): TranscriptSegment[] {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // Not JSON after all: the caller falls back to reading it as text.
    return [];
  }
  const segments = (data as { segments?: unknown } | null)?.segments;
  if (!Array.isArray(segments)) return [];
  const time = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
  const out: TranscriptSegment[] = [];
  for (const raw of segments as { startTime?: unknown; endTime?: unknown; body?: unknown; speaker?: unknown }[]) {
    const text = typeof raw?.body === "string" ? raw.body.trim() : "";
    if (!text) continue;
    const start = time(raw.startTime) ?? 0;
    const speaker = typeof raw.speaker === "string" && raw.speaker ? `${raw.speaker}: ` : "";
    out.push({ start, end: time(raw.endTime) ?? start, text: `${speaker}${text}` });
  }
  return out;
}

/** A publisher's transcript (podcast:transcript) in SRT, VTT, JSON, HTML or plain text. */
export function parsePublisherTranscript(body: string, type: string | undefined): Transcript {
  const kind = (type ?? "").toLowerCase();
  let segments: TranscriptSegment[] = [];
  if (kind.includes("json") || body.trimStart().startsWith("{")) segments = parseJsonTranscript(body);
  else if (kind.includes("vtt") || kind.includes("srt") || kind.includes("subrip") || body.includes("-->"))
    segments = parseCues(body);
  if (segments.length > 0) {
    return { source: "publisher", text: segments.map((s) => s.text).join(" "), segments };
  }
  const text = (kind.includes("html") || hasTag(body) ? replaceTags(body, " ") : body).replace(/\s+/g, " ").trim();
  return { source: "publisher", text };
}
