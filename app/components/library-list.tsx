"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ArticleState } from "@/lib/domain";
import type { LibraryKind } from "@/lib/store/store";
import { deleteArticleRequest, isShortcut, patchArticle } from "@/lib/ui/reader-api";
import { KindIcon } from "./kind-icon";
import { SafeHtml } from "./safe-html";

/** One library row as the server prepared it (headline cleaned, snippet made safe, links built). */
export interface LibraryRow {
  id: string;
  title: string;
  kind: LibraryKind;
  kindLabel: string;
  meta: string;
  /** Safe HTML (snippetHtml) of a search match, else null and the TL;DR is shown. */
  snippetHtml: string | null;
  tldr: string;
  tags: { tag: string; href: string }[];
  state: ArticleState;
  read: boolean;
  favorite: boolean;
}

interface Props {
  rows: LibraryRow[];
  /** The view's state filter: an item leaving it (archived from the inbox) leaves the list. */
  viewState: ArticleState | null;
}

/** What an undo puts back. */
interface Undo {
  message: string;
  undo: () => void;
}

const UNDO_MS = 6_000;

/**
 * The library's list with the reader's actions on every item, by mouse or keyboard: j/k move, e archives (or moves
 * back to the inbox), f favourites, # deletes. A deletion waits for its undo window before it is sent (and is sent
 * at once if the page is left meanwhile); an archive is sent at once and undone by moving the item back.
 */
