/**
 * Saving cases from several processes at once loses nothing (issue 23: two concurrent
 * `fuzz --save` runs kept 14 of 17 cases): every write holds the case file's lock from reading to
 * renaming, and saveCases checks its cases against the file as it is under the lock.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaseFile } from '../cases/load-cases.js';
import { lockFileOf, withFileLock } from '../util/file-lock.js';
import { appendCases, saveCases } from './case-writer.js';
import type { NewCase } from './case-writer.js';
import { DIST, prepareDist } from '../../test/support/dist.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sigmatest-case-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULE = { id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', file: join(dir, 'rules', 'r.yml') };
const newCase = (name: string, image: string): NewCase => ({ name, expect: 'match', event: { Image: image } });

describe('saveCases', () => {
  it('creates the file, then appends only events it does not hold, renaming clashing names', () => {
    const file = join(dir, 'one.yml');
    expect(saveCases(file, RULE, [newCase('a', 'x.exe'), newCase('a', 'y.exe')]).map((c) => c.name)).toEqual(['a', 'a (2)']);
    expect(saveCases(file, RULE, [newCase('a', 'x.exe'), newCase('a', 'z.exe')]).map((c) => c.name)).toEqual(['a (3)']);
    const loaded = loadCaseFile(file);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.caseFile?.cases.map((c) => [c.name, c.event?.['Image']])).toEqual([
      ['a', 'x.exe'],
      ['a (2)', 'y.exe'],
      ['a (3)', 'z.exe'],
    ]);
    expect(existsSync(lockFileOf(file))).toBe(false);
  });

  it('gives up on a lock held by a live process (naming it) and takes over one whose process is gone', () => {
    const file = join(dir, 'locked.yml');
    saveCases(file, RULE, [newCase('first', 'a.exe')]);
    writeFileSync(lockFileOf(file), `${process.pid}\n${hostname()}\n`);
    expect(() => withFileLock(file, () => 1, { timeoutMs: 100 })).toThrow(/locked by another run \(.*\.locked\.yml\.lock\)/);
    writeFileSync(lockFileOf(file), `2147483646\n${hostname()}\n`); // no such process
    appendCases(file, [newCase('second', 'b.exe')]);
    expect(loadCaseFile(file).caseFile?.cases.map((c) => c.name)).toEqual(['first', 'second']);
    expect(existsSync(lockFileOf(file))).toBe(false);
  });

  const skip = prepareDist();
  it.skipIf(skip !== undefined)('keeps every case of 6 processes saving 20 times each into one case file at once', async () => {
    const file = join(dir, 'shared.yml');
    saveCases(file, RULE, [newCase('seed', 'seed.exe')]);
    const writer = join(DIST, 'src', 'fuzz', 'case-writer.js');
    const script = `
      const { saveCases } = await import(${JSON.stringify(writer)});
      const [file, who] = process.argv.slice(1);
      for (let k = 0; k < 20; k++) {
        const w = saveCases(file, ${JSON.stringify(RULE)}, [{ name: 'fuzz: case', expect: 'match', event: { Image: who + '-' + k + '.exe' } }]);
        if (w.length !== 1) throw new Error('not saved: ' + who + k);
      }`;
    await Promise.all(Array.from({ length: 6 }, (_, p) => run(process.execPath, ['--input-type=module', '-e', script, file, `p${p}`])));
    const loaded = loadCaseFile(file);
    expect(loaded.diagnostics).toEqual([]);
    const images = (loaded.caseFile?.cases ?? []).map((c) => String(c.event?.['Image']));
    expect(images).toHaveLength(1 + 6 * 20);
    expect(new Set(images).size).toBe(images.length);
    expect(new Set((loaded.caseFile?.cases ?? []).map((c) => c.name)).size).toBe(images.length);
    expect(readdirSync(dir).filter((f) => f.startsWith('.shared.yml'))).toEqual([]);
  }, 60_000);
});
