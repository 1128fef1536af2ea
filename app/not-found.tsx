export default function NotFound() {
  return (
    <div className="empty">
      <h1 className="empty-title">Not found</h1>
      <p className="muted">
        Nothing lives at this address — the article may have been removed. <a href="/articles">Back to the library</a>
      </p>
    </div>
  );
}
