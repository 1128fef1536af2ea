/** What a share target receives, reduced to the link to summarize (pure, tested). */

const LINK = /https?:\/\/[^\s<>"']+/i;

/** Trailing punctuation that ends a sentence around a link rather than the link itself. */
const TRAILING = /[).,;:!?\]'"»”]+$/;

/**
 * The shared URL: the `url` field when it is one, else the first http(s) link in `text` or `title` (podcast and news
 * apps share "Episode title https://…" as text). Null when nothing shared is a link.
 */
export function sharedUrl(fields: { url?: string; text?: string; title?: string }): string | null {
  for (const value of [fields.url, fields.text, fields.title]) {
    const match = value?.slice(0, 10_000).match(LINK)?.[0]?.replace(TRAILING, "");
    if (!match) continue;
    try {
      return new URL(match).href;
    } catch {
      // Not a URL after all ("http://" alone): try the next field.
    }
  }
  return null;
}

/** A path to return to after signing in: same-site paths only, never another origin ("//evil", "/\\evil"). */
export function safeNext(value: string | null | undefined): string | null {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  return value.length <= 4_000 ? value : null;
}
