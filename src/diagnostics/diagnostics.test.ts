import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetToPos, offsetsToLines } from './diagnostics.js';

describe('offsetsToLines', () => {
  it('gives the line offsetToPos gives, for ascending and out-of-order offsets', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', ' ', '\r'), maxLength: 40 }), fc.array(fc.nat(45), { maxLength: 8 }), fc.boolean(), (text, offsets, sort) => {
        const list = sort ? [...offsets].sort((a, b) => a - b) : offsets;
        expect(offsetsToLines(text, list)).toEqual(list.map((o) => offsetToPos(text, o).line));
      }),
    );
  });
});
