import { existsSync } from "node:fs";
import path from "node:path";

/** The evaluation corpora live beside the checkout (../shared/corpora) and are never copied into the repo. */
export const CORPORA = path.resolve(import.meta.dirname, "../../shared/corpora");

export function corpusDir(sub: string, override?: string): string | null {
  const dir = override ?? path.join(CORPORA, sub);
  if (existsSync(dir)) return dir;
  console.log(JSON.stringify({ skipped: true, reason: `corpus not found at ${dir}` }));
  return null;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));
