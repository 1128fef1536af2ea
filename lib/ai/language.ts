import { detect } from "tinyld";

/** Enough text for trigram statistics to mean something. */
const MIN_DETECT_CHARS = 40;
const SAMPLE_CHARS = 10_000;

/** "en-US", "EN_gb", "fr" → "en", "en", "fr"; anything that is not a language tag → null. */
export function primaryLanguage(tag: string | null | undefined): string | null {
  const match = /^\s*([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*\s*$/i.exec(tag ?? "");
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** The text's language (ISO 639-1) from a sample of it, or null when too short or unclear. */
export function detectLanguage(text: string): string | null {
  const sample = text.slice(0, SAMPLE_CHARS);
  if (sample.replace(/\s+/g, "").length < MIN_DETECT_CHARS) return null;
  return primaryLanguage(detect(sample));
}

export interface ResolvedLanguage {
  lang: string | null;
  source?: "job" | "page" | "detected";
}

/** The summary's language: the admin's choice for the job, else what the page declares, else detected from the text. */
export function resolveLanguage(input: { job?: string | null; page?: string | null; text: string }): ResolvedLanguage {
  const job = primaryLanguage(input.job);
  if (job) return { lang: job, source: "job" };
  const page = primaryLanguage(input.page);
  if (page) return { lang: page, source: "page" };
  const detected = detectLanguage(input.text);
  return detected ? { lang: detected, source: "detected" } : { lang: null };
}
