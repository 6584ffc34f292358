/**
 * File hashes: MD5 / SHA1 / SHA256 / IMPHASH digests and the Sysmon `Hashes` field
 * (`SHA1=...,MD5=...,SHA256=...,IMPHASH=...`).
 */
import fc from 'fast-check';
import { expandHex, hexDigits, stableHex } from './common.js';

/** The algorithms Sysmon can put into `Hashes`, in the order Sysmon writes them. */
export const hashAlgorithms = ['SHA1', 'MD5', 'SHA256', 'IMPHASH'] as const;
export type HashAlgorithm = (typeof hashAlgorithms)[number];

/** Digest length in hex digits per algorithm. */
export const hashLengths: Readonly<Record<HashAlgorithm, number>> = { SHA1: 40, MD5: 32, SHA256: 64, IMPHASH: 32 };

/** Per-algorithm salts, so that one file's digests are unrelated to each other. */
const hashSalts: Readonly<Record<HashAlgorithm, number>> = { SHA1: 0x51a1, MD5: 0x3d5, SHA256: 0x5a256, IMPHASH: 0x1e9a54 };

/** Lower-case hex digests. */
export const md5: fc.Arbitrary<string> = hexDigits(32);
export const sha1: fc.Arbitrary<string> = hexDigits(40);
export const sha256: fc.Arbitrary<string> = hexDigits(64);
export const imphash: fc.Arbitrary<string> = hexDigits(32);

/** A digest of `algorithm`, upper case if asked (Sysmon writes upper case). */
export function digest(algorithm: HashAlgorithm, options: { upper?: boolean } = {}): fc.Arbitrary<string> {
  return hexDigits(hashLengths[algorithm], options);
}

/** Formats digests as Sysmon does: `ALG=HEX` pairs joined by `,` in Sysmon's algorithm order. */
export function formatSysmonHashes(digests: Partial<Record<HashAlgorithm, string>>): string {
  const parts: string[] = [];
  for (const alg of hashAlgorithms) {
    const d = digests[alg];
    if (d !== undefined) parts.push(`${alg}=${d}`);
  }
  return parts.join(',');
}

/**
 * The algorithm sets Sysmon configurations commonly use (`HashAlgorithms` in the config): the
 * SwiftOnSecurity / Olaf configs write `MD5,SHA256,IMPHASH`, `*` writes all four.
 */
export const sysmonHashSets: readonly (readonly HashAlgorithm[])[] = [
  ['MD5', 'SHA256', 'IMPHASH'],
  ['SHA1', 'MD5', 'SHA256', 'IMPHASH'],
  ['SHA256'],
  ['SHA1'],
  ['MD5', 'SHA256'],
  ['SHA1', 'MD5', 'SHA256'],
];

/** The Sysmon `Hashes` field for a random file: upper-case digests of one of `sysmonHashSets`. */
export const sysmonHashes: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...sysmonHashSets), fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })), fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })))
  .map(([set, a, b]) => {
    const chosen: Partial<Record<HashAlgorithm, string>> = {};
    for (const alg of set) chosen[alg] = expandHex(a, b ^ hashSalts[alg], hashLengths[alg]).toUpperCase();
    return formatSysmonHashes(chosen);
  });

/**
 * Stable fake digests for a named binary: the same `key` (for example `cmd.exe|10.0.19041.1`)
 * always gives the same digests, as the same file would in real logs. Upper case.
 */
const stableCache = new Map<string, string>();

export function stableSysmonHashes(key: string, set: readonly HashAlgorithm[] = ['MD5', 'SHA256', 'IMPHASH']): string {
  const cacheKey = `${set.join(',')}|${key}`;
  const cached = stableCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const chosen: Partial<Record<HashAlgorithm, string>> = {};
  for (const alg of set) chosen[alg] = stableHex(`${alg}:${key}`, hashLengths[alg], true);
  const out = formatSysmonHashes(chosen);
  if (stableCache.size < 10_000) stableCache.set(cacheKey, out);
  return out;
}
