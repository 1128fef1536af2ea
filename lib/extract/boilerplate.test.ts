import { describe, expect, it } from "vitest";
import { readArticleHtml } from "./html-reader";

/**
 * Hand-written pages: an article body Readability picks, with one kind of boilerplate (or one kind of content
 * that must survive) inside it. Assertions are on the text the pipeline gets.
 */
const URL_ = "https://news.example/2026/11/mill-library";
const prose = (n = 6, topic = "the mill") =>
  Array.from(
    { length: n },
    (_, i) =>
      `<p>Paragraph ${i + 1} about ${topic}: when the mill closed, the town moved its library into the old office, and the reading room filled again every evening with people who had nowhere else to go.</p>`,
  ).join("\n");
const page = (inner: string, lang = "en") =>
  `<!doctype html><html lang="${lang}"><head><title>The mill library</title></head><body><main><article><h1>The mill library</h1>${inner}</article></main></body></html>`;
const read = (inner: string, lang?: string) => readArticleHtml(page(inner, lang), URL_, []).text;

describe("the boilerplate pass removes", () => {
  it.each([
    [
      "a related-articles box named by its class",
      `<div class="related-posts"><h3>Related</h3><ul><li><a href="/a">Bakery reopens downtown</a></li><li><a href="/b">Council approves budget</a></li><li><a href="/c">River cleanup this weekend</a></li></ul></div>`,
      ["Bakery reopens", "Council approves", "River cleanup"],
    ],
    [
      "a share bar",
      `<div class="article-share"><a href="/s/fb">Facebook</a> <a href="/s/tw">Twitter</a> <a href="/s/mail">Email this story to a friend</a></div>`,
      ["Facebook", "Email this story"],
    ],
    [
      "a newsletter box",
      `<div id="newsletterSignup"><h4>Weekly digest</h4><p>Get the best of the week in your inbox every Friday morning, free of charge.</p></div>`,
      ["best of the week in your inbox"],
    ],
    [
      "a comment section",
      `<section class="comments"><p>Marta wrote: I used to work at that mill in the summer of 1984 and loved it.</p></section>`,
      ["Marta wrote"],
    ],
    [
      "an author box",
      `<div class="author-bio"><p>Jane Roe covers local government and has lived in the valley for twenty years.</p></div>`,
      ["Jane Roe covers"],
    ],
    [
      "a navigation landmark",
      `<div role="navigation"><p>Home · Local · Politics · Sports · Weather · Contact the newsroom today</p></div>`,
      ["Contact the newsroom"],
    ],
    [
      "a headed list of further reading (heading vocabulary, another language)",
      `<h2>Das könnte Sie auch interessieren</h2><ul><li><a href="/x">Neue Brücke eröffnet</a></li><li><a href="/y">Stadtrat tagt im Rathaus</a></li></ul>`,
      ["Das könnte Sie auch", "Neue Brücke", "Stadtrat tagt"],
    ],
    [
      "an inline teaser (“Read more: …”)",
      `<p>Read more: <a href="/other">How the old station became a market hall</a></p>`,
      ["Read more", "old station became"],
    ],
    [
      "a line of tag links",
      `<p><a href="/t/culture">Culture</a>, <a href="/t/books">Books</a>, <a href="/t/local">Local</a></p>`,
      ["Culture, Books"],
    ],
    ["a photo credit line", `<p>Photo: Max Mustermann / Example Agency</p>`, ["Max Mustermann"]],
    ["an advertising label", `<p>Advertisement</p>`, ["Advertisement"]],
    ["an advertising label between dashes", `<p>- Anzeige -</p>`, ["Anzeige"]],
    [
      "a teaser label set apart in bold, without a link (another language)",
      `<p><strong>Lea también: El puerto cierra por obras</strong></p>`,
      ["Lea también", "El puerto cierra"],
    ],
    [
      "a comment prompt (another language)",
      `<p>Um diesen Artikel kommentieren zu können, melden Sie sich bitte an.</p>`,
      ["kommentieren zu können"],
    ],
    ["a filing line", `<p>Category: Press releases, Local</p>`, ["Press releases"]],
    ["a reading-time line", `<p>Lesezeit: 4 Minuten</p>`, ["Lesezeit"]],
    [
      "an advertising disclosure",
      `<p>Advertising disclosure: we may receive compensation for some links on this page.</p>`,
      ["Advertising disclosure"],
    ],
    [
      "a channel invitation (accented words at the edges)",
      `<p>¡Únete a nuestro canal de Telegram y recibe las noticias!</p>`,
      ["canal de Telegram"],
    ],
    ["a privacy note", `<p>We respect your privacy: nothing you read here is shared.</p>`, ["respect your privacy"]],
    ["an agency credit on its own line", `<p>Max Mustermann/Getty Images</p>`, ["Getty Images"]],
    [
      "a teaser box (named by its class, linking elsewhere)",
      `<div class="teaser"><a href="/harbor"><h3>Harbor festival returns</h3></a><p>Boats, music and food on the quay.</p></div>`,
      ["Harbor festival", "Boats, music"],
    ],
  ])("%s", (_, furniture, gone) => {
    const text = read(`${prose(3)}${furniture}${prose(3, "the reading room")}`);
    for (const fragment of gone) expect(text).not.toContain(fragment);
    expect(text).toContain("Paragraph 3 about the mill");
    expect(text).toContain("Paragraph 3 about the reading room");
  });

  it("a run of headline links at the end of the article", () => {
    const text = read(
      `${prose(6)}<p><a href="/1">Storm closes the coastal road for a second day</a></p><p><a href="/2">School board elects a new chair after long debate</a></p>`,
    );
    expect(text).not.toContain("Storm closes");
    expect(text).not.toContain("School board elects");
    expect(text).toContain("Paragraph 6 about the mill");
  });

  it.each([
    [
      "a subscription pitch",
      `<p>Subscribe now to our weekend edition for the full story and the archive.</p>`,
      "weekend edition",
    ],
    ["a post footer", `<p>This entry was posted in Local news and tagged library, mill.</p>`, "This entry was posted"],
    ["a release-date line", `<p>News date: 04/21/2026 · Category: Press releases</p>`, "04/21/2026"],
    ["an author's biography", `<p>About the author: Jane Roe has covered the valley since 2004.</p>`, "Jane Roe"],
    [
      "a provenance note (another language)",
      `<p>Dieser Text wurde zuerst im Stadtmagazin veröffentlicht.</p>`,
      "Stadtmagazin",
    ],
  ])("%s at the end of the article", (_, furniture, gone) => {
    const text = read(`${prose(6)}${furniture}`);
    expect(text).not.toContain(gone);
    expect(text).toContain("Paragraph 6 about the mill");
  });

  it("a subscription pitch inside a <main> wrapper (its lines are judged one by one)", () => {
    const text = read(
      `<section><main>${prose(3)}<p>To read the full story, please subscribe to our weekend edition.</p>${prose(3, "the reading room")}</main></section>`,
    );
    expect(text).not.toContain("please subscribe");
    expect(text).toContain("Paragraph 3 about the reading room");
  });

  it("the credit at the end of a caption, keeping the caption", () => {
    const text = read(
      `${prose(3)}<figure><img src="/night.jpg" alt=""><figcaption>The reading room at night. <span>Jane Roe/Example Agency</span></figcaption></figure>${prose(3, "the reading room")}`,
    );
    expect(text).toContain("The reading room at night.");
    expect(text).not.toContain("Example Agency");
  });

  it.each([
    [
      "in parentheses, in a caption",
      "<figcaption>The reading room at night. (Photo: Jane Roe/Example Agency)</figcaption>",
      "Jane Roe",
    ],
    [
      "after a ©, in a caption",
      "<figcaption>The reading room at night. © Example Agency / Jane Roe</figcaption>",
      "Jane Roe",
    ],
    [
      "as agency/photographer in parentheses",
      "<figcaption>The reading room at night. (REUTERS/Jane Roe)</figcaption>",
      "Jane Roe",
    ],
    [
      "after the sentence, in a caption set as a paragraph",
      "<p>The reading room at night. Foto: Example/Jane Roe</p>",
      "Jane Roe",
    ],
  ])("a credit written into the end of a caption's text (%s), keeping the caption", (_, caption, credit) => {
    const text = read(
      `${prose(3)}<figure><img src="/night.jpg" alt="">${caption}</figure>${prose(3, "the reading room")}`,
    );
    expect(text).toContain("The reading room at night.");
    expect(text).not.toContain(credit);
  });

  it("a byline and date leaking into the first lines of the body", () => {
    const text = read(`<p>By Jane Roe</p><p>14 June 2019, 15:49</p>${prose(6)}`);
    expect(text).not.toContain("Jane Roe");
    expect(text).not.toContain("15:49");
    expect(text).toContain("Paragraph 1 about the mill");
  });
});

