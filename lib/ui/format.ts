/** "$0.0123", "$1.20", "unknown" (a price was missing), or null when no cost was reported at all. */
export function formatCost(costUsd: number | null | undefined): string | null {
  if (costUsd === undefined) return null;
  if (costUsd === null) return "unknown";
  if (costUsd === 0) return "$0 (no paid calls)";
  return costUsd < 0.01 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`;
}
