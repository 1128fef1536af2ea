"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { ArticleState } from "@/lib/domain";
import { deleteArticleRequest, isShortcut, patchArticle } from "@/lib/ui/reader-api";

interface Props {
  id: string;
  title: string;
  tags: string[];
  state: ArticleState;
  read: boolean;
  favorite: boolean;
  note: string;
  position: { fraction: number | null; seconds: number | null };
}

/** How often a moving reading position is saved at most. */
const SAVE_EVERY_MS = 3_000;

/**
 * The reader's controls on an article: archive, favourite, read, delete (confirmed), title and tags, the note; and
 * the reading position, restored on open and saved while reading (scroll fraction, or seconds into the media).
 * Keys: e archives, f favourites.
 */
export function ArticleReader(props: Props) {
  const router = useRouter();
  const [state, setState] = useState(props.state);
  const [read, setRead] = useState(props.read);
  const [favorite, setFavorite] = useState(props.favorite);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [note, setNote] = useState(props.note);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);

  const save = async (patch: Parameters<typeof patchArticle>[1], done: string): Promise<boolean> => {
    setError(null);
    try {
      await patchArticle(props.id, patch);
      setStatus(done);
      return true;
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      return false;
    }
  };

  const toggleState = async () => {
    const next = state === "archived" ? "inbox" : "archived";
    setState(next);
    if (!(await save({ state: next }, next === "archived" ? "Archived" : "Moved to the inbox"))) setState(state);
  };
  const toggleFavorite = async () => {
    setFavorite(!favorite);
    if (!(await save({ favorite: !favorite }, favorite ? "Removed from favourites" : "Added to favourites")))
      setFavorite(favorite);
  };
  const toggleRead = async () => {
    setRead(!read);
    if (!(await save({ read: !read }, read ? "Marked unread" : "Marked read"))) setRead(read);
  };

  const latest = useRef({ toggleState, toggleFavorite });
  latest.current = { toggleState, toggleFavorite };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!isShortcut(event)) return;
      if (event.key === "e") void latest.current.toggleState();
      else if (event.key === "f") void latest.current.toggleFavorite();
      else return;
      event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  useReadingPosition(props.id, props.position);

  return (
    <section className="reader-bar" aria-label="Reading">
      <div className="reader-actions">
        <button type="button" className="secondary small-button" onClick={() => void toggleState()}>
          {state === "archived" ? "Move to inbox" : "Archive"}
        </button>
        <button
          type="button"
          className="secondary small-button"
          aria-pressed={favorite}
          onClick={() => void toggleFavorite()}
        >
          Favourite
        </button>
        <button type="button" className="secondary small-button" aria-pressed={read} onClick={() => void toggleRead()}>
          Read
        </button>
        <button
          type="button"
          className="secondary small-button"
          aria-expanded={editing}
          onClick={() => setEditing(!editing)}
        >
          Edit title and tags
        </button>
        {confirmDelete ? (
          <span className="confirm">
            Delete this article, its highlights and jobs?{" "}
            <button
              type="button"
              className="small-button danger-solid"
              onClick={async () => {
                setError(null);
                try {
                  await deleteArticleRequest(props.id);
                  router.push("/articles");
                } catch (cause) {
                  setError(cause instanceof Error ? cause.message : String(cause));
                }
              }}
            >
              Delete for good
            </button>{" "}
            <button type="button" className="secondary small-button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="secondary small-button danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>
      {editing ? (
        <form
          className="edit-form"
          aria-label="Edit title and tags"
          onSubmit={async (event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const title = String(form.get("title") ?? "");
            const tags = String(form.get("tags") ?? "")
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean);
            if (await save({ title, tags }, "Title and tags saved")) {
              setEditing(false);
              router.refresh();
            }
          }}
        >
          <label htmlFor="edit-title">Title</label>
          <input id="edit-title" name="title" defaultValue={props.title} required maxLength={500} />
          <label htmlFor="edit-tags">Tags</label>
          <input id="edit-tags" name="tags" defaultValue={props.tags.join(", ")} aria-describedby="edit-tags-hint" />
          <p className="hint small muted" id="edit-tags-hint">
            Separated by commas.
          </p>
          <div className="row">
            <button type="submit">Save</button>
            <button type="button" className="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <details className="note-box" open={props.note !== "" ? true : undefined}>
        <summary>Note</summary>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            await save({ note }, "Note saved");
          }}
        >
          <label htmlFor="article-note" className="visually-hidden">
            Note
          </label>
          <textarea
            id="article-note"
            rows={3}
            maxLength={20_000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <button type="submit" className="secondary small-button">
            Save note
          </button>
        </form>
      </details>
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

/**
 * Restores where the reader stopped (seconds into the media when the page has a player, else the scroll fraction)
 * and saves it as they go, at most every few seconds and when they leave.
 */
function useReadingPosition(id: string, saved: Props["position"]) {
  useEffect(() => {
    const media = document.querySelector<HTMLMediaElement>(".player audio, .player video");
    let lastSent = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let pending: { fraction?: number; seconds?: number } | null = null;
    const send = () => {
      timer = undefined;
      if (!pending) return;
      const position = pending;
      pending = null;
      lastSent = Date.now();
      void patchArticle(id, { position }).catch(() => undefined);
    };
    const queue = (position: { fraction?: number; seconds?: number }) => {
      pending = { ...pending, ...position };
      if (timer) return;
      timer = setTimeout(send, Math.max(0, SAVE_EVERY_MS - (Date.now() - lastSent)));
    };

    const scrollable = () => document.documentElement.scrollHeight - window.innerHeight;
    if (saved.fraction !== null && saved.fraction > 0.01 && scrollable() > 0) {
      window.scrollTo({ top: saved.fraction * scrollable() });
    }
    const onScroll = () => {
      const max = scrollable();
      if (max > 0) queue({ fraction: Math.min(1, Math.max(0, Math.round((window.scrollY / max) * 1000) / 1000)) });
    };
    const restoreTime = () => {
      if (media && saved.seconds !== null && saved.seconds > 1 && media.currentTime < 1) {
        media.currentTime = saved.seconds;
      }
    };
    const onTime = () => {
      if (media && media.currentTime > 0) queue({ seconds: Math.round(media.currentTime * 10) / 10 });
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    if (media) {
      if (media.readyState >= 1) restoreTime();
      else media.addEventListener("loadedmetadata", restoreTime, { once: true });
      media.addEventListener("timeupdate", onTime);
      media.addEventListener("pause", send);
    }
    const leave = () => {
      if (!pending) return;
      void fetch(`/api/articles/${id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ position: pending }),
        keepalive: true,
      }).catch(() => undefined);
      pending = null;
    };
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("scroll", onScroll);
      window.removeEventListener("pagehide", leave);
      media?.removeEventListener("loadedmetadata", restoreTime);
      media?.removeEventListener("timeupdate", onTime);
      media?.removeEventListener("pause", send);
      if (timer) clearTimeout(timer);
      leave();
    };
  }, [id, saved.fraction, saved.seconds]);
}
