/**
 * `--shard i/n` for run, fuzz, scan and gate: a deterministic split by rule file path (sorted),
 * so that a CI matrix of n jobs covers every rule exactly once; `merge-reports` puts the
 * reports back together.
 */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** The items whose file falls in the shard: files sorted, file k kept when k % n = i - 1. */
export function inShard<T extends { file: string }>(items: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...items];
  const files = [...new Set(items.map((x) => x.file))].sort();
  const keep = new Set(files.filter((_, k) => k % shard.count === shard.index - 1));
  return items.filter((x) => keep.has(x.file));
}
