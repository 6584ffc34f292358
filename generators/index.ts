/**
 * Property-based field generators for Sigma rule testing: fast-check arbitraries with realistic
 * (Faker-backed) content, one module per kind of value, looked up by field name. See README.md.
 */
export { createRng, fakerArb, fakerPool, hexDigits, MAX_FAKER_SEED, weighted } from './common.js';
export type { Rng } from './common.js';
export * from './registry-keys.js';
export * from './registry-details.js';
export * from './windows-paths.js';
export * from './command-lines.js';
export * from './network.js';
export * from './identity.js';
export * from './hashes.js';
export * from './guids.js';
export * from './registry.js';
export * from './events.js';
export * from './mutations.js';
export * from './expressions.js';
