// The bundled rules/ and cases/ as vitest tests: one describe per rule, one test per case, and
// full coverage per stage required for every bundled rule.
import { sigmaCases } from '../src/vitest/sigma-cases.js';

sigmaCases({ rules: ['rules'], cases: ['cases'], minCoverage: 100 });
