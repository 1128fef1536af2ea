"use client";

import { Fragment, type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { findMatches, formatTimestamp, type TranscriptParagraph } from "@/lib/ui/article";
import { layerRuns, type Piece, paintPieces } from "@/lib/ui/highlight-paint";
import { useOptionalHighlights } from "./highlights-context";
import { type MarkOptions, markAttributes } from "./paint-highlights";

export interface PlayableMedia {
  kind: "audio" | "video" | "youtube";
  url: string;
  type?: string;
  youtubeId?: string;
}

interface Props {
  media: PlayableMedia | null;
  chapters: { start: number; title: string }[];
  /** Timestamped paragraphs; `start` is NaN for a transcript without times. */
  paragraphs: TranscriptParagraph[];
  transcriptSource?: string;
  /** Server-rendered content placed between the chapters and the transcript (the summary). */
  children?: ReactNode;
}

/**
 * The live part of the article page: the player, chapters that seek it, and the transcript with in-page search
 * whose timestamps seek it too. Everything else on the page is a server component.
 */
export function ArticleMedia({ media, chapters, paragraphs, transcriptSource, children }: Props) {
  const player = useRef<HTMLMediaElement | null>(null);
  const frame = useRef<HTMLIFrameElement | null>(null);
  const [currentTime, setCurrentTime] = useState(0);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const transcript = useRef<HTMLDivElement>(null);

  const seek = (seconds: number) => {
    if (player.current) {
      player.current.currentTime = seconds;
      void player.current.play().catch(() => undefined);
    } else if (frame.current?.contentWindow) {
      const send = (func: string, args: unknown[]) =>
        frame.current?.contentWindow?.postMessage(JSON.stringify({ event: "command", func, args }), "*");
      send("seekTo", [seconds, true]);
      send("playVideo", []);
    }
    setCurrentTime(seconds);
  };

  const matchesPerParagraph = useMemo(() => paragraphs.map((p) => findMatches(p.text, query)), [paragraphs, query]);
  // Highlights are painted here by React (it owns these nodes), with the same finder as the original text's painter.
  const shared = useOptionalHighlights();
  const highlights = shared?.highlights;
  const reportPainted = shared?.reportPainted;
  const piecesPerParagraph = useMemo(() => {
    const perParagraph: Piece[][] = paragraphs.map(() => []);
    if (!highlights?.length) return perParagraph;
    const chunks = paragraphs.map((p, i) => ({ text: p.text, breakBefore: i > 0 }));
    for (const piece of paintPieces(chunks, highlights)) perParagraph[piece.chunk]?.push(piece);
    return perParagraph;
  }, [paragraphs, highlights]);
  useEffect(() => {
    reportPainted?.("transcript", new Set(piecesPerParagraph.flat().flatMap((p) => p.ids)));
  }, [piecesPerParagraph, reportPainted]);
  const total = matchesPerParagraph.reduce((n, m) => n + m.length, 0);

  useEffect(() => {
    if (total === 0) return;
    const marks = transcript.current?.querySelectorAll("mark.search-hit");
    const mark = marks?.[active % marks.length];
    marks?.forEach((m) => {
      m.classList.toggle("current", m === mark);
    });
    mark?.scrollIntoView({ block: "center", behavior: "smooth" });
  }, [active, total]);

  const playing = paragraphs.findLastIndex((p) => Number.isFinite(p.start) && p.start <= currentTime);
  const canSeek = media !== null;

  return (
    <>
      {media ? (
        // Audio stays docked at the top while the reader scrolls to chapters and timestamps; a video or an embed
        // would cover most of a phone's screen, so it stays in the flow.
        <section className={media.kind === "audio" ? "player player-docked" : "player"} aria-label="Player">
          {media.kind === "youtube" && media.youtubeId ? (
            <div className="embed">
              <iframe
                ref={frame}
                title="YouTube video"
                src={`https://www.youtube-nocookie.com/embed/${media.youtubeId}?enablejsapi=1`}
                allow="encrypted-media; picture-in-picture"
                allowFullScreen
                referrerPolicy="strict-origin-when-cross-origin"
              />
            </div>
          ) : media.kind === "video" ? (
            // biome-ignore lint/a11y/useMediaCaption: the transcript below is the text alternative.
            <video
              ref={(el) => {
                player.current = el;
              }}
              controls
              preload="metadata"
              src={media.url}
              onTimeUpdate={(e) => setCurrentTime(e.currentTarget.currentTime)}
            />
          ) : (
            // biome-ignore lint/a11y/useMediaCaption: the transcript below is the text alternative.
            <audio
              ref={(el) => {
                player.current = el;
              }}
              controls
              preload="metadata"
              src={media.url}
              onTimeUpdate={(e) => setCurrentTime(e.currentTarget.currentTime)}
              data-testid="player"
            />
          )}
        </section>
      ) : null}

      {chapters.length > 0 ? (
        <section aria-labelledby="chapters-heading">
          <h2 id="chapters-heading">Chapters</h2>
          <ol className="chapters">
            {chapters.map((chapter, i) => {
              const next = chapters[i + 1]?.start ?? Number.POSITIVE_INFINITY;
              const current = canSeek && currentTime >= chapter.start && currentTime < next;
              return (
                <li key={`${chapter.start}-${chapter.title}`} aria-current={current ? "true" : undefined}>
                  {canSeek ? (
                    <button
                      type="button"
                      className="chapter"
                      data-start={chapter.start}
                      onClick={() => seek(chapter.start)}
                    >
                      <span className="ts">{formatTimestamp(chapter.start)}</span> {chapter.title}
                    </button>
                  ) : (
                    <span className="chapter">
                      <span className="ts">{formatTimestamp(chapter.start)}</span> {chapter.title}
                    </span>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      ) : null}

      {children}

      {paragraphs.length > 0 ? (
        <section className="transcript-section" aria-labelledby="transcript-heading">
          <h2 id="transcript-heading">Transcript</h2>
          {transcriptSource ? <p className="small muted">Source: {transcriptSource}</p> : null}
          <search className="transcript-search">
            <label htmlFor="transcript-q" className="visually-hidden">
              Search the transcript
            </label>
            <input
              id="transcript-q"
              type="search"
              placeholder="Search the transcript"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                setActive(0);
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter" && total > 0) {
                  e.preventDefault();
                  setActive((a) => (a + (e.shiftKey ? total - 1 : 1)) % total);
                }
              }}
            />
            <span className="small muted" aria-live="polite" data-testid="transcript-matches">
              {query.trim().length >= 2 ? `${total} ${total === 1 ? "match" : "matches"}` : ""}
            </span>
            {total > 1 ? (
              <>
                <button
                  type="button"
                  className="secondary small-button"
                  onClick={() => setActive((a) => (a + total - 1) % total)}
                >
                  Previous
                </button>
                <button
                  type="button"
                  className="secondary small-button"
                  onClick={() => setActive((a) => (a + 1) % total)}
                >
                  Next
                </button>
              </>
            ) : null}
          </search>
          <div className="transcript" ref={transcript} data-highlightable="" data-highlight-source="transcript">
            {paragraphs.map((p, i) => {
              const matches = matchesPerParagraph[i] ?? [];
              const pieces = piecesPerParagraph[i] ?? [];
              return (
                <p key={`${p.start}:${p.text.slice(0, 60)}`} className={i === playing ? "playing" : undefined}>
                  {Number.isFinite(p.start) ? (
                    canSeek ? (
                      <button
                        type="button"
                        className="ts"
                        onClick={() => seek(p.start)}
                        aria-label={`Play from ${formatTimestamp(p.start)}`}
                      >
                        {formatTimestamp(p.start)}
                      </button>
                    ) : (
                      <span className="ts">{formatTimestamp(p.start)}</span>
                    )
                  ) : null}
                  {p.speaker ? <strong className="speaker">{p.speaker}: </strong> : null}
                  <span>{paintRuns(p.text, pieces, matches, shared?.markOptions)}</span>
                </p>
              );
            })}
          </div>
        </section>
      ) : null}
    </>
  );
}

/** A paragraph's text with its highlights (marks a keyboard can stop at) and the search's matches inside them. */
function paintRuns(
  text: string,
  pieces: Piece[],
  matches: [number, number][],
  options: MarkOptions | undefined,
): ReactNode {
  if (matches.length === 0 && pieces.length === 0) return text;
  return layerRuns(text.length, pieces, matches).map((run) => {
    const part = text.slice(run.start, run.end);
    const inner = run.hit ? <mark className="search-hit">{part}</mark> : part;
    if (run.ids.length === 0 || !options) return <Fragment key={run.start}>{inner}</Fragment>;
    const attributes = markAttributes(run, options);
    return (
      <mark
        key={run.start}
        className={attributes.class}
        data-highlight-ids={attributes["data-highlight-ids"]}
        data-highlight-start={attributes["data-highlight-start"]}
        tabIndex={attributes.tabindex === undefined ? undefined : 0}
        aria-describedby={attributes["aria-describedby"]}
      >
        {inner}
      </mark>
    );
  });
}
