"use client";

import { type FormEvent, useState } from "react";
import type { Job } from "@/lib/domain";
import { JobCard } from "./job-card";

interface SubmitResponse {
  jobId?: string;
  error?: { reason: string; message: string };
}

/** The admin's working surface: submit a URL, watch its jobs live, and the failure inbox. */
export function AdminApp({ initialJobs, failedJobs }: { initialJobs: Job[]; failedJobs: Job[] }) {
  const [watched, setWatched] = useState<string[]>(() => initialJobs.slice(0, 3).map((j) => j.id));
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setSubmitting(true);
    setError(null);
    try {
      const response = await fetch("/api/jobs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ url: String(form.get("url") ?? ""), force: form.get("force") === "on" }),
      });
      const body = (await response.json()) as SubmitResponse;
      if (!response.ok || !body.jobId) {
        setError(body.error ? `${body.error.reason}: ${body.error.message}` : `HTTP ${response.status}`);
        return;
      }
      const jobId = body.jobId;
      setWatched((current) => [jobId, ...current.filter((id) => id !== jobId)]);
    } catch (cause) {
      setError(`Could not reach the server (${String(cause)})`);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="admin">
      <form className="submit" onSubmit={submit}>
        <label htmlFor="url">URL</label>
        <div className="row">
          <input id="url" name="url" type="url" required placeholder="https://example.com/article" autoComplete="off" />
          <button type="submit" disabled={submitting}>
            {submitting ? "Submitting…" : "Summarize"}
          </button>
        </div>
        <label className="check">
          <input type="checkbox" name="force" /> Summarize again even if it is already in the library
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>

      <section aria-label="Jobs" className="jobs">
        {watched.map((jobId) => (
          <JobCard key={jobId} jobId={jobId} />
        ))}
      </section>

      {failedJobs.length > 0 ? (
        <section aria-label="Failure inbox" className="inbox">
          <h2>Failure inbox</h2>
          <ul>
            {failedJobs.map((job) => (
              <li key={job.id}>
                <button
                  type="button"
                  className="link"
                  onClick={() => setWatched((current) => [job.id, ...current.filter((id) => id !== job.id)])}
                >
                  {job.url}
                </button>{" "}
                <span className="badge status-failed">{job.reason ?? "failed"}</span>{" "}
                <span className="muted small">{job.message}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
