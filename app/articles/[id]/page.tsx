import { notFound, redirect } from "next/navigation";
import { SafeHtml } from "@/app/components/safe-html";
import { pageIsAuthorized } from "@/lib/http/api";
import { renderMarkdown } from "@/lib/render/safe-html";
import { getServices } from "@/lib/services";

export default async function ArticlePage({ params }: { params: Promise<{ id: string }> }) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { id } = await params;
  const { store } = await getServices();
  const article = await store.getArticle(id);
  if (!article) notFound();
  const { summary, provenance } = article;

  return (
    <article className="article">
      <p className="muted small">
        <a href={article.url} rel="noopener noreferrer nofollow">
          {article.siteName ?? new URL(article.url).hostname}
        </a>
        {article.byline ? ` · ${article.byline}` : ""}
        {article.publishedTime ? ` · ${article.publishedTime.slice(0, 10)}` : ""}
      </p>
      <h1>{article.title}</h1>
      <p className="tldr">{summary.tldr}</p>
      <h2>Key points</h2>
      <ul>
        {summary.keyPoints.map((point) => (
          <li key={point}>{point}</li>
        ))}
      </ul>
      {/* Both HTML sources are sanitized at render time, whatever was done before they were stored. */}
      <SafeHtml className="prose" html={renderMarkdown(summary.markdown)} />
      {summary.tags.length > 0 ? (
        <p className="tags">
          {summary.tags.map((tag) => (
            <span key={tag} className="badge">
              {tag}
            </span>
          ))}
        </p>
      ) : null}
      <p className="muted small">
        {provenance.path} summary by {provenance.model} · {provenance.inputTokens + provenance.outputTokens} tokens
        {provenance.costUsd !== null ? ` · $${provenance.costUsd.toFixed(4)}` : ""} · extracted with{" "}
        {provenance.extractor}
        {provenance.transcriptSource ? ` · transcript: ${provenance.transcriptSource}` : ""} ·{" "}
        <a href={`/api/articles/${article.id}?format=md`}>Markdown</a> ·{" "}
        <a href={`/api/articles/${article.id}`}>JSON</a>
      </p>
      {article.transcript ? (
        <details>
          <summary>Transcript</summary>
          <p className="transcript">{article.transcript.text}</p>
        </details>
      ) : null}
      {article.html ? (
        <details>
          <summary>Original text</summary>
          <SafeHtml className="prose" html={article.html} />
        </details>
      ) : null}
    </article>
  );
}
