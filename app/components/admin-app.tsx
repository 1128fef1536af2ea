"use client";

import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { bookmarkletHref, MAX_URLS, parseUrlList } from "@/lib/ui/submit";
import { JobCard, type JobCardProps } from "./job-card";
import { LanguageSelect } from "./language-select";

interface SubmitResponse {
  jobId?: string;
  error?: { reason: string; message: string };
}

interface SubmitProblem {
  url: string;
  message: string;
}

const SUBMIT_CONCURRENCY = 4;

/** A card the server rendered: the job's view on first paint (and its article when it made one). */
export type InitialJob = Pick<JobCardProps, "jobId" | "initial" | "article" | "runUrl">;

/** The admin's working surface: submit one URL or many, and watch each job live. */
export function AdminApp({ initialJobs, prefill }: { initialJobs: InitialJob[]; prefill?: string }) {
  const [watched, setWatched] = useState<string[]>(() => initialJobs.map((job) => job.jobId));
  // What each card starts from: the server's view, or the URL just submitted (so no card shows a raw id).
  const [starts, setStarts] = useState<Record<string, Omit<JobCardProps, "jobId">>>(() =>
    Object.fromEntries(initialJobs.map(({ jobId, ...start }) => [jobId, start])),
  );
  const [text, setText] = useState(prefill ?? "");
  const [formError, setFormError] = useState<string | null>(null);
  const [problems, setProblems] = useState<SubmitProblem[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const hintId = useId();
  const errorId = useId();
  const parsed = parseUrlList(text);
  const count = parsed.urls.length;

  const submitOne = async (url: string, force: boolean, lang: string): Promise<void> => {
    try {
      const response = await fetch("/api/jobs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ url, force, ...(lang ? { lang } : {}) }),
      });
      const body = (await response.json().catch(() => ({}))) as SubmitResponse;
      if (!response.ok || !body.jobId) {
        const message = body.error ? `${body.error.reason}: ${body.error.message}` : `HTTP ${response.status}`;
        setProblems((current) => [...current, { url, message }]);
        return;
      }
      const jobId = body.jobId;
      setStarts((current) => (current[jobId] ? current : { ...current, [jobId]: { url } }));
      setWatched((current) => [jobId, ...current.filter((id) => id !== jobId)]);
    } catch (cause) {
      setProblems((current) => [...current, { url, message: `Could not reach the server (${String(cause)})` }]);
    }
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFormError(null);
    setProblems([]);
    if (parsed.invalid.length > 0) {
      setFormError(
        `Not a web address: ${parsed.invalid.slice(0, 3).join(", ")}${parsed.invalid.length > 3 ? "…" : ""}`,
      );
      return;
    }
    if (parsed.tooMany) {
      setFormError(`At most ${MAX_URLS} URLs at once.`);
      return;
    }
    if (count === 0) {
      setFormError("Paste a URL to summarize.");
      return;
    }
    const force = form.get("force") === "on";
    const lang = String(form.get("lang") ?? "");
    setSubmitting(true);
    // Submitted in order, a few at a time, so the cards appear in the order the URLs were pasted (newest on top).
    const queue = [...parsed.urls];
    await Promise.all(
      Array.from({ length: Math.min(SUBMIT_CONCURRENCY, queue.length) }, async () => {
        for (let url = queue.shift(); url; url = queue.shift()) await submitOne(url, force, lang);
      }),
    );
    setSubmitting(false);
    setText("");
  };

  return (
    <div className="admin">
      <form className="submit card" onSubmit={submit} noValidate>
        <label htmlFor="url">URL</label>
        <textarea
          id="url"
          name="url"
          rows={count > 1 || text.includes("\n") ? 4 : 1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !text.includes("\n")) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
          placeholder="https://example.com/article"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={formError ? `${hintId} ${errorId}` : hintId}
          aria-invalid={formError ? true : undefined}
        />
        <p id={hintId} className="hint small muted">
          One URL, or up to {MAX_URLS} — one per line (Shift+Enter for a new line).
          {count > 1 ? ` ${count} URLs ready.` : ""}
        </p>
        <div className="options">
          <label className="check">
            <input type="checkbox" name="force" /> Summarize again even if it is in the library
          </label>
          <LanguageSelect label="Summary language" className="inline-select" />
          <button type="submit" disabled={submitting}>
            {submitting ? "Submitting…" : "Summarize"}
          </button>
        </div>
        {formError ? (
          <p id={errorId} className="form-error" role="alert">
            {formError}
          </p>
        ) : null}
        {problems.length > 0 ? (
          <div className="form-error" role="alert">
            <p>{problems.length} of the URLs could not be submitted:</p>
            <ul className="problems">
              {problems.map((p) => (
                <li key={p.url}>
                  <span className="url">{p.url}</span> — {p.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </form>

      <section aria-label="Jobs" className="jobs">
        {watched.length === 0 ? (
          <div className="empty">
            <p className="empty-title">No jobs yet</p>
            <p className="muted">
              Paste a link above. Each URL gets a card that shows its six stages live: fetch, detect, extract,
              transcribe, summarize, save.
            </p>
          </div>
        ) : (
          watched.map((jobId) => (
            <JobCard
              key={jobId}
              jobId={jobId}
              {...starts[jobId]}
              onDismiss={() => setWatched((current) => current.filter((id) => id !== jobId))}
            />
          ))
        )}
      </section>

      <Bookmarklet />
    </div>
  );
}

/** React refuses to render `javascript:` hrefs, so the bookmarklet's href is set on the element after mount. */
function Bookmarklet() {
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    link.current?.setAttribute("href", bookmarkletHref(window.location.origin));
  }, []);
  return (
    <section className="bookmarklet small muted" aria-label="Bookmarklet">
      <h2>Summarize from any tab</h2>
      <p>
        Drag{" "}
        <a ref={link} className="bookmarklet-link" href="#bookmarklet">
          Summarize this
        </a>{" "}
        to your bookmarks bar. Clicking it opens this page with the tab&apos;s URL filled in; it carries no password or
        token.
      </p>
    </section>
  );
}
