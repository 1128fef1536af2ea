/** Separators sites put between an article's title and their own name. */
const SEPARATORS = new Set(["|", "-", "–", "—", "·", "•", ":", "»", "«", "/", "::", "~"]);

const squash = (text: string) => text.replace(/\s+/g, " ").trim();
const same = (a: string, b: string) => squash(a).toLocaleLowerCase() === squash(b).toLocaleLowerCase();

/**
 * `title` without `site` at its end ("… | Coastal Notes") or start ("Coastal Notes — …"), when a separator joins
 * them. A title with nothing to remove comes back as written (trimmed): non-breaking and ideographic spaces are
 * typography, not noise.
 */
function stripSite(title: string, site: string): string {
  const t = squash(title);
  const s = squash(site);
  if (!s || t.length <= s.length) return title.trim();
  const lower = t.toLocaleLowerCase();
  const siteLower = s.toLocaleLowerCase();
  if (lower.endsWith(siteLower)) {
    const rest = t.slice(0, t.length - s.length).trimEnd();
    const separator = rest.split(" ").at(-1) ?? "";
    if (SEPARATORS.has(separator)) return rest.slice(0, rest.length - separator.length).trim();
    if (separator.length > 1 && SEPARATORS.has(separator.at(-1) ?? "")) return rest.slice(0, -1).trim();
  }
  if (lower.startsWith(siteLower)) {
    const rest = t.slice(s.length).trimStart();
    const separator = rest.split(" ")[0] ?? "";
    if (SEPARATORS.has(separator)) return rest.slice(separator.length).trim();
  }
  return title.trim();
}

/**
 * The article's headline without the site's name around it. JSON-LD `headline` and `og:title` are what the
 * publisher says the headline is: when they agree, that is the title. Otherwise the page title, with a site
 * suffix or prefix removed when it matches the site name (or the headline shows it to be one). Linear time.
 */
export function cleanTitle(input: {
  title: string;
  siteName?: string | null;
  headline?: string | null;
  ogTitle?: string | null;
}): string {
  const { siteName, headline, ogTitle } = input;
  if (headline && ogTitle && same(headline, ogTitle)) return stripSite(headline, siteName ?? "");
  let title = input.title.trim();
  if (siteName) title = stripSite(title, siteName);
  // No site name, but the headline is the title with something appended: the something is the site.
  for (const known of [headline, ogTitle]) {
    const squashed = squash(title);
    if (known && squash(known).length < squashed.length && same(squashed.slice(0, squash(known).length), known)) {
      const tail = squashed.slice(squash(known).length).trim();
      if (SEPARATORS.has(tail.split(" ")[0] ?? "")) return squash(known);
    }
  }
  return title;
}
