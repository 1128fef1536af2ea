"use client";

/** Any page that throws: say so plainly, offer a retry, keep the navigation. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="empty error-state" role="alert">
      <p className="empty-title">Something went wrong on this page</p>
      <p className="muted">
        The server could not finish it{error.digest ? ` (reference ${error.digest})` : ""}. Your jobs and library are
        not affected.
      </p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>{" "}
        <a href="/admin">Go to the admin</a>
      </p>
    </div>
  );
}
