import { describe, expect, it } from "vitest";
import { decodeEntities } from "./text";

describe("decodeEntities", () => {
  it("decodes named entities, including ones without a semicolon that browsers accept", () => {
    expect(decodeEntities("Caf&eacute; &rsquo;n&rsquo; cr&egrave;me &mdash; &hellip; &nbsp;|&copy 2024")).toBe(
      "Café ’n’ crème — … \u00a0|© 2024",
    );
  });

  it("decodes decimal and hexadecimal references", () => {
    expect(decodeEntities("&#8220;x&#x201D; &#X1F600; &#233;")).toBe("“x” 😀 é");
  });

  it("decodes once: a double-escaped entity stays an entity as text", () => {
    expect(decodeEntities("&#38;lt;b&#38;gt; &amp;amp; &amp;eacute;")).toBe("&lt;b&gt; &amp; &eacute;");
  });

  it("leaves unknown names and bare ampersands as written", () => {
    expect(decodeEntities("Q&A &zzunknown; AT&T")).toBe("Q&A &zzunknown; AT&T");
  });
});
