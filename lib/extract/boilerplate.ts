import { BLOCK_ELEMENTS } from "./dom.ts";

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
  // Metadata rows, widgets, recommendation vendors, pop-ups, paywall and subscription boxes, print-hidden furniture.
  "postmetadata",
  "outbrain",
  "taboola",
  "timestamp",
  "paywall",
  "popup",
  "modal",
  "toolbar",
  "affiliate",
  "syndication",
  "shariff",
  "noprint",
  "abo",
  "teaser",
  "teasers",
  "authorbox",
  "authorbio",
  "authorinfo",
  "authorcard",
  "authordescription",
  "aboutauthor",
  "abouttheauthor",
  // The same furniture named in the page's language: comments, share, author.
  "kommentar",
  "kommentare",
  "comentario",
  "comentarios",
  "commentaire",
  "commentaires",
  "teilen",
  "autor",
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
  "authorbox",
  "authorbio",
  "authorinfo",
  "authorcard",
  "authordescription",
  "aboutauthor",
  "abouttheauthor",
  "kommentare",
  "comentarios",
  "commentaires",
]);

/** Words that name a person or a date in the line they sit in: inside a sentence ("<span class=dateline>CAIRO —</span> …") they are its text. */
const INLINE_PROSE = new Set(["dateline", "byline", "author", "authors", "autor", "credit", "credits", "timestamp"]);

/** Words that name a teaser only when it links somewhere: a site's lead paragraph is often classed `teaser` too. */
const LINKED_ONLY = new Set(["teaser", "teasers"]);

/** Two-word class names whose words alone are too common to mean furniture (`post-meta`, `more-articles`). */
const FURNITURE_PAIRS =
  /\b(post|entry|article)[-_ ]?(meta|info|footer|tags)\b|\bmore[-_ ]?(articles|stories|news|posts)\b/i;

/** Headings that introduce furniture, in the languages the web writes most (general vocabulary, no site's). */
const FURNITURE_HEADING = new RegExp(
  [
    // English
    "related( (articles|posts|stories|content|news|topics))?|read (more|also|next)|see also|more (from|on|about|stories|articles|news|in)\\b.*|you (may|might) (also )?(like|enjoy)|recommended( for you)?|(most )?popular|trending|most read|further reading|share( this( (article|post|story))?)?|follow us|newsletter|sign up|subscribe|comments?|leave a (reply|comment)|(write|add|post) a comment|no comments( yet)?|about (the )?authors?|tags|table of contents|contents|latest (news|articles|posts|stories)|(next|previous) (article|post|story)|similar (articles|posts|stories)|we recommend|don'?t miss|also read|up next",
    // German
    "ähnliche (beiträge|artikel|themen)|auch interessant|das könnte (sie|dich) auch interessieren|lesen sie (auch|mehr)\\b.*|mehr zum thema.*|mehr zu\\b.*|weitere (artikel|beiträge|nachrichten|news|themen|informationen)\\b.*|siehe auch|zum weiterlesen|verwandte (artikel|beiträge|themen)|empfehlungen|teilen|kommentare?|schlagworte|schlagwörter|inhaltsverzeichnis|quellen(angaben)?|news|über (den|die) autor(in)?|zum autor|zur autorin|neueste (artikel|beiträge|nachrichten|news)|(schon|auch) gelesen|noch mehr\\b.*|(nächste[rnm]?|vorherige[rnm]?) (artikel|beitrag)|keine kommentare|kommentar(e)? (schreiben|verfassen)|auch lesenswert|zum thema|mehr dazu|auch lesen|(das|dieses) thema könnte (dich|sie) auch interessieren|weiterführende(r)? (links?|artikel|beiträge)|empfohlene (beiträge|artikel)|entdecke weitere\\b.*|meist(gelesen|diskutiert|-diskutiert|-gelesen)|mehr aus (der|dem|unserer?) \\S+|vorschau auf (den|die|das) nächsten? \\S+|(heute )?empfehlen wir|wir empfehlen|unsere empfehlung(en)?",
    // French, Spanish, Italian, Portuguese, Dutch
    "(à )?lire aussi|voir aussi|articles? (similaires|liés)|sur le même sujet|partager|commentaires?|(le|te) puede interesar|lea también|ver también|(noticias|artículos) relacionad[oa]s|comentarios|compartir|leggi anche|potrebbe interessarti|articoli correlati|commenti|condividi|leia também|veja também|comentários|lees ook|gerelateerd|reacties|delen|à propos de l'auteur|sur l'auteur|(à )?lire (la suite|également)|dernières? (actualités|nouvelles|articles)|sobre (el|la) autor[a]?|lea (más|también)|lee (más|también)|puedes ver|ver más|más noticias|otras noticias|últimas noticias|lo más (leído|visto)|leia mais|saiba mais|veja mais|mais lidas|sobre o autor|vea también|mire",
    // Polish, Russian, Chinese, Japanese
    "czytaj (też|także|również|więcej)|o autorze|najnowsze|najczęściej czytane|zobacz (też|także)|polecamy|komentarze|udostępnij|читайте также|смотрите также|похожие (статьи|новости)|комментарии|поделиться|相关(文章|阅读|新闻|推荐)|推荐阅读|延伸阅读|热门文章|关联记事|関連記事|あわせて読みたい|コメント",
  ]
    .map((group) => `(?:${group})`)
    .join("|"),
  "iu",
);
const HEADING_TEXT = new RegExp(`^\\s*(?:${FURNITURE_HEADING.source})\\s*[:：!.?…»›>-]*\\s*$`, "iu");
/** A label that introduces a teaser link inside the text ("Read more: …", "Lesen Sie auch: …", "Lea: …"). */
const TEASER_LABEL = new RegExp(
  `^\\s*(?:>>\\s*)?(?:${FURNITURE_HEADING.source}|lea|lee|mira|ver|véase|voir|siehe|see|watch|video|listen)\\s*[:：»›>]`,
  "iu",
);

