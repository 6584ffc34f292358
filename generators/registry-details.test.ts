import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DETAILS_BINARY,
  DETAILS_EMPTY,
  dwordDetails,
  dwordValue,
  formatDword,
  formatQword,
  qwordDetails,
  registryDetails,
  stringDetails,
} from './registry-details.js';

const DWORD_RE = /^DWORD \(0x[0-9a-f]{8}\)$/;
const QWORD_RE = /^QWORD \(0x[0-9a-f]{8}-0x[0-9a-f]{8}\)$/;

describe('formatDword / formatQword', () => {
  it('writes Sysmon formats', () => {
    expect(formatDword(1)).toBe('DWORD (0x00000001)');
    expect(formatDword(0x1189)).toBe('DWORD (0x00001189)');
    expect(formatDword(0xffffffff)).toBe('DWORD (0xffffffff)');
    expect(formatQword(1n)).toBe('QWORD (0x00000000-0x00000001)');
    expect(formatQword(0x1_0000_00abn)).toBe('QWORD (0x00000001-0x000000ab)');
    expect(formatQword(0xffffffffffffffffn)).toBe('QWORD (0xffffffff-0xffffffff)');
  });

  it('rejects values out of range', () => {
    expect(() => formatDword(-1)).toThrow();
    expect(() => formatDword(2 ** 32)).toThrow();
    expect(() => formatDword(1.5)).toThrow();
    expect(() => formatQword(-1n)).toThrow();
    expect(() => formatQword(2n ** 64n)).toThrow();
  });

  it('round-trips DWORD values', () => {
    fc.assert(
      fc.property(dwordValue, (v) => {
        const m = /^DWORD \(0x([0-9a-f]{8})\)$/.exec(formatDword(v));
        expect(m).not.toBeNull();
        expect(parseInt(m?.[1] ?? '', 16)).toBe(v);
      }),
      { numRuns: 200, seed: 1 },
    );
  });
});

describe('Details arbitraries', () => {
  it('dwordDetails and qwordDetails have the exact Sysmon shape', () => {
    fc.assert(fc.property(dwordDetails, (d) => {
      expect(d).toMatch(DWORD_RE);
    }), { numRuns: 200, seed: 2 });
    fc.assert(fc.property(qwordDetails, (d) => {
      expect(d).toMatch(QWORD_RE);
    }), { numRuns: 200, seed: 3 });
  });

  it('string details are never mistaken for the typed forms', () => {
    fc.assert(
      fc.property(stringDetails, (d) => {
        expect(d.length).toBeGreaterThan(0);
        expect(d).not.toMatch(/^(?:DWORD|QWORD) \(/);
      }),
      { numRuns: 150, seed: 4 },
    );
  });

  it('registryDetails is one of the five forms, and all five appear', () => {
    const samples = fc.sample(registryDetails, { seed: 6, numRuns: 300 });
    const form = (d: string): string =>
      DWORD_RE.test(d) ? 'dword' : QWORD_RE.test(d) ? 'qword' : d === DETAILS_EMPTY ? 'empty' : d === DETAILS_BINARY ? 'binary' : 'string';
    const forms = new Set(samples.map(form));
    expect([...forms].sort()).toEqual(['binary', 'dword', 'empty', 'qword', 'string']);
    for (const d of samples) {
      if (d.startsWith('DWORD')) expect(d).toMatch(DWORD_RE);
      if (d.startsWith('QWORD')) expect(d).toMatch(QWORD_RE);
    }
    // Sysmon writes lower-case hex: no upper-case digits in a DWORD / QWORD.
    expect(samples.filter((d) => /^[DQ]WORD/.test(d)).some((d) => /0x[0-9a-f]*[A-F]/.test(d))).toBe(false);
    // Paths and command lines occur among the strings.
    expect(samples.some((d) => /^(?:"?[A-Z]:\\|%SystemRoot%\\)/.test(d))).toBe(true);
  });
});
