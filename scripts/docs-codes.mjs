#!/usr/bin/env node
// Rewrites the lists of codes in README.md from the code registry (src/diagnostics/codes.ts),
// compiled in dist/: `npm run docs:codes` builds first. With --check, changes nothing and exits 1
// when the README is out of date (test/codes.test.ts checks the same from the sources).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const { withCodesSections } = await import(new URL('../dist/src/diagnostics/codes.js', import.meta.url).href);
const text = readFileSync(readme, 'utf8');
const next = withCodesSections(text);
if (process.argv.includes('--check')) {
  if (next !== text) {
    process.stderr.write('README.md: the lists of codes are out of date; run npm run docs:codes\n');
    process.exit(1);
  }
} else if (next !== text) {
  writeFileSync(readme, next);
  process.stdout.write('README.md: lists of codes rewritten\n');
} else process.stdout.write('README.md: lists of codes up to date\n');
