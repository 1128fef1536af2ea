import { describe, expect, it } from "vitest";
import { dependsOnContext, isWeakTag, wordKey } from "./extractive-language";
import { createExtractiveSummarizer, extractiveTags } from "./extractive-summarizer";

describe("sentences that lean on an earlier one", () => {
  it.each([
    ["en", "Its gamble was that night trains would win back travellers."],
    ["en", "However, the night train network kept growing."],
    ["en", "“They said the sleeper trains were full,” she recalled."],
    ["en", "As a result, the railway ordered new sleeper cars."],
    ["de", "Sie fährt jede Nacht von Wien nach Hamburg."],
    ["de", "Außerdem will die Bahn neue Schlafwagen kaufen."],
    ["fr", "Il circule chaque nuit entre Paris et Nice."],
    ["fr", "C'est le plus long trajet de nuit du pays."],
    ["fr", "Par ailleurs, la compagnie commande de nouvelles voitures."],
    ["es", "Sin embargo, la compañía compró nuevos coches cama."],
    ["es", "Ella viaja cada noche de Madrid a Lisboa."],
  ])("%s: %s", (lang, sentence) => {
    expect(dependsOnContext(sentence, lang)).toBe(true);
  });

  it.each([
    ["en", "The night train from Vienna to Hamburg runs every evening."],
    ["en", "Thessaloniki gets a new sleeper service."],
    ["de", "Die Bahn fährt jede Nacht von Wien nach Hamburg."],
    ["fr", "La compagnie ferroviaire relance les trains de nuit."],
    ["es", "La compañía ferroviaria relanza los trenes nocturnos."],
  ])("%s stands alone: %s", (lang, sentence) => {
    expect(dependsOnContext(sentence, lang)).toBe(false);
  });

  it("checks every supported language when the page's is unknown", () => {
    expect(dependsOnContext("Cependant, le service reprend.", null)).toBe(true);
    expect(dependsOnContext("Rail operators expand night services.", null)).toBe(false);
  });
});

describe("tags", () => {
  it("brings a word's forms to one key, and leaves distinct words apart", () => {
    expect(new Set(["train", "trains", "training"].map((w) => wordKey(w, "en")))).toEqual(new Set(["train"]));
    expect(wordKey("cities", "en")).toBe(wordKey("city", "en"));
    expect(wordKey("businesses", "en")).toBe(wordKey("business", "en"));
    expect(wordKey("news", "en")).not.toBe(wordKey("new", "en"));
    expect(wordKey("Nachtzüge", "de")).toBe(wordKey("Nachtzügen", "de"));
    expect(isWeakTag("morning", "en")).toBe(true);
    expect(isWeakTag("down", "en")).toBe(true);
    expect(isWeakTag("railway", "en")).toBe(false);
  });

  it("are distinct lemmas, never a word with no topic, shown in their most frequent form", () => {
    const sentences = [
      "Night trains return to Europe every morning and every evening.",
      "The train from Vienna arrives in the morning.",
      "Sleeper trains need new carriages, and the trains are full.",
      "Railway operators order sleeper carriages for the train network.",
      "One morning the railway said more trains would run.",
    ];
    const tokens = sentences.map((s) => s.toLowerCase().match(/[\p{L}]+/gu) ?? []);
    const tags = extractiveTags(tokens, "Night trains are back", "en");
    expect(tags).toContain("trains");
    expect(tags).not.toContain("train");
    expect(tags).not.toContain("morning");
    const keys = tags.map((t) => wordKey(t, "en"));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("extractive TL;DR", () => {
  const summarizer = createExtractiveSummarizer();
  const plan = summarizer.plan({ title: "", text: "", lang: null, url: "" });

  // The sentence every other one shares words with opens with a pronoun: TextRank ranks it first.
  const texts: [string, string, string][] = [
    [
      "en",
      "Night trains are back",
      [
        "Austrian Railways bought the sleeper business from German Railways in 2016.",
        "Its gamble was that sleeper trains, night trains and couchette trains would win back travellers from planes.",
        "Travellers booked sleeper trains to Hamburg and night trains to Rome.",
        "Couchette trains and sleeper trains now sell out in summer.",
        "Planes still carry most travellers between Vienna and Rome.",
      ].join(" "),
    ],
    [
      "de",
      "Nachtzüge kommen zurück",
      [
        "Die Österreichischen Bundesbahnen übernahmen 2016 das Geschäft mit den Nachtzügen.",
        "Ihre Wette war, dass Nachtzüge und Schlafwagen die Reisenden von Flugzeugen nach Hamburg und Rom zurückgewinnen.",
        "Reisende buchen Nachtzüge nach Hamburg und Schlafwagen nach Rom.",
        "Schlafwagen und Nachtzüge nach Rom sind im Sommer ausgebucht.",
        "Flugzeuge befördern weiterhin die meisten Reisenden zwischen Wien und Rom.",
      ].join(" "),
    ],
    [
      "fr",
      "Le retour des trains de nuit",
      [
        "La compagnie autrichienne a repris les trains de nuit allemands en 2016.",
        "Son pari était que les trains de nuit et les voitures-lits reprendraient des voyageurs aux avions.",
        "Les voyageurs réservent des trains de nuit pour Hambourg et des voitures-lits pour Rome.",
        "Les voitures-lits et les trains de nuit sont complets en été.",
        "Les avions transportent encore la plupart des voyageurs entre Vienne et Rome.",
      ].join(" "),
    ],
    [
      "es",
      "Vuelven los trenes nocturnos",
      [
        "La compañía austriaca compró el negocio de trenes nocturnos alemanes en 2016.",
        "Su apuesta fue que los trenes nocturnos y los coches cama recuperarían viajeros de los aviones.",
        "Los viajeros reservan trenes nocturnos a Hamburgo y coches cama a Roma.",
        "Los coches cama y los trenes nocturnos se agotan en verano.",
        "Los aviones todavía llevan a la mayoría de los viajeros entre Viena y Roma.",
      ].join(" "),
    ],
  ];

  it.each(texts)("%s: never opens with a sentence that depends on an earlier one", async (lang, title, text) => {
    const { summary } = await summarizer.summarize({ title, text, lang, url: "https://a.example/" }, plan);
    expect(dependsOnContext(summary.tldr, lang), summary.tldr).toBe(false);
    expect(summary.keyPoints).not.toContain(summary.tldr);
  });
});
