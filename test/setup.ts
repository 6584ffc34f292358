// Test setup: bound regex backtracking exactly as the CLI does before any rule is loaded.
import { enableRegexBacktrackingGuard } from '../src/sigma/regex.js';

enableRegexBacktrackingGuard();
