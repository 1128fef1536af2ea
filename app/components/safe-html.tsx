import { sanitizeForRender } from "@/lib/render/safe-html";

/** The only place HTML from outside (pages, LLM output, search snippets) is rendered: always sanitized here. */
export function SafeHtml({ html, className }: { html: string; className?: string }) {
  const clean = sanitizeForRender(html);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized with DOMPurify on the line above.
  return <div className={className} dangerouslySetInnerHTML={{ __html: clean }} />;
}