export function LibraryList({ rows: initial, viewState }: Props) {
  const [rows, setRows] = useState(initial);
  const [selected, setSelected] = useState(0);
  const [undo, setUndo] = useState<Undo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pendingDeletes = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const list = useRef<HTMLUListElement>(null);

  const focusRow = useCallback((index: number) => {
    const link = list.current?.querySelectorAll<HTMLAnchorElement>(".library-title")[index];
    link?.focus();
  }, []);

  const update = (id: string, change: Partial<LibraryRow>) =>
    setRows((current) => current.map((r) => (r.id === id ? { ...r, ...change } : r)));

  const removeRow = (id: string): { row: LibraryRow; index: number } | null => {
    const index = rows.findIndex((r) => r.id === id);
    const row = rows[index];
    if (!row) return null;
    setRows((current) => current.filter((r) => r.id !== id));
    setSelected((s) => Math.max(0, Math.min(s, rows.length - 2)));
    return { row, index };
  };

  const putBack = (row: LibraryRow, index: number) =>
    setRows((current) => [...current.slice(0, index), row, ...current.slice(index)]);

  const run = async (work: Promise<void>) => {
    setError(null);
    try {
      await work;
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      throw cause;
    }
  };

  const setState = async (row: LibraryRow, state: ArticleState) => {
    const leaves = viewState !== null && viewState !== state;
    const removed = leaves ? removeRow(row.id) : null;
    if (!leaves) update(row.id, { state });
    try {
      await run(patchArticle(row.id, { state }, state === "archived" ? "Archiving" : "Moving to the inbox"));
    } catch {
      if (removed) putBack(removed.row, removed.index);
      else update(row.id, { state: row.state });
      return;
    }
    setUndo({
      message: `${state === "archived" ? "Archived" : "Moved to the inbox"}: ${row.title}`,
      undo: () => {
        void run(patchArticle(row.id, { state: row.state }, "Undoing")).then(
          () => {
            if (removed) putBack({ ...removed.row, state: row.state }, removed.index);
            else update(row.id, { state: row.state });
          },
          () => undefined,
        );
      },
    });
  };

  const toggle = async (row: LibraryRow, field: "favorite" | "read") => {
    const value = !row[field];
    update(row.id, { [field]: value });
    try {
      await run(patchArticle(row.id, { [field]: value }));
    } catch {
      update(row.id, { [field]: row[field] });
    }
  };

  const remove = (row: LibraryRow) => {
    const removed = removeRow(row.id);
    if (!removed) return;
    const timer = setTimeout(() => {
      pendingDeletes.current.delete(row.id);
      run(deleteArticleRequest(row.id)).catch(() => putBack(removed.row, removed.index));
    }, UNDO_MS);
    pendingDeletes.current.set(row.id, timer);
    setUndo({
      message: `Deleted: ${row.title}`,
      undo: () => {
        clearTimeout(timer);
        pendingDeletes.current.delete(row.id);
        putBack(removed.row, removed.index);
      },
    });
  };

  // Deletions still waiting for their undo window are sent when the page goes away.
  useEffect(() => {
    const pending = pendingDeletes.current;
    const flush = () => {
      for (const [id, timer] of pending) {
        clearTimeout(timer);
        void deleteArticleRequest(id, true).catch(() => undefined);
      }
      pending.clear();
    };
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, []);

  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(() => setUndo(null), UNDO_MS);
    return () => clearTimeout(timer);
  }, [undo]);

  // Handlers read the latest rows through a ref so the listener is attached once.
  const latest = useRef({ rows, selected, setState, toggle, remove });
  latest.current = { rows, selected, setState, toggle, remove };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!isShortcut(event)) return;
      const { rows: current, selected: index } = latest.current;
      const row = current[index];
      const move = (to: number) => {
        const next = Math.max(0, Math.min(current.length - 1, to));
        setSelected(next);
        focusRow(next);
      };
      switch (event.key) {
        case "j":
          move(index + 1);
          break;
        case "k":
          move(index - 1);
          break;
        case "e":
          if (row) void latest.current.setState(row, row.state === "archived" ? "inbox" : "archived");
          break;
        case "f":
          if (row) void latest.current.toggle(row, "favorite");
          break;
        case "#":
          if (row) latest.current.remove(row);
          break;
        default:
          return;
      }
      event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [focusRow]);

  return (
    <>
      <p className="small muted shortcuts" id="library-shortcuts">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>e</kbd> archive · <kbd>f</kbd> favourite · <kbd>#</kbd> delete
      </p>
      <ul className="library" ref={list} aria-describedby="library-shortcuts">
        {rows.map((row, index) => (
          <li
            key={row.id}
            className="library-item"
            data-kind={row.kind}
            data-selected={index === selected ? "" : undefined}
            data-read={row.read ? "" : undefined}
            onFocusCapture={() => setSelected(index)}
          >
            <KindIcon kind={row.kind} />
            <div className="library-body">
              <a className="library-title" href={`/articles/${row.id}`}>
                {row.favorite ? (
                  <span className="fav-star" role="img" aria-label="Favourite">
                    ★{" "}
                  </span>
                ) : null}
                {row.title}
              </a>
              <p className="small muted meta">
                <span className="kind-label">{row.kindLabel}</span>
                {" · "}
                {row.meta}
                {row.read ? " · Read" : ""}
                {row.state === "archived" ? " · Archived" : ""}
              </p>
              {row.snippetHtml ? (
                <SafeHtml className="small snippet" html={row.snippetHtml} />
              ) : (
                <p className="small snippet">{row.tldr}</p>
              )}
              {row.tags.length > 0 ? (
                <p className="tags">
                  {row.tags.map(({ tag, href }) => (
                    <a key={tag} className="badge" href={href}>
                      #{tag}
                    </a>
                  ))}
                </p>
              ) : null}
              <fieldset className="item-actions">
                <legend className="visually-hidden">Actions for {row.title}</legend>
                <button
                  type="button"
                  className="secondary small-button"
                  onClick={() => void setState(row, row.state === "archived" ? "inbox" : "archived")}
                >
                  {row.state === "archived" ? "Move to inbox" : "Archive"}
                </button>
                <button
                  type="button"
                  className="secondary small-button"
                  aria-pressed={row.favorite}
                  onClick={() => void toggle(row, "favorite")}
                >
                  Favourite
                </button>
                <button
                  type="button"
                  className="secondary small-button"
                  aria-pressed={row.read}
                  onClick={() => void toggle(row, "read")}
                >
                  Read
                </button>
                <button type="button" className="secondary small-button danger" onClick={() => remove(row)}>
                  Delete
                </button>
              </fieldset>
            </div>
          </li>
        ))}
      </ul>
      {rows.length === 0 && initial.length > 0 ? <p className="muted">Nothing left in this view.</p> : null}
      <div className="toast-region" role="status" aria-live="polite">
        {undo ? (
          <div className="toast">
            <span>{undo.message}</span>
            <button
              type="button"
              className="link"
              onClick={() => {
                undo.undo();
                setUndo(null);
              }}
            >
              Undo
            </button>
          </div>
        ) : null}
      </div>
      <div className="toast-region toast-errors" role="alert">
        {error ? <div className="toast toast-error">{error}</div> : null}
      </div>
    </>
  );
}
