/**
 * The identity of a loaded rule: the rule file, resolved to an absolute path, and the 0-based
 * index of its YAML document in that file (`/abs/rules/x.yml#0`).
 *
 * Not the rule's `id`: ids may be missing, repeated in copies, or shared by the documents of one
 * file, and the same file must be the same rule whatever relative path it was reached by. Use it
 * wherever rules loaded separately (the validator's rule tree, a scan's matches, a worker's rule
 * list) must be matched up with each other.
 */
import { resolve, sep } from 'node:path';

/** An absolute POSIX path with nothing to normalise (no `.`, `..` or empty segment): what loaded rules hold. */
const NORMAL_POSIX = /^(?!.*\/\.{0,2}(?:\/|$))\//;

/** `<absolute file>#<document>`: see the file comment. */
export function ruleKey(rule: { readonly file: string; readonly document: number }): string {
  // `resolve` asks for the working folder and normalises every time (a tenth of a warm scan's
  // start over 3,000 rules); a path that is already what it would return is kept.
  const file = sep === '/' && NORMAL_POSIX.test(rule.file) ? rule.file : resolve(rule.file);
  return `${file}#${rule.document}`;
}
