/**
 * The rule cache of the commands that load rules (warm starts, src/cache/rule-cache.ts): on unless
 * `--no-cache`, in the folder util/cache-dir.ts finds from the command's working folder.
 * `SIGMATEST_DEBUG=cache` prints its notes (a pack ignored, a write that failed) on stderr.
 */
import type { OptionSpec, Parsed } from './args.js';
import type { Io } from './io.js';
import { RuleCache } from '../cache/rule-cache.js';
import { cacheDir } from '../util/cache-dir.js';

/** `--no-cache`: every command that loads rules. */
export const noCacheOption: OptionSpec = {
  type: 'boolean',
  help: 'load every rule file in full, without the rule cache (node_modules/.cache/sigmatest or the platform cache folder; SIGMATEST_CACHE_DIR)',
};

/** The cache folder of a command, or undefined with `--no-cache`. */
export function ruleCacheDir(args: Parsed, io: Io): string | undefined {
  return args.values['no-cache'] === true ? undefined : cacheDir(io.cwd);
}

/** Debug notes of the cache, when SIGMATEST_DEBUG names it. */
export function cacheDebug(io: Io): ((message: string) => void) | undefined {
  return /(^|,)cache(,|$)/.test(process.env.SIGMATEST_DEBUG ?? '') ? (m) => io.err(`sigmatest: ${m}\n`) : undefined;
}

/** The rule cache of a command, or undefined with `--no-cache`. */
export function ruleCache(args: Parsed, io: Io): RuleCache | undefined {
  const dir = ruleCacheDir(args, io);
  return dir === undefined ? undefined : new RuleCache({ dir, debug: cacheDebug(io) });
}