/**
 * `\b` for Latin scripts (JavaScript's `\b` knows only ASCII letters: `\búnete` would never match). Used on
 * lower-cased text without the `i`/`u` flags: case-insensitive Unicode classes make V8 compile these patterns
 * into automata that cost a second per worker and tens of microseconds per line.
 */
const LATIN = "a-z0-9\\u00c0-\\u024f";
const WORD_EDGE = `(?:(?<![${LATIN}])(?=[${LATIN}])|(?<=[${LATIN}])(?![${LATIN}]))`;
/** One pattern of alternatives, for lower-cased text, whose `\b` are Latin word edges (see above). */
function latinPhrases(alternatives: readonly string[]): RegExp {
  return new RegExp(alternatives.join("|").replaceAll("\\b", WORD_EDGE), "");
}

/**
 * A call to action addressed to the reader, not the article's text: subscription and paywall pitches, app and
 * channel invitations, newsletter sign-ups, share and comment prompts, donation appeals, consent notes. Phrases,
 * not words: an article about subscriptions still says "subscribers rose".
 */
const CALL_TO_ACTION = latinPhrases([
  // English
  "\\b(please |now |today )?subscribe (now|today|to (our|the|read)|for)\\b|\\bsubscribe\\b.{0,40}\\b(full story|unlimited|access|newsletter)|\\balready a (subscriber|member)\\b|\\b(become|be) a (member|subscriber|patron|supporter)\\b|\\bsign up (for|to|here|now|today)\\b|\\b(download|install) (our|the) ([\\w'-]+ ){0,3}apps?\\b|\\bfollow us (on|at)\\b|\\bjoin (us|our) (on|at|in)?\\b.{0,30}\\b(telegram|whatsapp|facebook|twitter|instagram|channel|community|newsletter)|\\bif you (enjoyed|liked|found|appreciate)\\b.{0,40}\\b(this|our|reading)\\b|\\bsupport (our|independent) journalism\\b|\\b(share|like) (this|it) (with|on)\\b|\\bleave a (comment|reply)\\b|\\bcomments? (are|is) (closed|disabled)\\b|\\b(you must|to) (be )?log(ged)? ?in to (comment|post|reply)\\b|\\bsubmit (your|a) (letter|comment|story|tip)\\b|\\bwe (respect|value) your privacy\\b|\\bthis (site|website) uses cookies\\b|\\bto (view|read|continue reading) (the )?(full|rest|this)\\b|\\bnever miss\\b|\\bwritten permission\\b|\\bcopyrighted (property|material)\\b|\\ball rights reserved\\b|\\bwe want to hear (from you|what you think)\\b|\\byou are (currently )?not logged in\\b|\\b(we|i) (may )?(earn|receive) (a )?(small )?(commission|compensation)\\b|\\bkeep up with (me|us)\\b|\\baffiliate links?\\b|\\bthis (entry|post) was (posted|filed)\\b|\\brate this (article|post|story)\\b|\\bdownload (this|the) (script|article|transcript)?\\s?(as )?(a )?pdf\\b|\\bprint (this )?recipe\\b|\\blet us know (in the comments|what you think)\\b|\\btell us what you think\\b|\\bour (youtube|telegram|whatsapp|instagram) (channel|account)\\b|\\b(daily|weekly|free) newsletter\\b",
  // German
  "\\b(jetzt|hier) (abonnieren|anmelden|registrieren|teilen|kommentieren)\\b|\\babonnieren sie\\b|\\bnewsletter (abonnieren|bestellen)\\b|\\b(zum|unseren?) newsletter\\b|\\bfolgen sie uns\\b|\\bfolge uns\\b|\\b(artikel|beitrag|seite) (gefallen|teilen)\\b|\\b(um|zu) kommentare? (zu )?schreiben\\b|\\bkommentare? (schreiben|verfassen|abgeben)\\b|\\bin den kommentaren\\b|\\b(den|diesen) (artikel|beitrag) (mit|teilen)\\b|\\bwir respektieren (deine|ihre) privatsphäre\\b|\\b(unterstütze|unterstützen sie) (uns|unsere arbeit)\\b|\\bverpasse? keine\\b|\\bnichts mehr (verpassen|versäumen)\\b|\\balle rechte vorbehalten\\b|\\bgefällt (dir|ihnen) (unser|unsere|dieser|dieses|der)\\b|\\bbesuchen sie unseren\\b|\\b(sie sind|du bist) (aktuell |derzeit |gerade )?nicht (eingeloggt|angemeldet)\\b|\\bkommentieren zu können\\b|\\b(erhält|erhalten) (wir|[a-z\\u00c0-\\u024f]+) (eine )?provision\\b|\\b(dieser|der) (beitrag|artikel|text) (enthält|enthalten) (werbung|affiliate)\\b|\\b(dieser|der) (beitrag|artikel|text) (gibt die meinung|wurde (zuerst |erstmals |ursprünglich )?.{0,60}veröffentlicht|erschien (zuerst|erstmals|ursprünglich))\\b|\\bals pdf herunterladen\\b|\\brezept drucken\\b|\\bartikel bewerten\\b|\\balle angaben ohne gewähr\\b|\\b(teilen sie|teile) uns (ihre|deine) (erfahrungen|meinung)\\b|\\burheberrechtlich geschützt\\b|\\bdie inhalte dieser (website|webseite|seite|homepage)\\b|\\bunseren? (youtube|telegram|whatsapp|instagram)[- ]?(kanal|account)\\b|\\bpush-?benachrichtigung(en)?\\b|\\bbenachrichtigungen? aktivieren\\b",
  // French, Spanish, Portuguese, Italian, Polish
  "\\babonnez-vous\\b|\\bpour lire la suite\\b|\\binscrivez-vous\\b|\\bsuivez-nous\\b|\\bsuscr[ií]bete\\b|\\bsuscríbase\\b|\\b[úu]nete\\b|\\bs[ií]guenos\\b|\\bdescarga (nuestra|la) app\\b|\\bassine (já|agora|o|a)\\b|\\binscreva-se\\b|\\bsiga-nos\\b|\\biscriviti\\b|\\bseguici\\b|\\bzapraszamy (też |także )?do (subskrypcji|prenumeraty)\\b|\\bsubskrybuj\\b|\\bmateriał chroniony prawem\\b|\\btous droits réservés\\b|\\btodos los derechos reservados\\b|\\bhazte (miembro|socio)\\b|\\bnuestro canal de (youtube|telegram|whatsapp)\\b|\\bvalora esta (noticia|nota)\\b|\\bcet article (a été|est paru)\\b",
]);

