import { describe, expect, it } from 'vitest';
import { TargetList } from './target-list.js';

describe('TargetList', () => {
  it('grows past its first storage, keeps it when cleared, and copies out what it holds', () => {
    const l = new TargetList();
    for (let i = 0; i < 200; i++) l.push(i * 3);
    expect(l.length).toBe(200);
    expect(Array.from(l.toArray())).toEqual(Array.from({ length: 200 }, (_, i) => i * 3));
    const storage = l.items;
    l.clear();
    expect(l.length).toBe(0);
    expect(l.toArray().length).toBe(0);
    l.push(7);
    expect(l.items).toBe(storage);
    expect(Array.from(l.toArray())).toEqual([7]);
  });
});