describe("the boilerplate pass keeps", () => {
  it("a source cited in parentheses at the end of a paragraph", () => {
    const text = read(
      `${prose(3)}<p>Visits rose by a third last year, the library's own count shows (Source: Town Council/Annual Report).</p>${prose(3, "the reading room")}`,
    );
    expect(text).toContain("(Source: Town Council/Annual Report)");
  });

  it("each block on its own line: the text never runs two blocks into one word", () => {
    const text = read(
      `${prose(3)}<div><p>The last bus leaves at ten.</p>Late readers walk home.</div><h2>Opening hours</h2>${prose(3, "the hours")}`,
    );
    expect(text).toContain(
      "The last bus leaves at ten.\nLate readers walk home.\nOpening hours\nParagraph 1 about the hours",
    );
  });

  it.each([
    [
      "a list in the text",
      `<p>The library needs three things:</p><ul><li>volunteers on weekday evenings</li><li>shelves for the children's corner</li><li>a new boiler before winter</li></ul>`,
      ["volunteers on weekday evenings", "a new boiler before winter"],
    ],
    [
      "a list of links that is the content (sources cited as URLs)",
      `<p>The petition and the council minutes:</p><ul><li><a href="https://petition.example/mill">https://petition.example/mill</a></li></ul>`,
      ["https://petition.example/mill"],
    ],
    [
      "a reading list in the middle of the article",
      `<p>Three books the readers asked for most:</p><ul><li><a href="/b/1">The River Between Two Towns</a></li><li><a href="/b/2">Winter at the Old Station</a></li><li><a href="/b/3">Letters from the Mill Office</a></li></ul>`,
      ["The River Between Two Towns", "Letters from the Mill Office"],
    ],
    [
      "a table of contents (links into the page)",
      `<ul><li><a href="#history">History of the mill</a></li><li><a href="#library">The library moves in</a></li><li><a href="#today">The reading room today</a></li></ul>`,
      ["History of the mill", "The reading room today"],
    ],
    [
      "a table",
      `<table><caption>Visitors per year</caption><tr><th>Year</th><th>Visitors</th></tr><tr><td>2024</td><td>12,400</td></tr></table>`,
      ["Visitors per year", "12,400"],
    ],
    [
      "a code block",
      `<pre><code class="language-sh">share --comments related ./library</code></pre>`,
      ["share --comments related ./library"],
    ],
    [
      "a quote",
      `<blockquote><p>“We never thought the mill would become the busiest place in town,” said the mayor.</p></blockquote>`,
      ["busiest place in town"],
    ],
    [
      "a figure caption",
      `<figure><img src="/reading-room.jpg" alt=""><figcaption>The reading room on a Tuesday evening, with every seat taken.</figcaption></figure>`,
      ["every seat taken"],
    ],
    [
      "short paragraphs of an interview",
      `<p><strong>Q:</strong> Why here?</p><p><strong>A:</strong> Because people already came.</p><p><strong>Q:</strong> And now?</p><p><strong>A:</strong> Now they stay.</p>`,
      ["Why here?", "Because people already came.", "Now they stay."],
    ],
    [
      "a lead paragraph classed as a teaser (it links nowhere)",
      `<p class="teaser">In short: the mill library doubled its opening hours after the town voted to fund it.</p>`,
      ["doubled its opening hours"],
    ],
    [
      "a time stamp inside a sentence",
      `<p>At <span class="timestamp">10:00 on Monday</span> the reading room reopened after a month of repairs to its roof.</p>`,
      ["At 10:00 on Monday the reading room reopened"],
    ],
    [
      "a caption classed as the image's credit",
      `<figure><img src="/dusk.jpg" alt=""><figcaption class="lead-image__credit">The reading room at dusk, before the last bus.</figcaption></figure>`,
      ["before the last bus"],
    ],
    [
      "a quote that ends in a sign-up line",
      `<p>“We thought this was not the right way to do things, landing it on a Sunday night without any consultation at all, and without answers to basic questions,” she said. Sign up for alerts.</p>`,
      ["not the right way to do things"],
    ],
    [
      "text revealed by a “read more” toggle",
      `<div class="js_readmore"><p>The village lies between meadows and forest, at the edge of the valley, twenty minutes from the lake.</p></div>`,
      ["twenty minutes from the lake"],
    ],
    [
      "a paragraph whose generated class name holds a furniture word by accident",
      `<p class="tagStyle_z4kqwb-o_O-style_1tcxgp3">Hardly a weekend passes without a debate about the referee, and this one was no different.</p>`,
      ["Hardly a weekend passes"],
    ],
    [
      "a sentence about getting an app's new version",
      `<p>In order to get the new version of the app, the store sends your phone a patch of the differences.</p>`,
      ["get the new version of the app"],
    ],
    [
      "a sentence that opens like a furniture heading",
      `<p>Weitere Informationen erteilt Anne Roe im Rathaus unter Telefon 0123 456789 oder per E-Mail an die Stadtbibliothek.</p>`,
      ["Weitere Informationen erteilt Anne Roe"],
    ],
    [
      "a heading whose anchor id is a slug of its words",
      `<h3 id="nav_the_foil_stays__1">The foil stays behind</h3>`,
      ["The foil stays behind"],
    ],
    [
      "a sentence about subscribers and newsletters",
      `<p>Subscribers to the library's newsletter rose by a third last year, the council said.</p>`,
      ["Subscribers to the library's newsletter"],
    ],
    [
      "an interview answer by a speaker whose name looks like a teaser label",
      `<p><strong>Mira:</strong> We opened at six, and by seven every table was taken.</p>`,
      ["We opened at six"],
    ],
    [
      "a sentence that merely mentions a date",
      `<p>The library opened on 3 March 2025 with a reading by local authors.</p>`,
      ["opened on 3 March 2025"],
    ],
  ])("%s", (_, content, kept) => {
    const text = read(`${prose(3)}${content}${prose(3, "the reading room")}`);
    for (const fragment of kept) expect(text).toContain(fragment);
  });

  it("a short article whole, when removing its furniture would leave too little to read", () => {
    // Three short paragraphs (too short for the page to look readerable) and a related box: 413 characters in all.
    const parts = [1, 2, 3]
      .map(
        (i) =>
          `<p>Part ${i}: the mill closed, and the town moved its library into the old office by the river bank.</p>`,
      )
      .join("");
    const text = read(
      `${parts}<div class="related-posts"><ul><li><a href="/a">Bakery reopens downtown after the long winter</a></li><li><a href="/b">Council approves the new budget for schools</a></li><li><a href="/c">River cleanup this weekend needs volunteers</a></li></ul></div>`,
    );
    expect(text).toContain("Part 3: the mill closed");
  });

  it("a table of contents under its heading", () => {
    const text = read(
      `<h2>Contents</h2><ul><li><a href="#history">History of the mill</a></li><li><a href="#today">The reading room today</a></li></ul>${prose(6)}`,
    );
    expect(text).toContain("History of the mill");
  });

  it("CJK text", () => {
    const paragraph = (i: number) =>
      `<p>第${i}段：工厂关闭以后，镇上把图书馆搬进了旧办公室，每天晚上阅览室又坐满了无处可去的人们。大家在这里读书、聊天、互相帮助。</p>`;
    const text = read(Array.from({ length: 8 }, (_, i) => paragraph(i + 1)).join(""), "zh");
    expect(text).toContain("第1段：工厂关闭以后");
    expect(text).toContain("第8段");
  });

  it("a long live blog whose entries are classed as comments", () => {
    const entries = Array.from(
      { length: 8 },
      (_, i) =>
        `<div class="live-comment"><p>Minute ${i * 10}: the home side presses high and wins a corner on the left, but the header goes just wide of the post.</p></div>`,
    ).join("");
    const text = read(`<div class="live-comments">${entries}</div>`);
    expect(text).toContain("Minute 0:");
    expect(text).toContain("Minute 70:");
  });

  it("the article when the whole body carries a furniture-like class", () => {
    const text = read(`<div class="entry tag-local has-sidebar">${prose(8)}</div>`);
    expect(text).toContain("Paragraph 1 about the mill");
    expect(text).toContain("Paragraph 8 about the mill");
  });
});
