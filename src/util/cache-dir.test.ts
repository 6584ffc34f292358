import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheDir } from './cache-dir.js';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-cachedir-'));
  temps.push(d);
  return d;
}

describe('cacheDir', () => {
  it('is SIGMATEST_CACHE_DIR when set (relative to the working folder)', () => {
    const cwd = temp();
    expect(cacheDir(cwd, { env: { SIGMATEST_CACHE_DIR: 'c' } })).toBe(join(cwd, 'c'));
    expect(cacheDir(cwd, { env: { SIGMATEST_CACHE_DIR: '/abs/c' } })).toBe('/abs/c');
  });

  it('is node_modules/.cache/sigmatest of the nearest folder with node_modules, at or above the working folder', () => {
    const root = temp();
    mkdirSync(join(root, 'node_modules'));
    const deep = join(root, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(cacheDir(deep, { env: {} })).toBe(join(root, 'node_modules', '.cache', 'sigmatest'));
    mkdirSync(join(root, 'a', 'node_modules'));
    expect(cacheDir(deep, { env: {} })).toBe(join(root, 'a', 'node_modules', '.cache', 'sigmatest'));
  });

  it("is the platform's cache folder otherwise", () => {
    // tmpdir() has no node_modules above it on the machines the tests run on; say so if it does.
    const cwd = temp();
    const found = cacheDir(cwd, { env: {}, platform: 'linux', home: '/home/u' });
    if (found.includes('node_modules')) {
      console.warn(`skipped: a node_modules folder lies above ${cwd}`);
      return;
    }
    expect(found).toBe('/home/u/.cache/sigmatest');
    expect(cacheDir(cwd, { env: { XDG_CACHE_HOME: '/x' }, platform: 'linux', home: '/home/u' })).toBe('/x/sigmatest');
    expect(cacheDir(cwd, { env: {}, platform: 'darwin', home: '/Users/u' })).toBe('/Users/u/Library/Caches/sigmatest');
    expect(cacheDir(cwd, { env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', home: 'C:\\Users\\u' })).toBe(join('C:\\Users\\u\\AppData\\Local', 'sigmatest', 'Cache'));
  });
});
