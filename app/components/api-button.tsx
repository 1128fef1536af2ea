"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** A button that calls one admin API route, then refreshes the page's data; the API's error shown next to it. */
export function ApiAction({
  url,
  method,
  label,
  accessibleName,
  confirmText,
  json,
}: {
  url: string;
  method: "POST" | "PATCH" | "DELETE";
  label: string;
  accessibleName?: string;
  confirmText?: string;
  json?: unknown;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="small-button"
        aria-label={accessibleName}
        disabled={busy}
        onClick={async () => {
          if (confirmText && !window.confirm(confirmText)) return;
          setBusy(true);
          setError(null);
          const response = await fetch(url, {
            method,
            ...(json !== undefined
              ? { headers: { "Content-Type": "application/json" }, body: JSON.stringify(json) }
              : {}),
          });
          setBusy(false);
          if (!response.ok) {
            const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
            setError(body?.error?.message ?? `HTTP ${response.status}`);
            return;
          }
          router.refresh();
        }}
      >
        {label}
      </button>
      {error ? (
        <span role="alert" className="form-error">
          {" "}
          {error}
        </span>
      ) : null}
    </>
  );
}
