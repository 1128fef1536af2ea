import { describe, expect, it } from "vitest";
import { sanitizeFragment } from "@/lib/extract/html-reader";
import { articleHtmlForView, srcsetCandidates, withAllowedResources } from "@/lib/render/resources";

/**
 * Saved article HTML never points the admin's browser at an internal address: every URL it would load on sight
 * passes the fetcher's address policy when the article is rendered (issue 24).
 */

const INTERNAL = [
  "http://127.0.0.1:6379/",
  "https://127.0.0.1/a.png",
  "https://10.0.0.5/a.png",
  "https://192.168.1.1/router.png",
  "https://[::1]/a.png",
  "https://[::ffff:127.0.0.1]/a.png",
  "https://169.254.169.254/latest/meta-data/",
  "https://localhost/a.png",
  "https://intranet/a.png",
  "https://0x7f000001/a.png",
  "http://cdn.example/a.png",
  "ftp://cdn.example/a.png",
  "data:image/png;base64,AAAA",
  "/api/jobs",
  "//127.0.0.1/a.png",
];

/** Every URL-valued attribute the browser loads from, in whatever the renderer produced. */
const loadedUrls = (html: string): string[] =>
  [...html.matchAll(/\s(src|srcset|poster|background)="([^"]*)"/g)].flatMap(([, name, value = ""]) => {
    const decoded = value.replaceAll("&amp;", "&");
    return name === "srcset" ? srcsetCandidates(decoded).map((c) => c.url) : [decoded];
  });

describe("resources in saved article HTML pass the address policy before rendering", () => {
  it.each(INTERNAL)("an <img> of %s becomes its alt text", (url) => {
    const stored = sanitizeFragment(`<p>Before <img src="${url}" alt="A chart of costs"> after</p>`);
    const html = articleHtmlForView(stored, []);
    expect(html).not.toContain("<img");
    expect(html).toBe("<p>Before A chart of costs after</p>");
  });

  it("keeps public https images, and an allowlisted test host", () => {
    const stored = sanitizeFragment(
      `<p><img src="https://cdn.example/a.png?x=1&amp;y=2" alt="a"><img src="http://127.0.0.1:4000/b.png" alt="b"></p>`,
    );
    expect(articleHtmlForView(stored, [])).toBe('<p><img src="https://cdn.example/a.png?x=1&amp;y=2" alt="a">b</p>');
    expect(articleHtmlForView(stored, ["127.0.0.1:4000"])).toBe(stored);
  });

  it("filters srcset candidates, <source>, <track>, <video> poster and src, and background attributes", () => {
    const stored = sanitizeFragment(
      [
        '<picture><source srcset="https://10.0.0.1/a.webp 1x, https://10.0.0.1/b.webp 2x">',
        '<source srcset="https://cdn.example/c.webp">',
        '<img src="https://cdn.example/a.png" srcset="https://cdn.example/a,1.png 1x, https://169.254.169.254/x 2x, https://cdn.example/b.png 3x" alt="p"></picture>',
        '<video poster="https://127.0.0.1/p.png" src="https://[fd00::1]/v.mp4" controls>',
        '<source src="https://cdn.example/v.mp4" type="video/mp4"><source src="https://192.168.0.9/v.webm">',
        '<track src="https://localhost/captions.vtt" kind="captions"></video>',
        '<audio src="https://cdn.example/a.mp3"></audio>',
        '<table background="https://10.1.2.3/bg.png"><tbody><tr><td background="https://cdn.example/bg.png">x</td></tr></tbody></table>',
      ].join(""),
    );
    const html = articleHtmlForView(stored, []);
    expect(loadedUrls(html).sort()).toEqual([
      "https://cdn.example/a,1.png",
      "https://cdn.example/a.mp3",
      "https://cdn.example/a.png",
      "https://cdn.example/b.png",
      "https://cdn.example/bg.png",
      "https://cdn.example/c.webp",
      "https://cdn.example/v.mp4",
    ]);
    expect(html).toContain('srcset="https://cdn.example/a,1.png 1x, https://cdn.example/b.png 3x"');
    expect(html).toContain('<video controls="">');
    expect(html).not.toContain("<track");
  });

  it("finds tags as the browser does: character references, unquoted and single-quoted values, case, raw text", () => {
    const html = withAllowedResources(
      [
        `<IMG SRC=https://127.0.0.1/a.png alt=one>`,
        `<img alt='two' src='https://127.0.0.1/b.png'>`,
        `<img src="https&#x3a;//127.0.0.1/c.png" alt="three">`,
        `<p title="<img src=https://cdn.example/not-a-tag.png>">x</p>`,
        `<textarea><img src="https://127.0.0.1/text-only.png"></textarea>`,
        `<!-- <img src="https://127.0.0.1/comment.png"> -->`,
        `<img/src="https://10.0.0.1/slash.png"/alt="four">`,
      ].join(""),
      (url) => url.startsWith("https://cdn.example/"),
    );
    expect(html).toBe(
      [
        "one",
        "two",
        "three",
        `<p title="<img src=https://cdn.example/not-a-tag.png>">x</p>`,
        `<textarea><img src="https://127.0.0.1/text-only.png"></textarea>`,
        `<!-- <img src="https://127.0.0.1/comment.png"> -->`,
        "four",
      ].join(""),
    );
  });

  it("escapes the alt text it puts in the image's place", () => {
    const html = withAllowedResources(
      `<img src="https://127.0.0.1/a.png" alt="<script>alert(1)</script> &amp; more">`,
      () => false,
    );
    expect(html).toBe("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
  });

  it("drops a tag cut off at the end of the input, which the browser would not build either", () => {
    expect(withAllowedResources('<p>a</p><img src="https://cdn.example/x.png', () => true)).toBe("<p>a</p>");
  });

  it("copies HTML without resources unchanged", () => {
    const stored = sanitizeFragment(
      `<h2 id="x">Title</h2><p>Text with <a href="https://a.example/?q=1&amp;r=2">a link</a> &lt;b&gt; and <code>&lt;img&gt;</code></p>`,
    );
    expect(articleHtmlForView(stored, [])).toBe(stored);
  });
});
