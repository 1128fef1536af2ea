/**
 * What the offline summarizer needs to know about a few languages (en, de, fr, es): which sentence openings lean on
 * an earlier sentence (a pronoun, a demonstrative, a connective), which frequent words make poor tags, and how to
 * bring a word's forms to one key (a light suffix stemmer: train/trains/training → train).
 */

type Lang = "en" | "de" | "fr" | "es";

/** A word list written as text: "|" separates entries that hold spaces, else whitespace does. */
const list = (text: string): string[] =>
  text
    .split(text.includes("|") ? "|" : /\s+/)
    .map((w) => w.trim().replace(/\s+/g, " "))
    .filter(Boolean);

/** Sentence openings that refer back: a TL;DR cannot start with them ("Its gamble was…", "However, …"). */
const DEPENDENT_OPENINGS: Record<Lang, string[]> = {
  en: list(`
    he|she|it|its|it's|they|they're|them|their|his|her|him|this|that|these|those|such|however|but|and|or|so|
    also|then|thus|therefore|hence|moreover|furthermore|additionally|meanwhile|instead|still|yet|besides|
    consequently|nonetheless|nevertheless|otherwise|likewise|similarly|which|both|another|accordingly|again|
    as a result|in addition|on the other hand|for example|for instance|after that|even so|that said|
    to that end|in turn|by contrast|in contrast|the latter|the former|the same`),
  de: list(`
    er|sie|es|ihr|ihre|ihrem|ihren|ihrer|ihres|sein|seine|seinem|seinen|seiner|seines|dies|diese|dieser|dieses|
    diesem|diesen|dabei|damit|dadurch|deshalb|deswegen|daher|darum|trotzdem|dennoch|jedoch|aber|doch|außerdem|
    zudem|allerdings|somit|also|ebenfalls|auch|dazu|danach|dann|darauf|dafür|dagegen|hierbei|hierfür|
    stattdessen|letztere|letzterer|ersterer|solche|solcher|und|oder|zum beispiel`),
  fr: list(`
    il|elle|ils|elles|cela|ceci|ça|celui|celle|ceux|celles|ce|cet|cette|ces|c'|son|sa|ses|leur|leurs|lui|eux|
    mais|pourtant|cependant|toutefois|donc|ainsi|alors|aussi|néanmoins|puis|ensuite|d'ailleurs|et|ou|or|
    en effet|par ailleurs|de plus|en outre|par conséquent|en revanche|par exemple|de même`),
  es: list(`
    él|ella|ellos|ellas|esto|eso|aquello|este|esta|estos|estas|ese|esa|esos|esas|su|sus|pero|además|así|
    asimismo|también|entonces|luego|sino|dicho|dicha|dichos|dichas|y|o|sin embargo|por eso|por lo tanto|
    no obstante|por ello|por ejemplo|por su parte|en cambio|de hecho`),
};

/** Frequent words that name no topic: times, reporting verbs, vague nouns (stop-words for tags, not for ranking). */
const WEAK_TAGS: Record<Lang, string[]> = {
  en: list(`
    morning evening night tonight today yesterday tomorrow week weekend month year day time hour minute monday
    tuesday wednesday thursday friday saturday sunday january february march april june july august september
    october november december people thing lot part percent number according including told say said says
    saying think know want going really something someone everyone anything every first last next two three
    four five ten hundred thousand million billion around again still now yet already never always often later
    earlier ago since among across without within into onto upon whose whom there here then than those these
    she her him his they them its our ours yours mine been being have having does doing done did would could
    should will can use used using take took taken give gave come came see saw seen look way good great big
    small long little old high low left right end put set let keep kept near far enough less least ever quite
    rather almost down off away along above below behind beyond toward towards per via went gone got`),
  de: list(`
    morgen abend nacht heute gestern woche monat jahr jahre jahren tag tage tagen zeit stunde uhr montag
    dienstag mittwoch donnerstag freitag samstag sonntag prozent sagte sagt sagen laut wurde wurden worden
    werden wird hat haben hatte hatten sind war waren sein kann können konnte muss müssen soll sollen mehr
    noch schon nur sehr immer wieder dabei damit jetzt etwa rund viele einem einen einer eines diese dieser
    dieses wie was wenn weil dass nach bei aus vor über unter zwei drei ersten neue neuen beim zum zur ihre
    seine sowie gibt geht ging kam kommt macht machen ganz alle allen anderen`),
  fr: list(`
    matin soir nuit aujourd'hui hier demain semaine mois année années ans jour jours temps heure heures lundi
    mardi mercredi jeudi vendredi samedi dimanche pourcent selon dit dire été être avoir fait faire peut plus
    aussi très tout tous toute toutes cette comme mais avec sans sous entre après avant depuis encore déjà
    ainsi alors leur leurs elle elles ils nous vous son ses sont était sera deux trois premier première
    nouveau nouvelle autre autres fois chose choses gens peu bien dont où quand lors chez vers part`),
  es: list(`
    mañana tarde noche hoy ayer semana mes meses año años día días tiempo hora horas lunes martes miércoles
    jueves viernes sábado domingo ciento según dijo dice decir sido ser estar tiene tener hace hacer puede
    poder más también muy todo todos toda todas esta este estos estas como pero sin sobre entre después antes
    desde hasta ya así ella ellos ellas nos sus son era será fue han dos tres primer primera nuevo nueva otro
    otra otros vez veces cosa cosas gente poco bien donde cuando hay está están`),
};

