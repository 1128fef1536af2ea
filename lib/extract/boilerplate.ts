/**
 * The boilerplate pass: what Readability keeps around an article that is not the article — related-article
 * lists, share bars, newsletter boxes, comment blocks, author boxes, bylines and dates, photo credits, tag
 * lists. It runs in the extraction worker on Readability's result (classes still on), in time linear in the
 * size of that result: one bottom-up pass measures text and link text per element, one top-down pass decides.
 * Every rule is general (markup vocabulary, link density, position, short-line shapes); a rule never removes
 * an element holding a large share of the article, so recall is guarded.
 */

/** Class/id words that name page furniture, not prose. Matched per word (`share-bar` → share, bar). */
const FURNITURE = new Set([
  "related",
  "relatedposts",
  "recommended",
  "recommendations",
  "share",
  "sharing",
  "sharebar",
  "social",
  "socials",
  "newsletter",
  "subscribe",
  "subscription",
  "signup",
  "comment",
  "comments",
  "respond",
  "reply",
  "byline",
  "dateline",
  "author",
  "authors",
  "bio",
  "breadcrumb",
  "breadcrumbs",
  "tags",
  "tag",
  "taglist",
  "rating",
  "ratings",
  "advert",
  "advertisement",
  "ads",
  "sponsor",
  "sponsored",
  "promo",
  "sidebar",
  "banner",
  "cookie",
  "consent",
  "pagination",
  "pager",
  "navigation",
  "nav",
  "menu",
  "footer",
  "copyright",
  "credit",
  "credits",
  "disclaimer",
  "postmeta",
  "entrymeta",
  "readmore",
  "moreposts",
  "trending",
  "popular",
  "mostread",
  "interest",
]);

/** Words that name furniture however long it is (a long related-articles box is still one); up to half the text. */
const STRONG = new Set([
  "related",
  "relatedposts",
  "recommended",
  "comments",
  "newsletter",
  "share",
  "social",
  "sidebar",
]);

/** Two-word class names whose words alone are too common to mean furniture (`post-meta`, `more-articles`). */
const FURNITURE_PAIRS =
  /\b(post|entry|article)[-_ ]?(meta|info|footer|tags)\b|\bmore[-_ ]?(articles|stories|news|posts)\b/i;

/** Headings that introduce furniture, in the languages the web writes most (general vocabulary, no site's). */
const FURNITURE_HEADING = new RegExp(
  [
    // English
    "related( (articles|posts|stories|content|news|topics))?|read (more|also|next)|see also|more (from|on|about|stories|articles|news|in)\\b.*|you (may|might) (also )?(like|enjoy)|recommended( for you)?|(most )?popular|trending|most read|further reading|share( this( (article|post|story))?)?|follow us|newsletter|sign up|subscribe|comments?|leave a (reply|comment)|about the author|tags|table of contents|contents",
    // German
    "ähnliche (beiträge|artikel|themen)|auch interessant|das könnte (sie|dich) auch interessieren|lesen sie (auch|mehr)|mehr zum thema.*|mehr zu\\b.*|weitere (artikel|beiträge|nachrichten|news|themen|informationen)\\b.*|siehe auch|zum weiterlesen|verwandte (artikel|beiträge|themen)|empfehlungen|teilen|kommentare?|schlagworte|schlagwörter|inhaltsverzeichnis|quellen(angaben)?|news",
    // French, Spanish, Italian, Portuguese, Dutch
    "(à )?lire aussi|voir aussi|articles? (similaires|liés)|sur le même sujet|partager|commentaires?|(le|te) puede interesar|lea también|ver también|(noticias|artículos) relacionad[oa]s|comentarios|compartir|leggi anche|potrebbe interessarti|articoli correlati|commenti|condividi|leia também|veja também|comentários|lees ook|gerelateerd|reacties|delen",
    // Polish, Russian, Chinese, Japanese
    "czytaj (też|także|również)|zobacz (też|także)|polecamy|komentarze|udostępnij|читайте также|смотрите также|похожие (статьи|новости)|комментарии|поделиться|相关(文章|阅读|新闻|推荐)|推荐阅读|延伸阅读|热门文章|关联记事|関連記事|あわせて読みたい|コメント",
  ]
    .map((group) => `(?:${group})`)
    .join("|"),
  "iu",
);
const HEADING_TEXT = new RegExp(`^\\s*(?:${FURNITURE_HEADING.source})\\s*[:：!.?…»›>-]*\\s*$`, "iu");
/** A label that introduces a teaser link inside the text ("Read more: …", "Lesen Sie auch: …"). */
const TEASER_LABEL = new RegExp(`^\\s*(?:>>\\s*)?(?:${FURNITURE_HEADING.source})\\s*[:：»›>]`, "iu");

