/** Shown while a reading page loads on the server: the page's shape, not a spinner. */
export function LoadingSkeleton({ label }: { label: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      <div className="sk sk-title" />
      <div className="sk sk-line" />
      <div className="sk sk-line short" />
      <div className="sk sk-block" />
      <div className="sk sk-block" />
    </div>
  );
}
