import { describe, expect, it } from 'vitest';
import { localMatcher, mixedMatcher, NotAnEventError } from './batch-matcher.js';
import type { ScanRules } from './scan-rules.js';
import { RuleIndex } from '../compile/rule-index.js';
import { loadRuleText } from '../rules/load-rule.js';
import type { BatchMatcher, MatchInput, WorkerPool } from './batch-matcher.js';
import type { EvtxJob } from './evtx-jobs.js';

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
    evtx(job: EvtxJob) {
      local.got.push(-job.segments.length);
      return Promise.resolve({ segments: [] });
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
    evtx(job: EvtxJob) {
      pool.got.push(-job.segments.length);
      return Promise.resolve({ segments: [] });
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
    // .evtx jobs take the same way: to a worker while one has room, else here.
    rooms.push(true, false);
    const seg = { file: 'a.evtx', range: { first: 0, end: Infinity, header: true }, last: true, chunks: 1 };
    await m.evtx({ segments: [seg] });
    await m.evtx({ segments: [seg, seg] });
    expect(pool.got.at(-1)).toBe(-1);
    expect(local.got.at(-1)).toBe(-2);
    await m.close();
    expect([pool.closed, local.closed]).toEqual([true, true]);
  });
});

describe('localMatcher', () => {
  const rule = loadRuleText(`title: t\nlogsource: {product: windows}\ndetection:\n  sel: {Image|endswith: '\\\\whoami.exe'}\n  condition: sel`, 't.yml').rules;
  const rules = { index: new RuleIndex(rule, { mapping: null }) } as unknown as ScanRules;
  const input = (event: () => Record<string, unknown>): MatchInput => ({ get event() { return event(); } });

  it('flags an input that is no event (rule -1) among the matches, in input order', async () => {
    const m = localMatcher(rules);
    const pairs = await m.match([
      input(() => ({ Image: 'C:\\x\\whoami.exe' })),
      input(() => {
        throw new NotAnEventError('not JSON');
      }),
      input(() => ({ Image: 'C:\\x\\cmd.exe' })),
      input(() => ({ Image: 'C:\\WHOAMI.EXE' })),
    ]);
    expect(Array.from(pairs)).toEqual([0, 0, 1, -1, 3, 0]);
  });

  it('lets any other failure end the match', async () => {
    const m = localMatcher(rules);
    expect(() =>
      m.match([
        input(() => {
          throw new TypeError('a bug');
        }),
      ]),
    ).toThrow(TypeError);
  });
});
