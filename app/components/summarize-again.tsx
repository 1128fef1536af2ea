"use client";

import { type FormEvent, useState } from "react";
import { LanguageSelect } from "./language-select";

/**
 * "Summarize again" with another model or language: a new summary version made by the same durable pipeline as its
 * own job (POST /api/articles/:id/summaries). Earlier versions stay.
 */
export function SummarizeAgain({ articleId }: { articleId: string }) {
  const [state, setState] = useState<
    { kind: "idle" | "busy" } | { kind: "started"; jobId?: string } | { kind: "error"; message: string }
  >({
    kind: "idle",
  });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const model = String(form.get("model") ?? "").trim();
    const lang = String(form.get("lang") ?? "");
    setState({ kind: "busy" });
    try {
      const response = await fetch(`/api/articles/${articleId}/summaries`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...(model ? { model } : {}), ...(lang ? { lang } : {}) }),
      });
      const body = (await response.json().catch(() => null)) as { jobId?: string; error?: { message?: string } } | null;
      if (response.status === 404 || response.status === 405) {
        setState({ kind: "error", message: "This server cannot make summary versions yet." });
      } else if (!response.ok) {
        setState({ kind: "error", message: body?.error?.message ?? `HTTP ${response.status}` });
      } else {
        setState({ kind: "started", jobId: body?.jobId });
      }
    } catch (cause) {
      setState({ kind: "error", message: `Could not reach the server (${String(cause)})` });
    }
  };

  return (
    <form className="summarize-again" onSubmit={submit}>
      <h3>Summarize again</h3>
      <div className="again-fields">
        <label>
          <span>Model</span>
          <input type="text" name="model" placeholder="default" autoComplete="off" spellCheck={false} />
        </label>
        <LanguageSelect label="Language" />
        <button type="submit" className="secondary" disabled={state.kind === "busy"}>
          {state.kind === "busy" ? "Starting…" : "Summarize again"}
        </button>
      </div>
      {state.kind === "started" ? (
        <p className="small" role="status">
          A new version is being made. {state.jobId ? <a href={`/admin?job=${state.jobId}`}>Follow the job</a> : null}
        </p>
      ) : null}
      {state.kind === "error" ? (
        <p className="form-error small" role="alert">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