/** A photo credit or source line: "Foto: X", "(© X)", "Photo by X", "Bild via X", "Credit: X". */
const CREDIT_LINE =
  /^[\s([]*(?:©|\(c\)|copyright\b|(?:foto|fotos|photo|photos|bild|bilder|image|images|credit|credits|quelle|source|fuente|crédit|crédits|picture|illustration|grafik)\s*(?:[:/]|by\b|via\b|von\b|credit\b|©))/iu;
const CREDIT_TAIL = /(?:\bbild via\b|\bphoto:|\bfoto:|\bcredit:|©)[^.!?]{0,60}[)\]]?\s*$/iu;

/** A line that is only a label: advertising markers, a heading for furniture with nothing else in it. */
const LABEL_ONLY = new RegExp(
  `^\\s*(?:advertisement|advertising|sponsored|anzeige|werbung|publicité|publicidad|pubblicità|reklama|реклама|广告|広告|${FURNITURE_HEADING.source})\\s*[:：]?\\s*$`,
  "iu",
);

const MONTHS =
  "jan(uary|uar|vier)?|feb(ruary|ruar|ruari)?|mar(ch|s)?|märz|apr(il)?|avril|may|mai|mei|jun[ei]?|juin|jul[iy]?|juillet|aug(ust)?|août|sep(t|tember|tembre)?|okt(ober)?|oct(ober|obre)?|nov(ember|embre)?|de[cz](ember|embre)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre";
const DATE = new RegExp(
  `\\b\\d{1,2}[./-]\\s?\\d{1,2}[./-]\\s?\\d{2,4}\\b|\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b\\d{1,2}\\.?\\s+(${MONTHS})\\.?\\s+\\d{4}\\b|\\b(${MONTHS})\\.?\\s+\\d{1,2},?\\s+\\d{4}\\b|\\d{4}年\\d{1,2}月\\d{1,2}日|\\b\\d+\\s*(min|minutes?|minuten)\\.?\\s+(read|lesezeit|lesedauer)\\b`,
  "iu",
);
const BYLINE = /^\s*(by|von|par|por|di|door|av|af|autor|author|text|interview)\s*[:]?\s+\p{Lu}/iu;

const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "header",
  "footer",
  "nav",
  "aside",
  "ul",
  "ol",
  "li",
  "dl",
  "table",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "figure",
  "figcaption",
  "blockquote",
  "form",
  "span",
  "small",
]);
const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
/** Content that must never be judged by link density or vocabulary: code, quotes, tables' cells, media. */
const PROTECTED = new Set(["pre", "code", "blockquote", "table", "math", "img", "picture", "video", "audio"]);
/** Elements whose presence protects the block holding them. */
const GUARDED = new Set(["pre", "code", "blockquote", "table", "math"]);

interface Size {
  /** Characters of text, whitespace collapsed. */
  text: number;
  /** Characters of that text inside links. */
  link: number;
  /** Number of links. */
  links: number;
  /** Characters of the root's text before this element (its position in the reading order). */
  start: number;
  /** Links pointing into the page itself (`#…`): a table of contents, not a way out. */
  anchors: number;
  /** Links whose text is a written-out URL: sources cited, not teasers. */
  urls: number;
  /** Protected elements (code, quotes, tables, math) in the subtree, itself included. */
  guarded: number;
}

const collapsedLength = (text: string) => {
  let n = 0;
  let space = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isSpace = c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 0xa0;
    if (!isSpace) n++;
    else if (!space) n++;
    space = isSpace;
  }
  return n;
};

/** Text and link-text length of every element under root, in one post-order walk (no repeated textContent). */
function measure(root: Element): Map<Element, Size> {
  const sizes = new Map<Element, Size>();
  let offset = 0;
  const visit = (el: Element, inLink: boolean): Size => {
    const isLink = el.localName === "a";
    const inPage = isLink && (el.getAttribute("href") ?? "").startsWith("#");
    const size: Size = {
      text: 0,
      link: 0,
      links: isLink ? 1 : 0,
      start: offset,
      anchors: inPage ? 1 : 0,
      urls: isLink && isUrlLike(el.textContent ?? "") ? 1 : 0,
      guarded: GUARDED.has(el.localName) ? 1 : 0,
    };
    const linked = inLink || el.localName === "a";
    for (let node = el.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 3) {
        const n = collapsedLength((node as Text).data);
        size.text += n;
        offset += n;
        if (linked) size.link += n;
      } else if (node.nodeType === 1) {
        const child = visit(node as Element, linked);
        size.text += child.text;
        size.link += child.link;
        size.links += child.links;
        size.anchors += child.anchors;
        size.urls += child.urls;
        size.guarded += child.guarded;
      }
    }
    sizes.set(el, size);
    return size;
  };
  // Recursion depth is the DOM depth; jsdom's parser caps nesting far below the stack limit.
  visit(root, false);
  return sizes;
}

