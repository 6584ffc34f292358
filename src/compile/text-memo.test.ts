import { describe, expect, it } from 'vitest';
import { TextMemo, sampleHash } from './text-memo.js';

describe('TextMemo', () => {
  it('gives back what was remembered for equal texts, fresh or not, and nothing for others', () => {
    const m = new TextMemo<number>(64);
    const texts = Array.from({ length: 40 }, (_, i) => `C:\\Windows\\System32\\tool${i % 7}${'x'.repeat(i)}.exe`);
    texts.forEach((t, i) => m.set(t, i));
    texts.forEach((t, i) => {
      // A copy made at run time: the same text, another string object.
      const copy = [...t].join('');
      const got = m.get(copy);
      // A text is remembered unless its probes were full; then it is simply not found.
      if (got !== undefined) expect(got).toBe(i);
    });
    expect(texts.filter((t) => m.get(t) !== undefined).length).toBe(m.size);
    expect(m.size).toBeGreaterThan(30);
    expect(m.get('C:\\Windows\\System32\\tool0.ex')).toBeUndefined();
    expect(m.get('')).toBeUndefined();
  });

  it('grows from a small table as texts come, keeping what it remembered', () => {
    const m = new TextMemo<number>(4096);
    const texts = Array.from({ length: 3000 }, (_, i) => `HKLM\\Software\\Key${i * 7919}\\Value${i % 13}`);
    texts.forEach((t, i) => m.set(t, i));
    // Growing places every text again; a text whose probes were full may be forgotten, never mixed up.
    expect(m.size).toBeGreaterThan(2700);
    let found = 0;
    texts.forEach((t, i) => {
      const got = m.get([...t].join(''));
      if (got !== undefined) {
        expect(got).toBe(i);
        found++;
      }
    });
    expect(found).toBe(m.size);
  });

  it('keeps at most its capacity, and does not replace a remembered text', () => {
    const m = new TextMemo<string>(8);
    for (let i = 0; i < 100; i++) m.set(`t${i}`, `v${i}`);
    expect(m.size).toBe(8);
    m.set('t0', 'other');
    expect(m.get('t0') ?? 'v0').toBe('v0');
  });

  it('texts of one length that differ only between sampled characters still find their own values', () => {
    // 64 characters: the hash samples every 4th; these differ elsewhere, so they collide.
    const base = 'a'.repeat(64);
    const texts = Array.from({ length: 3 }, (_, i) => `${base.slice(0, 1)}${String.fromCharCode(98 + i)}${base.slice(2)}`);
    expect(new Set(texts.map(sampleHash)).size).toBe(1);
    const m = new TextMemo<number>(16);
    texts.forEach((t, i) => m.set(t, i));
    texts.forEach((t, i) => expect(m.get(t)).toBe(i));
  });
});
