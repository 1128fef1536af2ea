import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeBody, detectCharset } from "./charset";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe("decodeBody", () => {
  it("decodes a page labelled iso-8859-1 as windows-1252: curly quotes and dashes, no C1 controls", () => {
    // 0x93/0x94 are “ ” and 0x96 is – in windows-1252; Latin-1 would make them invisible C1 controls.
    const body = concat(
      ascii("<p>"),
      Uint8Array.of(0x93),
      ascii("Caf"),
      Uint8Array.of(0xe9, 0x94, 0x20, 0x96),
      ascii(" ok</p>"),
    );
    const { text, charset } = decodeBody(body, "text/html; charset=ISO-8859-1");
    expect(charset).toBe("windows-1252");
    expect(text).toBe("<p>“Café” – ok</p>");
    expect(text).not.toMatch(/[\u0080-\u009f]/);
  });

  it("decodes a Shift_JIS page declared only by <meta charset> after other head content", () => {
    const html = `<html><head><title>t</title><meta charset="Shift_JIS"></head><body><p>図書館は町の中心になった</p></body></html>`;
    const { text, charset } = decodeBody(new Uint8Array(iconv.encode(html, "shift_jis")), "text/html");
    expect(charset).toBe("shift_jis");
    expect(text).toContain("<p>図書館は町の中心になった</p>");
  });

  it("lets a byte order mark override the header and drops the BOM", () => {
    const body = concat(Uint8Array.of(0xef, 0xbb, 0xbf), new TextEncoder().encode("<p>naïve — “x”</p>"));
    const { text, charset } = decodeBody(body, "text/html; charset=windows-1252");
    expect(charset).toBe("utf-8");
    expect(text).toBe("<p>naïve — “x”</p>");
  });

  it("prefers the header over <meta>", () => {
    const body = new Uint8Array(iconv.encode('<meta charset="shift_jis"><p>Библиотека</p>', "koi8-r"));
    expect(decodeBody(body, 'text/html; charset="KOI8-R"').text).toContain("<p>Библиотека</p>");
  });

  it("reads undeclared pages as UTF-8 when they are valid UTF-8, else windows-1252", () => {
    expect(detectCharset(new TextEncoder().encode("<p>Größe</p>"), "text/html")).toBe("utf-8");
    expect(decodeBody(concat(ascii("<p>Gr"), Uint8Array.of(0xf6, 0xdf), ascii("e</p>")), null).text).toBe(
      "<p>Größe</p>",
    );
  });

  it("ignores an unknown label and falls through to the next source", () => {
    const body = concat(ascii('<meta charset="windows-1251"><p>'), Uint8Array.of(0xcf, 0xf0, 0xe8), ascii("</p>"));
    expect(decodeBody(body, "text/html; charset=no-such-charset").text).toBe('<meta charset="windows-1251"><p>При</p>');
  });

  it("follows XML rules for feeds: the XML declaration, not <meta>", () => {
    const xml = '<?xml version="1.0" encoding="windows-1251"?><rss><title>При</title></rss>';
    const body = new Uint8Array(iconv.encode(xml, "windows-1251"));
    expect(decodeBody(body, "application/rss+xml", { xml: true }).text).toContain("<title>При</title>");
  });
});