const LANGS: Lang[] = ["en", "de", "fr", "es"];

const langOf = (lang: string | null | undefined): Lang | null =>
  LANGS.find((l) => l === lang?.toLowerCase().slice(0, 2)) ?? null;

const openingSets = new Map(LANGS.map((l) => [l, new Set(DEPENDENT_OPENINGS[l])]));
const weakSets = new Map(LANGS.map((l) => [l, new Set(WEAK_TAGS[l])]));
const allWeak = new Set(LANGS.flatMap((l) => WEAK_TAGS[l]));

/** The sentence's first words, lower-cased, without opening quotes, dashes or brackets; elision kept ("c'est" → "c'"). */
function openingWords(sentence: string): string[] {
  const start = sentence.replace(/^[\s"'“”‘’«»„‚()[\]—–\-…*]+/u, "").toLowerCase();
  const words = start.match(/[\p{L}]+(?:['’][\p{L}]*)?/gu) ?? [];
  return words.slice(0, 4).map((w) => w.replace("’", "'"));
}

/**
 * Whether a sentence leans on the one before it: it opens with a pronoun, a demonstrative or a connective of its
 * language (every supported language when the language is unknown or another one).
 */
export function dependsOnContext(sentence: string, lang: string | null | undefined): boolean {
  const words = openingWords(sentence);
  if (words.length === 0) return false;
  const known = langOf(lang);
  const sets = known ? [openingSets.get(known)] : [...openingSets.values()];
  const candidates = [words[0] as string, words.slice(0, 2).join(" "), words.slice(0, 3).join(" ")];
  // An elided opening: "c'est", "l'entreprise" — only "c'" refers back.
  const first = words[0] as string;
  if (first.includes("'")) candidates.push(`${first.slice(0, first.indexOf("'"))}'`);
  return sets.some((set) => candidates.some((c) => set?.has(c)));
}

/** A word that should not be a tag in this language (or any supported one when unknown). */
export function isWeakTag(word: string, lang: string | null | undefined): boolean {
  const known = langOf(lang);
  return known ? (weakSets.get(known)?.has(word) ?? false) : allWeak.has(word);
}

/** Suffixes stripped to bring a word's forms together, longest first, per language. */
const SUFFIXES: Record<Lang, string[]> = {
  en: ["ies", "ing", "es", "ed", "s"],
  de: ["ungen", "ern", "en", "er", "es", "e", "n", "s"],
  fr: ["euses", "euse", "eaux", "aux", "es", "s", "x", "e"],
  es: ["ciones", "iones", "es", "s", "a", "o"],
};

/**
 * The key a word's forms share: a light stemmer (plural and common inflections), conservative on short words so
 * distinct words stay apart. "train", "trains", "training" → "train"; "cities"/"city" → "city".
 */
export function wordKey(word: string, lang: string | null | undefined): string {
  const w = word.toLowerCase().replace(/['’]s$/, "");
  const known = langOf(lang) ?? "en";
  if (known === "en" && w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  for (const suffix of SUFFIXES[known]) {
    // "business" is not a plural of "busines".
    if (known === "en" && suffix === "s" && w.endsWith("ss")) break;
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) {
      let stem = w.slice(0, -suffix.length);
      // "running" → "runn" → "run"; "stopped" → "stopp" → "stop".
      if (known === "en" && (suffix === "ing" || suffix === "ed") && /([^aeiou])\1$/.test(stem))
        stem = stem.slice(0, -1);
      return stem;
    }
  }
  return w;
}
