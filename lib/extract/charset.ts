import { isUtf8 } from "node:buffer";
import { TextDecoder } from "@exodus/bytes/encoding.js";
import htmlEncodingSniffer from "html-encoding-sniffer";

/** The `charset` parameter of a Content-Type header, as written (a label, not yet an encoding name). */
const headerLabel = (contentType: string | null) => /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? "")?.[1];

/**
 * The page's encoding as a browser picks it (WHATWG HTML's sniffing algorithm: BOM, then the HTTP header, then
 * `<meta charset>` / `http-equiv`), and labels mapped as WHATWG Encoding maps them: `iso-8859-1`, `latin1` and
 * `ascii` mean windows-1252. The prescan reads 4 KB rather than the standard's 1 KB: browsers also honour a
 * later `<meta>` by reparsing, which we cannot do. An undeclared page is UTF-8 when it is valid UTF-8, else
 * windows-1252 (the legacy default). Feeds (`xml`) follow XML's rules: BOM, header, XML declaration.
 */
export function detectCharset(body: Uint8Array, contentType: string | null, options: { xml?: boolean } = {}): string {
  const transportLayerEncodingLabel = headerLabel(contentType);
  const defaultEncoding = isUtf8(body) ? "UTF-8" : "windows-1252";
  const name = options.xml
    ? htmlEncodingSniffer(body, { xml: true, transportLayerEncodingLabel, defaultEncoding })
    : htmlEncodingSniffer(body, { transportLayerEncodingLabel, defaultEncoding, maxPrescanBytes: 4096 });
  return name.toLowerCase();
}

/** The body as text, decoded as a browser would (a BOM is consumed, invalid bytes become U+FFFD). */
export function decodeBody(
  body: Uint8Array,
  contentType: string | null,
  options: { xml?: boolean } = {},
): { text: string; charset: string } {
  const charset = detectCharset(body, contentType, options);
  return { text: new TextDecoder(charset).decode(body), charset };
}
