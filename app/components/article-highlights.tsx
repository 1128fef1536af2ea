"use client";

import { useEffect, useState } from "react";
import type { Highlight } from "@/lib/domain";
import { formatTimestamp } from "@/lib/ui/article";
import { deleteRequest, postJson } from "@/lib/ui/reader-api";
import { useHighlights } from "./highlights-context";
import { MARK_SELECTOR } from "./paint-highlights";
import { seekPlayer } from "./player-seek";

interface Props {
  articleId: string;
  /** The page has a player: a transcript highlight's time seeks it. */
  canSeek: boolean;
}

/** The longest selection offered as a highlight (the API's limit). */
const MAX_QUOTE = 5_000;

/** The selected text when it lies inside a part of the page that may be highlighted (`data-highlightable`). */
function selectedQuote(): string | null {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const node = selection.getRangeAt(0).commonAncestorContainer;
  const element = node instanceof Element ? node : node.parentElement;
  if (!element?.closest("[data-highlightable]")) return null;
  const text = selection.toString().trim();
  return text ? text.slice(0, MAX_QUOTE) : null;
}

/**
 * Takes the reader to a highlight's first place on the page (its own source first): opens the original text if it is
 * folded, scrolls there and gives the mark focus, which shows its note. False when it is painted nowhere.
 */
function showInText(highlight: Highlight): boolean {
  const ids = `[data-highlight-start~="${CSS.escape(highlight.id)}"]`;
  const mark =
    document.querySelector<HTMLElement>(`[data-highlight-source="${highlight.source}"] ${MARK_SELECTOR}${ids}`) ??
    document.querySelector<HTMLElement>(`${MARK_SELECTOR}${ids}`);
  if (!mark) return false;
  const details = mark.closest("details");
  if (details && !details.open) details.open = true;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  mark.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
  mark.focus({ preventScroll: true });
  return true;
}

/**
 * Highlights and their notes: select text in the original text or the transcript, add an optional note, save. Each
 * highlight lists its quote and note and takes the reader to its place in the text, where it is painted; a
 * transcript highlight's time plays the media from there.
 */
export function ArticleHighlights({ articleId, canSeek }: Props) {
  const { highlights, added, removed, painted } = useHighlights();
  const [quote, setQuote] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("");

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A selection is offered once it settles; clicking into the note field clears the selection but keeps the quote.
    const onChange = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const text = selectedQuote();
        if (text) setQuote(text);
      }, 250);
    };
    document.addEventListener("selectionchange", onChange);
    return () => {
      document.removeEventListener("selectionchange", onChange);
      clearTimeout(timer);
    };
  }, []);

  const save = async () => {
    if (!quote) return;
    setError(null);
    try {
      const saved = await postJson<Highlight>(
        `/api/articles/${articleId}/highlights`,
        { quote, ...(note.trim() ? { note } : {}) },
        "Highlighting",
      );
      added(saved);
      setQuote(null);
      setNote("");
      setStatus("Highlight saved");
      document.getSelection()?.removeAllRanges();
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };

  const remove = async (highlight: Highlight) => {
    setError(null);
    try {
      await deleteRequest(`/api/articles/${articleId}/highlights/${highlight.id}`, "Removing the highlight");
      removed(highlight.id);
      setStatus("Highlight removed");
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };

  return (
    <section className="highlights" aria-labelledby="highlights-heading">
      <h2 id="highlights-heading">Highlights</h2>
      {highlights.length === 0 ? (
        <p className="small muted">Select text in the original text or the transcript to highlight it.</p>
      ) : (
        <ul className="highlight-list">
          {highlights.map((h) => (
            <li key={h.id}>
              <blockquote>{h.quote}</blockquote>
              {h.note ? <p className="highlight-note">{h.note}</p> : null}
              <div className="row">
                {h.startSec !== null ? (
                  canSeek ? (
                    <button
                      type="button"
                      className="ts"
                      onClick={() => seekPlayer(h.startSec ?? 0)}
                      aria-label={`Play from ${formatTimestamp(h.startSec)}`}
                    >
                      {formatTimestamp(h.startSec)}
                    </button>
                  ) : (
                    <span className="ts">{formatTimestamp(h.startSec)}</span>
                  )
                ) : null}
                {painted.has(h.id) ? (
                  <button
                    type="button"
                    className="link"
                    aria-label={`Show in text: ${h.quote.slice(0, 60)}`}
                    onClick={() => {
                      if (!showInText(h)) setStatus("This highlight is not in the text on this page");
                    }}
                  >
                    Show in text
                  </button>
                ) : null}
                <button
                  type="button"
                  className="link"
                  onClick={() => void remove(h)}
                  aria-label={`Remove highlight: ${h.quote.slice(0, 60)}`}
                >
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {quote ? (
        <form
          className="highlight-panel card"
          aria-label="New highlight"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <p className="small">
            <span className="muted">Highlight:</span> “{quote.length > 160 ? `${quote.slice(0, 160)}…` : quote}”
          </p>
          <label htmlFor="highlight-note">Note (optional)</label>
          <textarea
            id="highlight-note"
            rows={2}
            maxLength={10_000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <div className="row">
            <button type="submit">Save highlight</button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setQuote(null);
                setNote("");
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <p className="small muted" role="status">
        {status}
      </p>
      {error ? (
        <p className="job-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
