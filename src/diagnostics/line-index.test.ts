import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetToPos } from './diagnostics.js';
import { LineIndex } from './line-index.js';

describe('LineIndex', () => {
  it('gives the position offsetToPos gives, for any offsets in any order', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', ' ', '\r', 'é'), maxLength: 40 }), fc.array(fc.nat(45), { maxLength: 8 }), (text, offsets) => {
        const ix = new LineIndex(text);
        for (const o of offsets) {
          expect(ix.pos(o)).toEqual(offsetToPos(text, o));
          expect(ix.line(o)).toBe(offsetToPos(text, o).line);
        }
      }),
    );
  });

  it('locates every line of a large text without rescanning it (a rescan per lookup would time out)', () => {
    const lines = 200_000;
    const text = 'key: value\n'.repeat(lines);
    const ix = new LineIndex(text);
    let wrong = 0;
    for (let k = 0; k < lines; k++) {
      const p = ix.pos(k * 11 + 5);
      if (p.line !== k + 1 || p.column !== 6) wrong++;
    }
    expect(wrong).toBe(0);
    expect(ix.pos(text.length)).toEqual({ line: lines + 1, column: 1 });
  });
});
