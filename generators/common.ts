/**
 * Shared helpers of the generators: a seedable Faker, deterministic pools of Faker content,
 * fixed-length hex digits, a small seeded PRNG and weighted choice.
 *
 * Determinism: every value produced here depends only on the fast-check seed (or on the explicit
 * seed passed to `fakerPool` / `createRng`). Faker's own global instance is never used.
 */
import fc from 'fast-check';
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import type { Faker, FakerOptions, Randomizer } from '@faker-js/faker';

/**
 * A fast Faker randomizer (sfc32). Faker's default Mersenne Twister costs tens of microseconds to
 * reseed, which matters when every generated value reseeds; this one reseeds in O(1). Faker calls
 * `next` unbound, hence closures rather than methods.
 */
function sfc32Randomizer(): Randomizer {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const seed = (value: number | number[]): void => {
    a = 0x9e3779b9;
    b = 0x243f6a88;
    c = 0xb7e15162;
    d = 1;
    for (const p of Array.isArray(value) ? value : [value]) {
      a = (a ^ (p | 0)) | 0;
      c = (c ^ Math.imul(p | 0, 0x85ebca6b)) | 0;
      for (let i = 0; i < 4; i++) next();
    }
    for (let i = 0; i < 12; i++) next();
  };
  seed(0);
  return { next, seed };
}

/**
 * The Faker class, taken from the prebuilt English instance: importing `@faker-js/faker` itself
 * loads every locale (about 200 ms), the English entry point about 20 ms. Our instances get the
 * same merged English + base definitions and their own randomizer.
 */
const FakerClass = englishFaker.constructor as new (options: FakerOptions) => Faker;
const newFaker = (): Faker => new FakerClass({ locale: englishFaker.rawDefinitions, randomizer: sfc32Randomizer() });

/** The module's own Faker (English), reseeded for every value built by `fakerArb`. */
const arbFaker = newFaker();
/** A second Faker, used only while building pools at module load. */
const poolFaker = newFaker();

/** Largest seed handed to Faker by `fakerArb`. */
export const MAX_FAKER_SEED = 0x7fffffff;

/**
 * An arbitrary whose values are built by Faker, reseeded from a fast-check integer for every
 * value, so that the value depends only on the fast-check seed. It shrinks (towards seed 0) but
 * the shrunk values are unrelated Faker outputs. Do not call `faker.date.*` without a `refDate`
 * (Faker would read the clock).
 *
 * @example fakerArb((f) => f.person.lastName())
 */
export function fakerArb<T>(build: (f: Faker) => T): fc.Arbitrary<T> {
  return fc.integer({ min: 0, max: MAX_FAKER_SEED }).map((s) => {
    arbFaker.seed(s);
    return build(arbFaker);
  });
}

/**
 * `size` distinct values built by Faker from a fixed `seed` (deterministic; computed once, at
 * module load, by the caller). Pools make realistic content cheap to pick with `fc.constantFrom`,
 * which shrinks towards the first element. Gives fewer values when Faker cannot find enough
 * distinct ones.
 */
export function fakerPool(size: number, seed: number, build: (f: Faker) => string): string[] {
  poolFaker.seed(seed);
  const seen = new Set<string>();
  for (let attempts = 0; seen.size < size && attempts < size * 20; attempts++) {
    const v = build(poolFaker);
    if (v !== '') seen.add(v);
  }
  return [...seen];
}

/** Two-digit lower-case hex strings for every byte value. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `length` lower-case hex digits expanded deterministically from two 31-bit seeds (mulberry32). */
export function expandHex(a: number, b: number, length: number): string {
  let s = (Math.imul(a, 0x9e3779b1) ^ b) >>> 0;
  let out = '';
  while (out.length < length) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    out += `${HEX_BYTES[t >>> 24]}${HEX_BYTES[(t >>> 16) & 0xff]}${HEX_BYTES[(t >>> 8) & 0xff]}${HEX_BYTES[t & 0xff]}`;
  }
  return out.length === length ? out : out.slice(0, length);
}

const seed31 = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));

/**
 * Exactly `length` hex digits (lowercase unless `upper`). Expanded from two 31-bit draws, so a
 * SHA256 costs two draws; unbiased, since fast-check's bias towards small integers would only
 * give unrealistic runs of zeros. Shrinks towards the digits of seed (0, 0).
 */
export function hexDigits(length: number, options: { upper?: boolean } = {}): fc.Arbitrary<string> {
  const upper = options.upper === true;
  return fc.tuple(seed31, seed31).map(([a, b]) => {
    const h = expandHex(a, b, length);
    return upper ? h.toUpperCase() : h;
  });
}

/** A seeded PRNG returning floats in [0, 1) (mulberry32), for helpers that take an `rng`. */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks one element of a non-empty array with `rng`. */
export function pickWith<T>(items: readonly T[], rng: Rng): T {
  if (items.length === 0) throw new Error('pickWith: empty list');
  return items[Math.floor(rng() * items.length)] as T;
}

/** `fc.oneof` over `[weight, arbitrary]` pairs (a shorter spelling for long weighted tables). */
export function weighted<T>(...entries: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** `fc.constantFrom` over a readonly list (at least one element). */
export function oneOf<T>(items: readonly T[]): fc.Arbitrary<T> {
  if (items.length === 0) throw new Error('oneOf: empty list');
  return fc.constantFrom(...items);
}

/** A deterministic 32-bit FNV-1a hash of a string, used for stable per-name content. */
export function fnv1a(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `length` hex digits derived deterministically from `text` (stable fake hashes per binary). */
export function stableHex(text: string, length: number, upper = false): string {
  const s = expandHex(fnv1a(text), fnv1a(text, 0x9e3779b1), length);
  return upper ? s.toUpperCase() : s;
}

/** The capitalised first letter (Faker words come in lower case). */
export function capitalise(word: string): string {
  return word.length === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1);
}
