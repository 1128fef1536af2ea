/** Parsing the admin's URL box: one URL or many, one per line (pure, so it is tested). */

export const MAX_URLS = 50;

export interface ParsedUrls {
  urls: string[];
  invalid: string[];
  tooMany: boolean;
}

export function parseUrlList(text: string): ParsedUrls {
  const seen = new Set<string>();
  const urls: string[] = [];
  const invalid: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const url = toHttpUrl(line);
    if (!url) {
      invalid.push(line);
      continue;
    }
    if (seen.has(url)) continue;
    seen.add(url);
    urls.push(url);
  }
  return { urls: urls.slice(0, MAX_URLS), invalid, tooMany: urls.length > MAX_URLS };
}

function toHttpUrl(line: string): string | null {
  if (line.length > 8_192) return null;
  try {
    const url = new URL(line);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The bookmarklet opens the admin with the current tab's URL prefilled; it carries no credentials. */
export function bookmarkletHref(origin: string): string {
  return `javascript:(()=>{window.open(${JSON.stringify(`${origin}/admin?url=`)}+encodeURIComponent(location.href),"_blank")})()`;
}

export const SUMMARY_LANGUAGES: readonly { code: string; name: string }[] = [
  { code: "", name: "Same as the source" },
  { code: "en", name: "English" },
  { code: "es", name: "Spanish" },
  { code: "fr", name: "French" },
  { code: "de", name: "German" },
  { code: "it", name: "Italian" },
  { code: "pt", name: "Portuguese" },
  { code: "nl", name: "Dutch" },
  { code: "pl", name: "Polish" },
  { code: "ja", name: "Japanese" },
  { code: "zh", name: "Chinese" },
  { code: "ko", name: "Korean" },
];
