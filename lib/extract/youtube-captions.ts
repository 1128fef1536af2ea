import type { Transcript, TranscriptSegment } from "../domain";
import { AppError } from "../errors";
import type { SafeFetch } from "../net/types";
import { decodeEntities, type ElementMatch, replaceElements, replaceTags } from "./text";
import { explainFetchError, refused } from "./youtube-refusals";

/**
 * YouTube captions, read the way the watch page reads them: the page's `ytInitialPlayerResponse` lists the
 * caption tracks, and each track's `baseUrl` serves timed text. No API key is needed — and YouTube often
 * refuses servers (cloud IPs get a bot check or a 429, some tracks need a proof-of-origin token), so every
 * refusal becomes `media_unreadable` with a message that says which one it was.
 */

const YOUTUBE_ORIGIN = "https://www.youtube.com";
/** Skips the EU consent interstitial, as a browser that already answered it would. */
const CONSENT_COOKIE = "SOCS=CAI; CONSENT=YES+1";

interface CaptionTrack {
  baseUrl?: string;
  languageCode?: string;
  kind?: string;
  name?: { simpleText?: string; runs?: { text?: string }[] };
}

interface PlayerResponse {
  playabilityStatus?: { status?: string; reason?: string };
  videoDetails?: { title?: string; lengthSeconds?: string };
  captions?: { playerCaptionsTracklistRenderer?: { captionTracks?: CaptionTrack[] } };
}

/** The JSON object literal that starts at `start` (a `{`), found by bracket counting outside strings. */
export function sliceJsonObject(source: string, start: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const ch = source[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return source.slice(start, i + 1);
  }
  return null;
}

export function parsePlayerResponse(html: string): PlayerResponse | null {
  const marker = /ytInitialPlayerResponse\s*=\s*\{/.exec(html);
  if (!marker) return null;
  const json = sliceJsonObject(html, marker.index + marker[0].length - 1);
  if (!json) return null;
  try {
    return JSON.parse(json) as PlayerResponse;
  } catch {
    return null;
  }
}

/** Human captions in the wanted language first, then any human track, then auto-generated ones. */
export function pickTrack(tracks: CaptionTrack[], lang: string | null): CaptionTrack | undefined {
  const usable = tracks.filter((t) => t.baseUrl);
  const base = (code: string | undefined) => (code ?? "").toLowerCase().split("-")[0];
  const wanted = base(lang ?? "en");
  const human = usable.filter((t) => t.kind !== "asr");
  return (
    human.find((t) => base(t.languageCode) === wanted) ??
    human.find((t) => base(t.languageCode) === "en") ??
    human[0] ??
    usable.find((t) => base(t.languageCode) === wanted) ??
    usable[0]
  );
}

/** Timed text in YouTube's json3, srv3 (`<p t= d=>`) or classic (`<text start= dur=>`) format. */
export function parseTimedText(body: string): TranscriptSegment[] {
  const trimmed = body.trimStart();
  const clean = (text: string) => decodeEntities(replaceTags(text, "")).replace(/\s+/g, " ").trim();
  if (trimmed.startsWith("{")) {
    const data = JSON.parse(trimmed) as {
      events?: { tStartMs?: number; dDurationMs?: number; segs?: { utf8?: string }[] }[];
    };
    return (data.events ?? [])
      .map((e) => ({
        start: (e.tStartMs ?? 0) / 1000,
        end: ((e.tStartMs ?? 0) + (e.dDurationMs ?? 0)) / 1000,
        text: clean((e.segs ?? []).map((s) => s.utf8 ?? "").join("")),
      }))
      .filter((s) => s.text);
  }
  const segments: TranscriptSegment[] = [];
  // Classic timed text is all <text>, srv3 all <p>: each kind in document order, then merged by position.
  const elements: (ElementMatch & { isMs: boolean })[] = [];
  for (const [name, isMs] of [
    ["text", false],
    ["p", true],
  ] as const) {
    replaceElements(
      trimmed,
      name,
      (match) => {
        elements.push({ ...match, isMs });
        return "";
      },
      { ignoreCase: false },
    );
  }
  elements.sort((a, b) => a.index - b.index);
  for (const { attrs, inner, isMs } of elements) {
    const attr = (name: string) => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(attrs)?.[1] ?? Number.NaN);
    const start = isMs ? attr("t") / 1000 : attr("start");
    const duration = isMs ? attr("d") / 1000 : attr("dur");
    const text = clean(inner);
    if (text && Number.isFinite(start)) {
      segments.push({ start, end: start + (Number.isFinite(duration) ? duration : 0), text });
    }
  }
  return segments;
}

