import createDOMPurify from "dompurify";
import { JSDOM } from "jsdom";
import { marked } from "marked";

// One long-lived window for the sanitizer: DOMPurify only needs a DOM to parse into.
const purify = createDOMPurify(new JSDOM("").window);

/** HTML from the web or from an LLM, made safe to render: no scripts, handlers, forms or frames. */
export function sanitizeForRender(html: string): string {
  return purify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "iframe", "object", "embed"],
    FORBID_ATTR: ["style"],
  });
}

/** Summary Markdown (LLM output, so untrusted) to sanitized HTML. */
export function renderMarkdown(markdown: string): string {
  return sanitizeForRender(marked.parse(markdown, { async: false, gfm: true }));
}
