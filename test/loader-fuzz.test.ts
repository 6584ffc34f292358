/**
 * The loaders never throw (issue 23): fast-check feeds every loader generated and mutated input
 * (see test/fuzz-inputs/loaders.ts) and each must return its data and well-formed diagnostics.
 * A fixed budget here; `npm run fuzz:inputs -- --runs N --seed S` runs longer, and a failure
 * prints the seed and path that replay it.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { budget, checkEvtx, eventFileLoader, evtxBytes, evtxSeed, inputs, scratchDir, textLoaders } from './fuzz-inputs/loaders.js';

/** Runs per loader in `npm test` (a few seconds in all). */
const CI_RUNS = 60;

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { numRuns, seed } = budget(CI_RUNS);
const params = { numRuns, ...(seed !== undefined ? { seed } : {}) };

describe(`loaders never throw (${numRuns} runs each${seed !== undefined ? `, seed ${seed}` : ''})`, () => {
  for (const loader of [...textLoaders(), eventFileLoader(dir)]) {
    it(loader.name, () => {
      fc.assert(
        fc.property(inputs(loader.seeds, loader.shaped), (text) => {
          loader.check(text);
        }),
        params,
      );
    });
  }

  it('native .evtx files (readEvtxSync): flipped, truncated and zeroed bytes', () => {
    const bytes = evtxSeed();
    let n = 0;
    fc.assert(
      fc.property(evtxBytes(bytes), (b) => {
        checkEvtx(dir, b, n++);
      }),
      params,
    );
  });
});