/** The words of an element's class and id: `relatedPosts share_bar` → related, posts, relatedposts, share, bar, sharebar. */
function markupWords(el: Element): string[] {
  const raw = `${el.getAttribute("class") ?? ""} ${el.id}`;
  if (raw.trim() === "") return [];
  const words: string[] = [];
  for (const token of raw.split(/\s+/)) {
    if (!token) continue;
    const parts = token
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter(Boolean);
    // Two-letter words are mostly generated class names (`ay gp`), never a reliable signal.
    words.push(...parts.filter((part) => part.length > 2));
    if (parts.length > 1) words.push(parts.join(""));
  }
  return words;
}

const ROLES = new Set(["navigation", "complementary", "contentinfo", "banner", "search", "menu", "menubar", "toolbar"]);

/** The furniture words an element's markup carries (role, tag, class, id); empty for ordinary elements. */
function furnitureWords(el: Element): string[] {
  const found: string[] = [];
  const role = el.getAttribute("role");
  if (role && ROLES.has(role)) found.push(role);
  if (el.localName === "nav") found.push("nav");
  const pair = FURNITURE_PAIRS.exec(`${el.getAttribute("class") ?? ""} ${el.id}`);
  if (pair) found.push(pair[0].toLowerCase());
  for (const word of markupWords(el)) if (FURNITURE.has(word)) found.push(word);
  return found;
}

const textOf = (el: Element) => (el.textContent ?? "").replace(/\s+/g, " ").trim();
const isUrlLike = (text: string) => /^(https?:\/\/|www\.)\S+$/i.test(text.trim());

/** A block whose text is (almost) all one or more links, and not a bare URL someone cites. */
function isLinkBlock(el: Element, size: Size): boolean {
  return size.links > 0 && size.text > 0 && size.link >= 0.8 * size.text && !isUrlLike(textOf(el));
}

export interface BoilerplateOptions {
  /** Never remove an element holding more than this share of the article's text. */
  maxShare?: number;
  /** Called with the rule's name for each element removed (tests, evaluation). */
  trace?: (rule: string, el: Element) => void;
}

/**
 * Removes boilerplate from Readability's result in place. Returns the number of elements removed
 * (for tests and the evaluation).
 */
