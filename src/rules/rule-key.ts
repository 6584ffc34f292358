/**
 * The identity of a loaded rule: the rule file, resolved to an absolute path, and the 0-based
 * index of its YAML document in that file (`/abs/rules/x.yml#0`).
 *
 * Not the rule's `id`: ids may be missing, repeated in copies, or shared by the documents of one
 * file, and the same file must be the same rule whatever relative path it was reached by. Use it
 * wherever rules loaded separately (the validator's rule tree, a scan's matches, a worker's rule
 * list) must be matched up with each other.
 */
import { resolve } from 'node:path';

/** `<absolute file>#<document>`: see the file comment. */
export function ruleKey(rule: { readonly file: string; readonly document: number }): string {
  return `${resolve(rule.file)}#${rule.document}`;
}
