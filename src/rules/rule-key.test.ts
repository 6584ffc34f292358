import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleKey } from './rule-key.js';

describe('ruleKey', () => {
  it('is the resolved path and the document, for every spelling of a path (its fast path for normal absolute paths included)', () => {
    const paths = ['/a/b.yml', '/a/./b.yml', '/a/../b.yml', '/a//b.yml', '//x', '/a/b/', '/a/b/.', '/a/b/..', '/a/.b.yml', '/a/..b.yml', '/a/.../b', '/', 'rel/x.yml', './x.yml', '../x.yml', ''];
    // Every path of up to 7 characters over '/', '.', 'a' (3^7 of them).
    const alphabet = ['/', '.', 'a'];
    const all = (n: number): string[] => (n === 0 ? [''] : all(n - 1).flatMap((p) => alphabet.map((c) => p + c)));
    for (let n = 1; n <= 7; n++) paths.push(...all(n));
    for (const file of paths) expect(ruleKey({ file, document: 3 }), file).toBe(`${resolve(file)}#3`);
  });
});
