import { describe, expect, it } from 'vitest';
import { mixedMatcher } from './batch-matcher.js';
import type { BatchMatcher, MatchInput, WorkerPool } from './batch-matcher.js';

/** A matcher recording the batches it got; the pool has room while `room` says so. */
function fakes(room: () => boolean): { local: BatchMatcher & { got: number[]; closed: boolean }; pool: WorkerPool & { got: number[]; closed: boolean } } {
  const local = {
    got: [] as number[],
    closed: false,
    capacity: 1,
    match(events: readonly MatchInput[]) {
      local.got.push(events.length);
      return Promise.resolve(new Int32Array([0, 1]));
    },
    close: async () => void (local.closed = true),
  };
  const pool = {
    got: [] as number[],
    closed: false,
    capacity: 4,
    hasRoom: room,
    ready: () => Promise.resolve(),
    match(events: readonly MatchInput[]) {
      pool.got.push(events.length);
      return Promise.resolve(new Int32Array([0, 2]));
    },
    close: async () => void (pool.closed = true),
  };
  return { local, pool };
}

const batch = (n: number): MatchInput[] => Array.from({ length: n }, () => ({ event: {} }));

describe('mixedMatcher', () => {
  it('sends a batch to the workers while they have room, else matches it here, and closes both', async () => {
    const rooms = [true, true, false, true, false, false];
    const { local, pool } = fakes(() => rooms.shift() ?? false);
    const m = mixedMatcher(local, pool);
    expect(m.capacity).toBe(pool.capacity + 2);
    const results = [];
    for (const n of [1, 2, 3, 4, 5, 6]) results.push(Array.from(await m.match(batch(n))));
    expect(pool.got).toEqual([1, 2, 4]);
    expect(local.got).toEqual([3, 5, 6]);
    expect(results.map((r) => r[1])).toEqual([2, 2, 1, 2, 1, 1]);
    await m.close();
    expect([pool.closed, local.closed]).toEqual([true, true]);
  });
});