export function removeBoilerplate(root: Element, options: BoilerplateOptions = {}): number {
  const sizes = measure(root);
  const total = sizes.get(root)?.text ?? 0;
  if (total === 0) return 0;
  const maxShare = options.maxShare ?? 0.25;
  const size = (el: Element): Size =>
    sizes.get(el) ?? { text: 0, link: 0, links: 0, start: 0, anchors: 0, urls: 0, guarded: 0 };
  const hasProtected = (el: Element) => PROTECTED.has(el.localName) || size(el).guarded > 0;
  // Link lists and runs of teasers are judged only in the article's tail: mid-article, a list of links is
  // more often the content (a reading list, a changelog) than furniture.
  const inTail = (el: Element) => {
    const s = size(el);
    return total - (s.start + s.text) <= 0.2 * total;
  };
  const small = (el: Element) => size(el).text <= maxShare * total;
  const doomed: Element[] = [];
  const rules = new Map<Element, string>();
  const mark = (el: Element, rule: string) => {
    if (rules.has(el)) return;
    rules.set(el, rule);
    doomed.push(el);
  };

  // Leaf-ish text blocks in document order, for positional rules (first and last lines) and runs of links.
  const lines: Element[] = [];

  // `spared`: furniture words of an ancestor too big to be furniture (a live blog's `live-comments`, a
  // WordPress article's `tag-…` class): its descendants named alike are the content, not furniture.
  const walk = (el: Element, spared: ReadonlySet<string>) => {
    for (let child = el.firstElementChild; child; child = child.nextElementSibling) {
      const name = child.localName;
      const s = size(child);
      if (PROTECTED.has(name) || rules.has(child)) continue;
      let inner = spared;
      const words = furnitureWords(child).filter((word) => !spared.has(word.replace(/s$/, "")));
      if (words.length > 0 && s.text > 0) {
        const limit = words.some((word) => STRONG.has(word)) ? 0.5 : maxShare;
        if (s.text <= limit * total && !hasProtected(child)) {
          mark(child, "markup");
          continue;
        }
        inner = new Set([...spared, ...words.map((word) => word.replace(/s$/, ""))]);
      }
      // A list or box of links: navigation, related articles, tag clouds.
      if (
        (name === "ul" || name === "ol" || name === "div" || name === "section" || name === "dl") &&
        s.links >= 3 &&
        s.link >= 0.7 * s.text &&
        s.anchors < s.links / 2 &&
        s.urls * 2 < s.links &&
        inTail(child) &&
        small(child)
      ) {
        mark(child, "link-list");
        continue;
      }
      if (HEADINGS.has(name) || isHeadingLike(child, size)) {
        const text = textOf(child);
        if (text.length <= 60 && HEADING_TEXT.test(text)) {
          mark(child, "heading");
          // What such a heading introduces: the lists and link blocks that follow it, up to the next heading.
          for (let next = child.nextElementSibling; next; next = next.nextElementSibling) {
            if (HEADINGS.has(next.localName) || isHeadingLike(next, size)) break;
            const ns = size(next);
            if (!small(next) || hasProtected(next)) break;
            if (isLinkBlock(next, ns) || next.localName === "ul" || next.localName === "ol" || ns.link >= 0.5 * ns.text)
              mark(next, "after-heading");
            else break;
          }
          continue;
        }
      }
      if (BLOCKS.has(name) && isLine(child)) {
        lines.push(child);
        // Inline furniture inside a line (a rating widget in a <span>): judged by markup only.
        for (const inline of child.querySelectorAll("[class], [id]")) {
          const words = furnitureWords(inline).filter((word) => !inner.has(word.replace(/s$/, "")));
          if (words.length > 0 && size(inline).text <= maxShare * total && !hasProtected(inline))
            mark(inline, "markup");
        }
        continue;
      }
      walk(child, inner);
    }
  };
  walk(root, new Set());

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Element;
    if (rules.has(line)) continue;
    const s = size(line);
    const text = textOf(line);
    if (text === "") continue;
    // "Read more: <link>", "Lesen Sie auch: <link>": a teaser inside the text.
    if (s.links > 0 && s.link >= 0.4 * s.text && text.length <= 200 && TEASER_LABEL.test(text)) {
      mark(line, "teaser-label");
      continue;
    }
    if (text.length <= 120 && (CREDIT_LINE.test(text) || (text.length <= 40 && CREDIT_TAIL.test(text)))) {
      mark(line, "credit");
      continue;
    }
    if (LABEL_ONLY.test(text)) {
      mark(line, "label");
      continue;
    }
    const structural = HEADINGS.has(line.localName) || line.localName === "li";
    // A line of short links: tags, categories, breadcrumbs ("Politics, Europe, Germany").
    if (
      !structural &&
      s.links >= 3 &&
      s.anchors === 0 &&
      s.link >= 0.8 * s.text &&
      text.length <= 150 &&
      s.link / s.links <= 25
    ) {
      mark(line, "tag-line");
      continue;
    }
    // A link alone on a line at the very start or end of the body: "back to the list", a teaser to elsewhere.
    if (
      !structural &&
      (i < 2 || i >= lines.length - 3) &&
      s.anchors === 0 &&
      isLinkBlock(line, s) &&
      s.link >= 0.9 * s.text &&
      text.length <= 100
    ) {
      mark(line, "edge-link");
      continue;
    }
    // A run of two or more link-only lines: teasers to other articles.
    if (isLinkBlock(line, s) && s.anchors === 0 && text.length <= 200 && inTail(line)) {
      const prev = lines[i - 1];
      const next = lines[i + 1];
      const neighbour = (other: Element | undefined) => other !== undefined && isLinkBlock(other, size(other));
      if (neighbour(prev) || neighbour(next)) {
        mark(line, "link-run");
        continue;
      }
    }
    // Dates and bylines leaking into the first lines of the body (a byline also into the last ones).
    const first = i < 3;
    const last = i >= lines.length - 3;
    if (
      text.length <= 120 &&
      !/[.!?]["»”]?$/.test(text) &&
      ((first && DATE.test(text)) || ((first || last) && BYLINE.test(text)))
    ) {
      const words = text.split(/\s+/).length;
      if (words <= 16) mark(line, "date-byline");
    }
  }

  for (const el of doomed) {
    options.trace?.(rules.get(el) ?? "", el);
    el.remove();
  }
  return doomed.length;
}

/** A short block that only holds emphasised text: a heading written as `<p><strong>…</strong></p>`. */
function isHeadingLike(el: Element, size: (el: Element) => Size): boolean {
  if (el.localName !== "p" && el.localName !== "div") return false;
  const only = el.children.length === 1 ? el.firstElementChild : null;
  if (!only || !["strong", "b", "em", "span", "h2", "h3", "h4"].includes(only.localName)) return false;
  const length = size(el).text;
  return length <= 60 && length === size(only).text && textOf(el) === textOf(only);
}

/** A block with no block children: one line of the article for positional rules. */
function isLine(el: Element): boolean {
  for (let child = el.firstElementChild; child; child = child.nextElementSibling) {
    if (BLOCKS.has(child.localName) && child.localName !== "span" && child.localName !== "small") return false;
  }
  return true;
}
