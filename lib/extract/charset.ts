import iconv from "iconv-lite";

/**
 * The page's character set, in the browser's order of precedence: BOM, then the HTTP header, then
 * `<meta charset>` / `http-equiv` in the first 4 KB; undecided pages are UTF-8 if they decode as such,
 * windows-1252 otherwise (the legacy web default).
 */
export function detectCharset(body: Uint8Array, contentType: string | null): string {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return "utf-8";
  if (body[0] === 0xff && body[1] === 0xfe) return "utf-16le";
  if (body[0] === 0xfe && body[1] === 0xff) return "utf-16be";
  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? "")?.[1];
  if (fromHeader && iconv.encodingExists(fromHeader)) return fromHeader.toLowerCase();
  const head = Buffer.from(body.subarray(0, 4096)).toString("latin1");
  const fromMeta =
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ??
    /<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)/i.exec(head)?.[1];
  if (fromMeta && iconv.encodingExists(fromMeta)) return fromMeta.toLowerCase();
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

export function decodeBody(body: Uint8Array, contentType: string | null): { text: string; charset: string } {
  const charset = detectCharset(body, contentType);
  // iconv-lite knows every label pages use (Shift_JIS, GBK, KOI8-R, …) and strips the BOM.
  return { text: iconv.decode(Buffer.from(body), charset), charset };
}