function videoId(url: string): string {
  const id = new URL(url).searchParams.get("v");
  if (!id) throw new AppError("invalid_url", `Not a YouTube watch URL: ${url}`);
  return id;
}

export async function fetchYoutubeCaptions(
  watchUrl: string,
  deps: { fetch: SafeFetch; lang?: string | null },
): Promise<Transcript> {
  const id = videoId(watchUrl);
  const page = await deps
    .fetch(`${YOUTUBE_ORIGIN}/watch?v=${encodeURIComponent(id)}&hl=en`, {
      headers: { Cookie: CONSENT_COOKIE, "Accept-Language": "en-US,en;q=0.8" },
      maxBytes: 6 * 1024 * 1024,
    })
    .catch((error: unknown) => explainFetchError(error, "the video page"));
  const landed = new URL(page.url);
  if (landed.hostname.startsWith("consent.")) {
    throw refused("YouTube answered with its cookie-consent page instead of the video");
  }
  if (landed.pathname.startsWith("/sorry")) {
    throw refused("YouTube sent this server to its unusual-traffic check; it often blocks cloud IP addresses");
  }
  const html = new TextDecoder().decode(page.body);
  const player = parsePlayerResponse(html);
  if (!player) {
    throw refused("YouTube served a page without the video's player data (a bot check or a changed page)");
  }
  const status = player.playabilityStatus?.status ?? "OK";
  if (status !== "OK") {
    const why = player.playabilityStatus?.reason ?? status;
    throw refused(
      /bot|sign in/i.test(why)
        ? `YouTube asked this server to prove it is not a bot ("${why}"); it often blocks cloud IP addresses`
        : `YouTube will not play this video: ${why}`,
    );
  }
  const tracks = player.captions?.playerCaptionsTracklistRenderer?.captionTracks ?? [];
  const track = pickTrack(tracks, deps.lang ?? null);
  if (!track?.baseUrl) {
    throw refused("This YouTube video has no captions, and downloading YouTube audio is not supported");
  }
  const trackUrl = new URL(track.baseUrl, YOUTUBE_ORIGIN);
  if (!/(^|\.)youtube\.com$/.test(trackUrl.hostname) && trackUrl.origin !== new URL(page.url).origin) {
    throw refused("YouTube listed a caption track on an unexpected host");
  }
  trackUrl.searchParams.set("fmt", "json3");
  const captions = await deps
    .fetch(trackUrl.toString(), { headers: { Cookie: CONSENT_COOKIE }, maxBytes: 5 * 1024 * 1024 })
    .catch((error: unknown) => explainFetchError(error, "captions"));
  const body = new TextDecoder().decode(captions.body);
  if (!body.trim()) {
    throw refused(
      "YouTube returned empty captions to this server (it requires a proof-of-origin token from many servers)",
    );
  }
  let segments: TranscriptSegment[];
  try {
    segments = parseTimedText(body);
  } catch (error) {
    throw refused("YouTube's captions could not be read", error);
  }
  if (segments.length === 0) throw refused("YouTube's captions for this video are empty");
  return {
    source: "youtube-captions",
    text: segments.map((s) => s.text).join(" "),
    segments,
    model: `${track.kind === "asr" ? "auto-generated" : "human"} captions (${track.languageCode ?? "?"})`,
  };
}
