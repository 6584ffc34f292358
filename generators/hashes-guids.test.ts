import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyGuid,
  bracedGuid,
  clsid,
  formatGuid,
  guid,
  guidSpellings,
  guidUpper,
  sysmonGuid,
  sysmonGuidEvtx,
} from './guids.js';
import {
  digest,
  formatSysmonHashes,
  hashAlgorithms,
  hashLengths,
  imphash,
  md5,
  sha1,
  sha256,
  stableSysmonHashes,
  sysmonHashes,
} from './hashes.js';

describe('hashes', () => {
  it('digests are lower-case hex of the right length', () => {
    for (const [arb, len] of [[md5, 32], [sha1, 40], [sha256, 64], [imphash, 32]] as const) {
      fc.assert(fc.property(arb, (h) => { expect(h).toMatch(new RegExp(`^[0-9a-f]{${len}}$`)); }), { numRuns: 100, seed: len });
    }
    fc.assert(fc.property(digest('SHA256', { upper: true }), (h) => { expect(h).toMatch(/^[0-9A-F]{64}$/); }), { numRuns: 50, seed: 1 });
  });

  it('digests vary (no fixed or zero output)', () => {
    const s = fc.sample(sha256, { seed: 2, numRuns: 100 });
    expect(new Set(s).size).toBe(100);
    expect(s.some((h) => /^0+$/.test(h))).toBe(false);
  });

  it('Sysmon Hashes: ALG=HEX pairs, upper case, in Sysmon order, no repeats', () => {
    fc.assert(
      fc.property(sysmonHashes, (h) => {
        const parts = h.split(',').map((p) => /^(SHA1|MD5|SHA256|IMPHASH)=([0-9A-F]+)$/.exec(p));
        expect(parts.every((m) => m !== null)).toBe(true);
        const algs = parts.map((m) => m?.[1] as (typeof hashAlgorithms)[number]);
        expect(new Set(algs).size).toBe(algs.length);
        const order = algs.map((a) => hashAlgorithms.indexOf(a));
        expect([...order].sort((a, b) => a - b)).toEqual(order);
        for (const m of parts) expect(m?.[2]).toHaveLength(hashLengths[m?.[1] as (typeof hashAlgorithms)[number]]);
        const digests = parts.map((m) => m?.[2]);
        expect(new Set(digests).size).toBe(digests.length);
      }),
      { numRuns: 200, seed: 3 },
    );
    expect(fc.sample(sysmonHashes, { seed: 4, numRuns: 100 })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SHA1=[0-9A-F]{40},MD5=[0-9A-F]{32},SHA256=[0-9A-F]{64},IMPHASH=[0-9A-F]{32}$/)]),
    );
  });

  it('formatSysmonHashes orders by algorithm; stable hashes depend only on the key', () => {
    expect(formatSysmonHashes({ IMPHASH: 'D', MD5: 'B', SHA1: 'A' })).toBe('SHA1=A,MD5=B,IMPHASH=D');
    expect(stableSysmonHashes('cmd.exe|1')).toBe(stableSysmonHashes('cmd.exe|1'));
    expect(stableSysmonHashes('cmd.exe|1')).not.toBe(stableSysmonHashes('cmd.exe|2'));
    expect(stableSysmonHashes('x')).toMatch(/^MD5=[0-9A-F]{32},SHA256=[0-9A-F]{64},IMPHASH=[0-9A-F]{32}$/);
  });
});

describe('GUIDs', () => {
  const G = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

  it('plain GUIDs are lower case v4; braced ones upper case with braces', () => {
    fc.assert(fc.property(guid, (g) => { expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); }), { numRuns: 100, seed: 1 });
    fc.assert(fc.property(guidUpper, (g) => { expect(g).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/); }), { numRuns: 50, seed: 2 });
    fc.assert(fc.property(bracedGuid, (g) => { expect(g).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/); }), { numRuns: 100, seed: 3 });
    fc.assert(fc.property(clsid, (g) => { expect(g).toMatch(/^\{[0-9A-F-]{36}\}$/); }), { numRuns: 100, seed: 4 });
  });

  it('Sysmon GUIDs: braced lower case (XML) and upper case without braces (EVTX JSON)', () => {
    fc.assert(fc.property(sysmonGuid, (g) => { expect(g).toMatch(new RegExp(`^\\{${G}\\}$`)); }), { numRuns: 100, seed: 5 });
    fc.assert(fc.property(sysmonGuidEvtx, (g) => { expect(g).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/); }), { numRuns: 100, seed: 6 });
  });

  it('guidSpellings gives the four spellings of one GUID', () => {
    const s = guidSpellings('{0F8FAD5B-D9CB-469F-A165-70867728950E}');
    expect(s).toHaveLength(4);
    expect(s).toEqual(
      expect.arrayContaining([
        '{0f8fad5b-d9cb-469f-a165-70867728950e}',
        '{0F8FAD5B-D9CB-469F-A165-70867728950E}',
        '0f8fad5b-d9cb-469f-a165-70867728950e',
        '0F8FAD5B-D9CB-469F-A165-70867728950E',
      ]),
    );
    expect(() => formatGuid('xyz')).toThrow();
    const forms = new Set(fc.sample(anyGuid, { seed: 7, numRuns: 100 }).map((g) => `${g.startsWith('{')}${g === g.toUpperCase()}`));
    expect(forms.size).toBe(4);
  });
});
