/** Query parameters that only track the visitor: removed from the canonical URL used for dedupe. */
const TRACKING = [
  /^utm_/i,
  /^(fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|rb_clickid|s_cid|ref_src|ref_url|__s)$/i,
];

/**
 * The form of a URL used to recognise "the same page": lower-case host, no default port, no fragment,
 * no tracking parameters, remaining parameters sorted, no trailing slash on non-root paths.
 */
export function canonicalizeUrl(input: string): string {
  const url = new URL(input);
  url.hash = "";
  url.hostname = url.hostname.toLowerCase().replace(/\.$/, "");
  if ((url.protocol === "http:" && url.port === "80") || (url.protocol === "https:" && url.port === "443"))
    url.port = "";
  const kept = [...url.searchParams.entries()].filter(([key]) => !TRACKING.some((re) => re.test(key)));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  if (url.pathname.length > 1 && url.pathname.endsWith("/")) {
    // A backwards walk, not /\/+$/: that pattern re-scans a long run of slashes from each of them.
    let end = url.pathname.length;
    while (end > 0 && url.pathname.charCodeAt(end - 1) === 47) end--;
    url.pathname = url.pathname.slice(0, end);
  }
  return url.toString();
}

/**
 * The one canonical trust rule. A page (or feed item) may name its canonical URL only when it is the fetched URL
 * itself after normalization, or the same origin (scheme, host and port) and path with no query parameter the
 * fetched URL does not carry (so `/story?utm_source=x` may say `/story`, but `?r=attacker` may not claim
 * `?r=victim`, nor `:8080` claim `:443`). Anything else would let a page overwrite another page's saved article.
 */
export function resolveCanonicalLink(href: string | null | undefined, pageUrl: string): string | null {
  if (!href) return null;
  try {
    const page = new URL(canonicalizeUrl(pageUrl));
    const url = new URL(href, page);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    const claimed = new URL(canonicalizeUrl(url.toString()));
    if (claimed.toString() === page.toString()) return claimed.toString();
    if (claimed.origin !== page.origin || claimed.pathname !== page.pathname) return null;
    const carried = new Set([...page.searchParams].map(([k, v]) => `${k}=${v}`));
    return [...claimed.searchParams].every(([k, v]) => carried.has(`${k}=${v}`)) ? claimed.toString() : null;
  } catch {
    return null;
  }
}

/** The last path segment of a URL, decoded ("episode 12.mp3"); `fallback` when there is none or it is malformed. */
export function fileNameFromUrl(url: string, fallback: string): string {
  const segment = new URL(url).pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(segment) || fallback;
  } catch {
    // A stray "%" is not an encoding: the raw segment is still the best name.
    return segment || fallback;
  }
}
