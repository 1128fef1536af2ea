"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** Makes a summary version the article's current one, then reloads the page's data. */
export function MakeCurrentButton({ articleId, summaryId }: { articleId: string; summaryId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          const response = await fetch(`/api/articles/${articleId}/summaries/${summaryId}/current`, { method: "POST" });
          setBusy(false);
          if (response.ok) router.push(`/articles/${articleId}`);
          else setError(`Could not make it current (HTTP ${response.status})`);
        }}
      >
        Make current
      </button>
      {error ? <span role="alert"> {error}</span> : null}
    </>
  );
}
