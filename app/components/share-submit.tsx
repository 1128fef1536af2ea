"use client";

import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { postJson } from "@/lib/ui/reader-api";

interface Props {
  /** The link found in what was shared, or null. */
  url: string | null;
  /** Submit at once (the share sheet's own navigation), else wait for the button. */
  auto: boolean;
  /** What was shared, shown when it held no link. */
  shared: string;
}

/** Submits the shared URL as a job and follows it on the admin page; the form stays for a correction or a retry. */
export function ShareSubmit({ url, auto, shared }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const started = useRef(false);

  const submit = useCallback(async (value: string) => {
    setBusy(true);
    setError(null);
    try {
      const { jobId } = await postJson<{ jobId: string }>("/api/jobs", { url: value }, "Submitting");
      window.location.replace(`/admin?job=${encodeURIComponent(jobId)}`);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    if (auto && url && !started.current) {
      started.current = true;
      void submit(url);
    }
  }, [auto, url, submit]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void submit(String(new FormData(event.currentTarget).get("url") ?? ""));
  };

  return (
    <form onSubmit={onSubmit}>
      {url === null ? (
        <p className="muted">No link in what was shared{shared ? `: “${shared.slice(0, 200)}”` : ""}. Paste one:</p>
      ) : null}
      <label htmlFor="share-url">URL</label>
      <input id="share-url" name="url" type="url" required defaultValue={url ?? ""} />
      <button type="submit" disabled={busy}>
        {busy ? "Submitting…" : "Summarize"}
      </button>
      <p className="small muted" role="status">
        {busy ? "Submitting the link…" : ""}
      </p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
