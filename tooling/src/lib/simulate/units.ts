// How the simulator writes numbers for people: durations and percentages (counts: lib/plural.ts).

/** `3s`, `2.5s`, `500ms`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

/** A probability as a percentage: `50%`, `12.5%` (one decimal at most). */
export function pct(p: number): string {
  const v = p * 100;
  return `${Number.isInteger(Math.round(v * 10) / 10) ? Math.round(v) : (Math.round(v * 10) / 10).toFixed(1)}%`;
}
