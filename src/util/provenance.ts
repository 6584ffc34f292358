/**
 * Where a report comes from, so that `merge-reports` can tell the shards of one run from a mix:
 * the shard, the commit checked out, and a fingerprint of the inputs every shard shares (the
 * settings and the content of every rule and case file, before the split into shards).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What a JSON report records about its run (all shards of one run record the same but `shard`). */
export interface Provenance {
  shard: { index: number; count: number } | null;
  /** The commit checked out (HEAD), or null outside git. */
  head: string | null;
  /** sha256 of the settings and of the paths and contents of the input files. */
  fingerprint: string;
}

/** The fingerprint of settings and input files (paths as given; an unreadable file counts as its path alone). */
export function fingerprint(settings: unknown, files: readonly string[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(settings));
  for (const f of [...new Set(files)].sort()) {
    h.update(`\0${f}\0`);
    try {
      h.update(readFileSync(f));
    } catch {
      h.update('\0unreadable');
    }
  }
  return h.digest('hex');
}

/** The commit checked out in `cwd`, or null (no git, no repository, no commit). */
export function gitHead(cwd: string): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trim();
    return /^[0-9a-f]{40,64}$/.test(out) ? out : null;
  } catch {
    return null;
  }
}
