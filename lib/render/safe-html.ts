import createDOMPurify from "dompurify";
import { JSDOM } from "jsdom";
import { marked } from "marked";
import { SANITIZE_CONFIG } from "./sanitize-config";

// One long-lived window for the sanitizer: DOMPurify only needs a DOM to parse into.
const purify = createDOMPurify(new JSDOM("").window);

/** HTML from the web or from an LLM, made safe to render. */
export function sanitizeForRender(html: string): string {
  return purify.sanitize(html, SANITIZE_CONFIG);
}

/** Summary Markdown (LLM output, so untrusted) to sanitized HTML. */
export function renderMarkdown(markdown: string): string {
  return sanitizeForRender(marked.parse(markdown, { async: false, gfm: true }));
}
