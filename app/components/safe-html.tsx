/**
 * Renders HTML that is already safe: article HTML sanitized in the extraction worker before it was stored,
 * summaries from `renderMarkdown`, snippets from `snippetHtml` (lib/render/safe-html.ts). Nothing is parsed again
 * on the request path.
 */
export function SafeHtml({ html, className }: { html: string; className?: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized once before storing, or escaped by its renderer.
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}
