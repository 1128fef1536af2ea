"use client";

import { type ReactNode, useEffect, useRef } from "react";
import { useHighlights } from "./highlights-context";
import { paint } from "./paint-highlights";

/**
 * The article's stored HTML (its server-rendered children) with the highlights painted in after render, in the
 * browser's DOM: the HTML itself is never edited. React renders the children once and leaves their inside alone
 * (the same `dangerouslySetInnerHTML` string is never set again), so the marks stay until the highlights change.
 */
export function PaintedText({ children }: { children: ReactNode }) {
  const root = useRef<HTMLDivElement>(null);
  const { highlights, markOptions, reportPainted } = useHighlights();

  useEffect(() => {
    if (!root.current) return;
    reportPainted("text", paint(root.current, highlights, markOptions));
  }, [highlights, markOptions, reportPainted]);

  return (
    <div ref={root} data-highlightable="" data-highlight-source="text">
      {children}
    </div>
  );
}
