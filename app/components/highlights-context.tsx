"use client";

import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { createPortal } from "react-dom";
import type { Highlight } from "@/lib/domain";
import { MARK_SELECTOR, type MarkOptions } from "./paint-highlights";

interface HighlightsValue {
  highlights: Highlight[];
  added(highlight: Highlight): void;
  removed(id: string): void;
  /** The highlights painted somewhere on the page (a list entry offers "Show in text" for these). */
  painted: ReadonlySet<string>;
  /** A painter (the original text, the transcript) says which highlights it painted. */
  reportPainted(where: string, ids: ReadonlySet<string>): void;
  markOptions: MarkOptions;
}

const HighlightsContext = createContext<HighlightsValue | null>(null);

const descriptionId = (id: string) => `highlight-note-${id}`;

/** The article page's highlights, shared by the list, the painted original text and the transcript. */
export function useHighlights(): HighlightsValue {
  const value = useContext(HighlightsContext);
  if (!value) throw new Error("useHighlights outside <HighlightsProvider>");
  return value;
}

/** The same, or nothing to paint when a component is rendered without the provider. */
export function useOptionalHighlights(): HighlightsValue | null {
  return useContext(HighlightsContext);
}

/**
 * Holds the article's highlights (saving one paints it at once, removing one unpaints it), gives each mark its
 * description (the highlight's note, for screen readers) and shows the note beside a mark that has focus or the
 * pointer; Escape hides it.
 */
export function HighlightsProvider({ initial, children }: { initial: Highlight[]; children: ReactNode }) {
  const [highlights, setHighlights] = useState(initial);
  const [paintedBy, setPaintedBy] = useState<Record<string, string>>({});

  const added = useCallback((highlight: Highlight) => setHighlights((current) => [...current, highlight]), []);
  const removed = useCallback((id: string) => setHighlights((current) => current.filter((h) => h.id !== id)), []);
  const reportPainted = useCallback((where: string, ids: ReadonlySet<string>) => {
    const key = [...ids].sort().join(" ");
    setPaintedBy((current) => (current[where] === key ? current : { ...current, [where]: key }));
  }, []);
  const painted = useMemo(
    () => new Set(Object.values(paintedBy).flatMap((key) => (key ? key.split(" ") : []))),
    [paintedBy],
  );
  const notes = useMemo(() => new Map(highlights.map((h) => [h.id, h.note])), [highlights]);
  const markOptions = useMemo<MarkOptions>(
    () => ({
      describedBy: (ids) => ids.map(descriptionId).join(" "),
      hasNote: (ids) => ids.some((id) => Boolean(notes.get(id))),
    }),
    [notes],
  );
  const value = useMemo(
    () => ({ highlights, added, removed, painted, reportPainted, markOptions }),
    [highlights, added, removed, painted, reportPainted, markOptions],
  );

  return (
    <HighlightsContext.Provider value={value}>
      {children}
      {/* What a mark's aria-describedby reads: hidden, as descriptions may be. */}
      <div hidden>
        {highlights.map((h) => (
          <span key={h.id} id={descriptionId(h.id)}>
            {h.note ? `Highlight. Note: ${h.note}` : "Highlight"}
          </span>
        ))}
      </div>
      <NoteTip notes={notes} />
    </HighlightsContext.Provider>
  );
}

interface Shown {
  mark: HTMLElement;
  notes: string[];
}

/** The notes of the highlights over a mark with focus or the pointer, shown below it. */
function NoteTip({ notes }: { notes: ReadonlyMap<string, string | null> }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);
  const tip = useRef<HTMLDivElement>(null);
  const notesRef = useRef(notes);
  notesRef.current = notes;

  useEffect(() => {
    const markOf = (target: EventTarget | null): HTMLElement | null =>
      target instanceof Element ? target.closest<HTMLElement>(MARK_SELECTOR) : null;
    const show = (mark: HTMLElement | null) => {
      if (!mark) return setShown(null);
      const ids = (mark.dataset.highlightIds ?? "").split(" ");
      const texts = ids.map((id) => notesRef.current.get(id)).filter((n): n is string => Boolean(n));
      setShown(texts.length > 0 ? { mark, notes: texts } : null);
    };
    const onFocusIn = (event: FocusEvent) => show(markOf(event.target));
    const onFocusOut = () => setShown(null);
    const onOver = (event: MouseEvent) => {
      // The pointer may move onto the note itself without it closing (WCAG 1.4.13: hoverable).
      if (event.target instanceof Node && tip.current?.contains(event.target)) return;
      const mark = markOf(event.target);
      if (mark) show(mark);
      else if (!(document.activeElement instanceof Element && document.activeElement.matches(MARK_SELECTOR)))
        setShown(null);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setShown(null);
    };
    document.addEventListener("focusin", onFocusIn);
    document.addEventListener("focusout", onFocusOut);
    document.addEventListener("mouseover", onOver);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("focusin", onFocusIn);
      document.removeEventListener("focusout", onFocusOut);
      document.removeEventListener("mouseover", onOver);
      document.removeEventListener("keydown", onKey);
    };
  }, []);

  // A highlight removed while its note is shown takes the note with it.
  useEffect(() => {
    if (shown && !shown.mark.isConnected) setShown(null);
  }, [shown]);

  useLayoutEffect(() => {
    if (!shown || !tip.current) return setPosition(null);
    const rect = shown.mark.getClientRects()[0] ?? shown.mark.getBoundingClientRect();
    const width = tip.current.offsetWidth;
    const viewport = document.documentElement.clientWidth;
    setPosition({
      top: rect.bottom + window.scrollY + 6,
      left: window.scrollX + Math.max(8, Math.min(rect.left, viewport - width - 8)),
    });
  }, [shown]);

  if (!shown) return null;
  return createPortal(
    // The notes are the marks' descriptions already: screen readers hear them there, not twice.
    <div
      ref={tip}
      className="highlight-tip"
      aria-hidden="true"
      data-testid="highlight-tip"
      style={position ? { top: position.top, left: position.left } : { visibility: "hidden", top: 0, left: 0 }}
    >
      {shown.notes.map((note) => (
        <p key={note}>{note}</p>
      ))}
    </div>,
    document.body,
  );
}
