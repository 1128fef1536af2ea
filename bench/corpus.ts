import { existsSync } from "node:fs";
import path from "node:path";

/** The evaluation corpora live beside the checkout (../shared/corpora) and are never copied into the repo. */
export const CORPORA = path.resolve(import.meta.dirname, "../../shared/corpora");

export function corpusDir(sub: string, override?: string): string | null {
  const dir = override ?? path.join(CORPORA, sub);
  if (existsSync(dir)) return dir;
  console.log(
    JSON.stringify({
      skipped: true,
      reason: `corpus not found at ${dir}: the public data sets go beside the checkout (README: Development)`,
    }),
  );
  return null;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Words; scripts written without spaces (Han, kana, Hangul) count per character, or one token would be a sentence. */
const tokens = (text: string) =>
  text.toLowerCase().match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}]+/gu) ??
  [];

/** Token-level F1 (bag of lower-cased words) between an extraction and a reference text. */
export function f1(got: string, want: string): number {
  const a = tokens(got);
  const b = tokens(want);
  if (a.length === 0 && b.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const t of b) counts.set(t, (counts.get(t) ?? 0) + 1);
  let overlap = 0;
  for (const t of a) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      overlap++;
      counts.set(t, n - 1);
    }
  }
  if (overlap === 0) return 0;
  const precision = overlap / a.length;
  const recall = overlap / b.length;
  return (2 * precision * recall) / (precision + recall);
}
