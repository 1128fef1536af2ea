/** USD per million tokens (input, output), for cost in provenance. Unknown models cost null, not a guess. */
const PRICES: Record<string, [number, number]> = {
  "gpt-4o-mini": [0.15, 0.6],
  "gpt-4o": [2.5, 10],
  "gpt-4.1": [2, 8],
  "gpt-4.1-mini": [0.4, 1.6],
  "gpt-4.1-nano": [0.1, 0.4],
  "gpt-5": [1.25, 10],
  "gpt-5-mini": [0.25, 2],
  "gpt-5-nano": [0.05, 0.4],
};

export function costUsd(model: string, inputTokens: number, outputTokens: number): number | null {
  const key = Object.keys(PRICES)
    .sort((a, b) => b.length - a.length)
    .find((name) => model === name || model.startsWith(`${name}-20`));
  const price = key ? PRICES[key] : undefined;
  if (!price) return null;
  return Number(((inputTokens * price[0] + outputTokens * price[1]) / 1_000_000).toFixed(6));
}
