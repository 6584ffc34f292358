/**
 * Where sigmatest keeps its cache: `SIGMATEST_CACHE_DIR` when set; else
 * `node_modules/.cache/sigmatest` in the nearest folder at or above the working folder that holds
 * a `node_modules` folder (where build tools keep theirs, cleared with the dependencies); else the
 * platform's cache folder: `$XDG_CACHE_HOME/sigmatest` or `~/.cache/sigmatest` (Linux and other
 * Unix systems), `~/Library/Caches/sigmatest` (macOS), `%LOCALAPPDATA%\sigmatest\Cache` (Windows).
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The environment variables and platform the cache folder depends on (tests give their own). */
export interface CacheDirEnv {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The cache folder for a command run in `cwd` (see the module comment); not created here. */
export function cacheDir(cwd: string, where: CacheDirEnv = {}): string {
  const env = where.env ?? process.env;
  const explicit = env.SIGMATEST_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return resolve(cwd, explicit);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isDir(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'sigmatest');
    if (dirname(dir) === dir) break;
  }
  const platform = where.platform ?? process.platform;
  const home = where.home ?? homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'sigmatest', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'sigmatest');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(home, '.cache'), 'sigmatest');
}