/** A photo credit or source line: "Foto: X", "(© X)", "Photo by X", "Bild via X", "Credit: X". */
const CREDIT_LINE =
  /^[\s([]*(?:©|\(c\)|copyright\b|(?:foto|fotos|photo|photos|photograph|photography|bild|bilder|titelbild|beitragsbild|image|images|imagen|imágenes|fotografía|credit|credits|quelle|source|fuente|crédit|crédits|crédito|créditos|picture|illustration|grafik|zdjęcie|fot\.|źródło)(?:\s+(?:photos?|fotos?|images?|credits?|de l'image))?\s*(?:[:/]|by\b|via\b|von\b|credit\b|©))/iu;
const CREDIT_TAIL = /(?:\bbild via\b|\bphoto:|\bfoto:|\bcredit:|©)[^.!?]{0,60}[)\]]?\s*$/iu;

/** A line that is only a label: advertising markers, a heading for furniture with nothing else in it. */
const LABEL_ONLY = new RegExp(
  `^[\\s\\-–—*•·|()[\\]]*(?:advertisement|advertising|sponsored|anzeige|werbung|publicité|publicidad|pubblicità|reklama|реклама|广告|広告|externer inhalt|external content|(bild|bilder|image|images|video|galerie|gallery) (anzeigen|ansehen|vergrößern|show|view|enlarge)|(lade|loading) (weitere|more)( inhalte| content| articles)?|(mehr|weitere inhalte) laden|load more|show more|mehr anzeigen|zurück|back|drucken|print|drukuj|imprimir|imprimer|zum vergrößern.*|click to enlarge.*|kontakt|contact( us)?|kategorien|categories|archiv|archives|release date|datum|date|fecha|von|by|par|por|(quellen|sources?|details|mehr|weniger) (ausblenden|einblenden|anzeigen|verbergen)|show (less|sources)|hide (sources|details)|ansprechpartner(in)?|learn more|mehr erfahren|en savoir plus|saber más|weiterlesen|weiter lesen|mehr lesen|continue reading|zum artikel|czytaj dalej|dowiedz się więcej|więcej|${FURNITURE_HEADING.source})[\\s\\-–—*•·|()[\\]:：]*$`,
  "iu",
);

/** A line that files the article: "Category: Press releases", "Tags: …", "Schlagwörter: …", "Filed under …". */
const FILED_UNDER =
  /^\s*(categor(y|ies)|kategorie(n)?|rubrik|tags?|schlagw(orte|örter)|stichw(orte|örter)|filed under|posted in|catégories?|categorías?|etiquetas|tagi|kategori[ae])\s*[:：]/iu;

/** "Reading time: 4 min", "Lesezeit: 3 Minuten", "5 min read": a line about the article, not of it. */
const READING_TIME =
  /^\s*(reading time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo de leitura|ten tekst przeczytasz|czas czytania)\b|\b\d+\s*(min|minutes?|minuten|minuty|minut)\.?\s*(read|lesezeit|de lecture|de lectura)\b/iu;

/** Headings over an author's biography, in the languages of the heading vocabulary. */
const AUTHOR_ABOUT =
  "about (the )?authors?|über (den|die) autor(in)?|zum autor|zur autorin|à propos de l'auteur|sur l'auteur|sobre (el|la|o) autor[a]?|o autorze|об авторе";
const AUTHOR_WORD = "(the )?author|der autor|die autorin|l'auteur|el autor|la autora";
const AUTHOR_HEADING = new RegExp(`^\\s*(?:${AUTHOR_ABOUT}|${AUTHOR_WORD})\\s*[:：.]?\\s*$`, "iu");
/** A paragraph that starts with its own author heading ("About the author Jane Roe …", "Author: Jane Roe, …"). */
const AUTHOR_HEADING_START = new RegExp(
  `^\\s*(?:(?:${AUTHOR_ABOUT})\\s*[:：.]?|(?:${AUTHOR_WORD})\\s*[:：])\\s+\\S`,
  "iu",
);

/** An agency and a photographer joined by a slash ("AFP / Jane Roe", "Studio/Shutterstock.com"): no sentence in it. */
function isCreditShape(text: string): boolean {
  const match = /^[(\s]*((?:[\p{L}\d&'’ -]|\.(?!\s)){2,40})\s?\/\s?((?:[\p{L}\d&'’ -]|\.(?!\s)){2,40})[)\s]*$/u.exec(
    text,
  );
  // Names, not phrases: a few words on each side.
  return match?.slice(1).every((side) => side.trim().split(/\s+/).length <= 3) ?? false;
}
/** Picture agencies and stock libraries, the names credits are made of. */
const CREDIT_AGENCY =
  /\b(getty( images)?|reuters|afp|dpa|epa|istock(photo)?|shutterstock|unsplash|pixabay|pexels|imago|picture[- ]alliance|keystone|ansa|efe|wenn|pap|adobe ?stock|depositphotos|fotolia|123rf|ap photo|associated press)\b/iu;
/** Credit vocabulary alone ("Getty Images", "Shutterstock", "dpa"), for a caption's last element. */
const CREDIT_WORD =
  /^[(\s]*(?:©|\(c\)|getty( images)?|shutterstock(\.com)?|istock(photo)?|reuters|afp|ap( photo)?|dpa|epa|picture alliance|imago|unsplash|pixabay|adobe ?stock|keystone|ansa|efe)\b/iu;

/** "Posted on", "Veröffentlicht am", "Publicado el": the line is a publication date, whatever follows. */
const POSTED = latinPhrases([
  "^\\s*((news|release|publication) date|datum|posted|published|updated|last (updated|modified)|written|erstellt|veröffentlicht|aktualisiert|geschrieben|zuletzt (aktualisiert|geändert)|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|opublikowano|zaktualizowano|dodano)\\b",
  "\\b(der|dieser) (beitrag|artikel|eintrag) wurde\\b",
  "\\bthis (entry|post|article) was (posted|published|filed)\\b",
]);

const MONTHS =
  "jan(uary|uar|vier)?|feb(ruary|ruar|ruari)?|mar(ch|s)?|märz|apr(il)?|avril|may|mai|mei|jun[ei]?|juin|jul[iy]?|juillet|aug(ust)?|août|sep(t|tember|tembre)?|okt(ober)?|oct(ober|obre)?|nov(ember|embre)?|de[cz](ember|embre)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janvier|février|juillet|décembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia";
const DATE = new RegExp(
  `\\b\\d{1,2}[./-]\\s?\\d{1,2}[./-]\\s?\\d{2,4}\\b|\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b\\d{1,2}\\.?\\s+(${MONTHS})\\.?\\s+\\d{4}\\b|\\b(${MONTHS})\\.?\\s+\\d{1,2},?\\s+\\d{4}\\b|\\d{4}年\\d{1,2}月\\d{1,2}日|\\b\\d+\\s*(min|minutes?|minuten)\\.?\\s+(read|lesezeit|lesedauer)\\b`,
  "iu",
);
const BYLINE = /^\s*(by|von|par|por|di|door|av|af|autor|author|text|interview)\s*[:]?\s+\p{Lu}/iu;

// Table rows and cells count too; a table is protected whole, so the pass never judges them one by one.
const BLOCKS = new Set([
  ...BLOCK_ELEMENTS,
  // Inline elements judged as lines when they stand alone, and wrappers that hold blocks: without them a <center>
  // around the article would read as one "line".
  "span",
  "small",
  "center",
  "fieldset",
  "hgroup",
]);
/** Inline elements judged as lines when they stand alone, never splitting the line they sit in. */
const INLINE_BLOCKS = new Set(["span", "small"]);
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

/** Characters of text with whitespace runs counted as one (leading whitespace not at all). */
export const collapsedLength = (text: string) => {
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
  // An id of four words or more is a slug of the element's own text (`nav_nur_die_folie__1`, an anchor), not a name.
  const id = el.id.split(/[^A-Za-z]+/).filter(Boolean).length >= 4 ? "" : el.id;
  const raw = `${el.getAttribute("class") ?? ""} ${id}`;
  if (raw.trim() === "") return [];
  const words: string[] = [];
  for (const token of raw.split(/\s+/)) {
    // A negated name (`non-paywall`, `no-sidebar`) says the opposite of its word.
    if (!token || /^(non|no|not|without)[-_]/i.test(token)) continue;
    // A generated class name (`tagStyle_z4kqwb-o_O-style_1tcxgp3`) holds words by accident.
    if (token.length > 12 && /[a-z]\d[a-z]|\d[a-z]+\d/i.test(token)) continue;
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

/**
 * Whether an element's markup names furniture (role, tag, class, id), for text outside Readability's result.
 * Teasers are left out: a standfirst is often classed `teaser`.
 */
export const isFurniture = (el: Element) => furnitureWords(el).some((word) => !LINKED_ONLY.has(word));

/**
 * Whether a furniture word holds for an element of this size: a teaser links somewhere (a lead paragraph is
 * often classed `teaser`), and a "read more" is a link (the toggle that reveals hidden text wraps the text).
 */
const namesFurniture = (word: string, s: Size) =>
  (!LINKED_ONLY.has(word) || s.links > 0) && (word !== "readmore" || s.link >= 0.5 * s.text);

/** An element's text, whitespace collapsed. */
export const textOf = (el: Element) => (el.textContent ?? "").replace(/\s+/g, " ").trim();
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
      if (rules.has(child)) continue;
      if (PROTECTED.has(name)) continue;
      let inner = spared;
      const words = furnitureWords(child).filter(
        (word) =>
          !spared.has(word.replace(/s$/, "")) &&
          namesFurniture(word, s) &&
          // A caption named after its credit ("lead-image__credit") is still the caption: its credit goes by shape.
          !(name === "figcaption" && INLINE_PROSE.has(word)),
      );
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
            // A table of contents (links into the page) is a way through the article, not out of it.
            if (ns.anchors > 0 && ns.anchors >= ns.links / 2) break;
            if (isLinkBlock(next, ns) || next.localName === "ul" || next.localName === "ol" || ns.link >= 0.5 * ns.text)
              mark(next, "after-heading");
            // An author heading in the tail introduces the author's biography.
            else if (AUTHOR_HEADING.test(text) && inTail(next) && ns.text <= 600) mark(next, "after-heading");
            else break;
          }
          continue;
        }
      }
      if (BLOCKS.has(name) && isLine(child)) {
        lines.push(child);
        // Inline furniture inside a line (a rating widget in a <span>): judged by markup only.
        for (const inline of child.querySelectorAll("[class], [id]")) {
          const is = size(inline);
          const words = furnitureWords(inline).filter(
            (word) =>
              !inner.has(word.replace(/s$/, "")) &&
              namesFurniture(word, is) &&
              // A dateline or a name inside a sentence is the sentence's text.
              !(INLINE_PROSE.has(word) && s.text > 2 * is.text),
          );
          if (words.length > 0 && is.text <= maxShare * total && !hasProtected(inline)) mark(inline, "markup");
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
    // "Read more: <link>", "Lesen Sie auch: <link>": a teaser inside the text; unlinked when set apart as a heading.
    if (
      text.length <= 200 &&
      ((s.links > 0 && s.link >= 0.4 * s.text) || HEADINGS.has(line.localName) || isEmphasized(line)) &&
      TEASER_LABEL.test(text)
    ) {
      mark(line, "teaser-label");
      continue;
    }
    if (text.length <= 120 && (CREDIT_LINE.test(text) || (text.length <= 40 && CREDIT_TAIL.test(text)))) {
      mark(line, "credit");
      continue;
    }
    // Outside captions too: a short line naming a picture agency, alone or after a slash ("Name/Agency").
    if (
      text.length <= 60 &&
      CREDIT_AGENCY.test(text) &&
      (isCreditShape(text) || CREDIT_WORD.test(text) || /^\(.*\)$/.test(text))
    ) {
      mark(line, "credit");
      continue;
    }
    const caption = inCaption(line, root);
    // In a caption, the agency and photographer ("AFP / Jane Roe", "Werk/Studio"): a credit by its shape.
    if (caption && text.length <= 60 && isCreditShape(text)) {
      mark(line, "credit");
      continue;
    }
    if (caption) {
      // The credit at the end of a caption, set apart in its own element: the caption stays, the credit goes.
      const last = line.lastElementChild;
      const lastText = last ? textOf(last) : "";
      if (
        last &&
        lastText.length > 0 &&
        lastText.length <= 80 &&
        lastText.length < text.length &&
        (CREDIT_LINE.test(lastText) || isCreditShape(lastText) || CREDIT_WORD.test(lastText)) &&
        text.endsWith(lastText)
      )
        mark(last, "credit");
    }
    // A credit written into the end of the caption's own text ("… (Foto: Getty)", "… © AFP / Jane Roe").
    if ((caption || text.length <= 300) && CREDIT_HINT.test(text.slice(-80)))
      trimTrailingCredit(line, caption, options.trace);
    // Subscription pitches, app and channel invitations, share and comment prompts: short, addressed to the reader.
    if (text.length <= 500 && s.link <= 0.8 * s.text && (inTail(line) || i < 2 || text.length <= 200)) {
      const at = text.toLowerCase().search(CALL_TO_ACTION);
      // A longer line must open with it: a quote that ends in a sign-up line is still the quote.
      if (at >= 0 && (text.length <= 150 || at <= 60)) {
        mark(line, "call-to-action");
        continue;
      }
    }
    // "About the author: …" in the tail: a biography.
    if (inTail(line) && text.length <= 600 && AUTHOR_HEADING_START.test(text)) {
      mark(line, "author-bio");
      continue;
    }
    // A "posted on"/"published" line at the edges: metadata.
    if (
      text.length <= 200 &&
      (inTail(line) || i < 3) &&
      POSTED.test(text.toLowerCase()) &&
      (DATE.test(text) || line.querySelector("time") !== null)
    ) {
      mark(line, "date-byline");
      continue;
    }
    if ((text.length <= 200 && FILED_UNDER.test(text)) || (text.length <= 60 && READING_TIME.test(text))) {
      mark(line, "label");
      continue;
    }
    if (text.length <= 80 && LABEL_ONLY.test(text)) {
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

/**
 * A picture credit closing a line's text: "© Agency / Name", "Foto: Agency/Name" after a sentence, and in captions
 * also "(Quelle: …)", "(REUTERS/Name)". Bounded repetitions on a bounded tail: linear in the line.
 */
const PICTURE_CREDIT_TAIL =
  /(?:\s*[|·]\s*|\s+|^)(?:©\s*[^©()\n]{2,60}|\((?:foto|fotos|photo|bild|imagen)\s*:\s*[^()\n]{2,60}\)|(?<=[.!?)]\s*)(?:foto|fotos|photo|bild|imagen|image)\s*:\s*[^.!?()\n]{2,60})\s*$/iu;
const CAPTION_CREDIT_TAIL =
  /\s*\((?:(?:foto|fotos|photo|bild|quelle|source|credit|crédit|crédito|imagen|fuente)\s*:\s*[^()\n]{2,60}|[^()\n/]{2,40}\s?\/\s?[^()\n]{2,40})\)\s*$/iu;

/** What every trailing credit holds somewhere in its last characters: a cheap test before walking the line. */
const CREDIT_HINT = /[©)]|(?:foto|fotos|photo|bild|imagen|image)\s*:/i;

/** Cuts a trailing picture credit off the line's last text, leaving the caption or sentence before it. */
function trimTrailingCredit(line: Element, caption: boolean, trace?: (rule: string, el: Element) => void) {
  const walker = line.ownerDocument.createTreeWalker(line, 4 /* SHOW_TEXT */);
  let last: Text | null = null;
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null)
    if (node.data.trim() !== "") last = node;
  if (!last) return;
  const tail = last.data.slice(-200);
  const inParentheses = CAPTION_CREDIT_TAIL.exec(tail);
  const match =
    PICTURE_CREDIT_TAIL.exec(tail) ??
    (inParentheses && (caption || CREDIT_AGENCY.test(inParentheses[0])) ? inParentheses : null);
  if (!match) return;
  const kept = last.data.slice(0, last.data.length - tail.length + match.index);
  // The credit alone is the line: the line rules judge it whole.
  if (collapsedLength(line.textContent ?? "") - collapsedLength(last.data) + kept.trim().length < 10) return;
  last.data = kept;
  trace?.("credit-tail", line);
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
    if (BLOCKS.has(child.localName) && !INLINE_BLOCKS.has(child.localName)) return false;
  }
  return true;
}

/** A line whose text is all emphasis (`<p><strong>…</strong></p>`): set apart like a heading. */
function isEmphasized(el: Element): boolean {
  const only = el.children.length === 1 ? el.firstElementChild : null;
  return (
    only !== null && ["strong", "b", "em", "i"].includes(only.localName) && textOf(only).length >= textOf(el).length - 1
  );
}

/** Inside a figure's caption: a <figcaption>, or any element of a <figure>, or a block classed as a caption. */
function inCaption(el: Element, root: Element): boolean {
  for (let e: Element | null = el; e && e !== root; e = e.parentElement) {
    if (e.localName === "figcaption" || e.localName === "figure") return true;
    const cls = e.getAttribute("class");
    if (cls && /caption|credit|imagedescription|img-desc|image-desc/i.test(cls)) return true;
  }
  return false;
}
