"use client";

import { useState } from "react";

/**
 * Signs out with a script's POST, not a form's: the site sends `Referrer-Policy: no-referrer`, under which a form
 * submission carries `Origin: null` (refused as cross-site), while a same-origin fetch carries the real Origin.
 */
export function SignOut() {
  const [error, setError] = useState<string | null>(null);
  const signOut = async () => {
    setError(null);
    try {
      const response = await fetch("/api/auth/logout", { method: "POST" });
      if (!response.ok) {
        setError(`Sign out failed (HTTP ${response.status})`);
        return;
      }
      window.location.assign("/login");
    } catch (cause) {
      setError(`Could not reach the server (${cause instanceof Error ? cause.message : String(cause)})`);
    }
  };
  return (
    <>
      <button type="button" className="link" onClick={signOut}>
        Sign out
      </button>
      {error ? (
        <span className="form-error small" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
