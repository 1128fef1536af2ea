import type { LibraryKind } from "@/lib/store/store";

const KIND_ICON: Record<LibraryKind, string> = {
  article: "M4 3h12v14H4z M7 7h6 M7 10h6 M7 13h4",
  podcast: "M10 3a3 3 0 0 1 3 3v4a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z M5 10a5 5 0 0 0 10 0 M10 15v3",
  video: "M3 5h10v10H3z M13 8l4-2v8l-4-2",
  pdf: "M5 2h7l4 4v12H5z M12 2v4h4",
};

/** The library item's kind as a small outline icon (decorative: the kind is also written out). */
export function KindIcon({ kind }: { kind: LibraryKind }) {
  return (
    <svg className="kind-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
      <path d={KIND_ICON[kind]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}
