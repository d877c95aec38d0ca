// Close matches for a mistyped command name: edit distance (Levenshtein) over the known names, with `_` and
// `-` taken as the same, so pySim-shell habits (`read_binary`) point at the script name (`read-binary`).

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known names closest to `word` (at most 3, within a third of its length + 1 edits). */
export function closeMatches(word: string, known: readonly string[]): string[] {
  const w = word.toLowerCase().replace(/_/g, '-');
  const limit = Math.max(1, Math.floor(w.length / 3) + 1);
  return known
    .map((k) => ({ k, d: k.startsWith(w) && w.length >= 3 ? 0.5 : distance(w, k.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map((x) => x.k);
}
