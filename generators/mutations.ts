/**
 * Mutation operators: what a case file's `properties` write under `mutate:` (`recase`, `respell`,
 * `relocate`, `lookalike`, `embed`, `windash`, `details`, `drop`), each a fast-check arbitrary of
 * the values that replace a field's value, shrinking towards the most ordinary variant. Register
 * your own with `registerOperator` (see README.md, "Properties: operators and generator kinds").
 */
import fc from 'fast-check';
import { weighted } from './common.js';
import { commandLine, flagPositions, windashVariant } from './command-lines.js';
import { fieldKind, generatorFor } from './registry.js';
import { DETAILS_BINARY, DETAILS_EMPTY, dwordDetails, formatDword, formatQword, qwordDetails, stringDetails } from './registry-details.js';
import { parseRegistryPath, registryPathVariants } from './registry-keys.js';
import { caseVariant, lookalikeNames, relocate } from './windows-paths.js';

/** The value a mutation gives when it removes the field (the `drop` operator). */
export const DROPPED: unique symbol = Symbol('dropped');

/** What a mutation gives in place of a value: a new value, or {@link DROPPED}. */
export type Mutated = string | typeof DROPPED;

/** Where a mutation happens: the field (as events name it after flattening). */
export interface MutationContext {
  readonly field: string;
}

/** A mutation operator, as `mutate:` names it. */
export interface MutationOperator {
  /** The name case files use (`recase`). */
  readonly name: string;
  /** One line for `--help`, the README and error messages. */
  readonly summary: string;
  /**
   * The values that replace `value` (a text; values of other types are turned into text first,
   * except by operators with `anyValue`). Shrinks towards the most ordinary variant.
   */
  mutate(value: string, context: MutationContext): fc.Arbitrary<Mutated>;
  /** Why the operator cannot vary `value` (then a property using it is an error); undefined when it can. */
  check?(value: string, context: MutationContext): string | undefined;
  /** The operator works on any value, absent or not text (only `drop` does). */
  readonly anyValue?: boolean;
}

/** The last path component, after `\` or `/`. */
function splitName(path: string): [dir: string, sep: string, name: string] {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i < 0 ? ['', '', path] : [path.slice(0, i), path.charAt(i), path.slice(i + 1)];
}

/**
 * Look-alikes of a file name (see `lookalikeNames`: homoglyphs, `rn` for `m`, doubled extension,
 * `64` suffix...) and prefixed names (`Copy of msiexec.exe`, `_msiexec.exe`, `xmsiexec.exe`),
 * none equal to the name case-insensitively.
 */
export function lookalikeVariants(name: string): string[] {
  const lower = name.toLowerCase();
  const prefixed = [`Copy of ${name}`, `_${name}`, `x${name}`, `evil${name}`];
  return [...new Set([...lookalikeNames(name), ...prefixed])].filter((n) => n !== '' && n.toLowerCase() !== lower);
}

/** Words around an embedded value in free text. */
const fillerWords = fc.constantFrom('run', 'update', 'task', 'check', 'copy', 'install', 'log', 'start', 'temp', 'job');

/** A realistic text split at a word boundary: what goes before and after an embedded value. */
function textAround(host: fc.Arbitrary<string>): fc.Arbitrary<[string, string]> {
  return fc.tuple(host, fc.nat()).map(([h, k]): [string, string] => {
    const cuts = [0, h.length];
    for (let i = 1; i < h.length; i++) if (h.charAt(i - 1) === ' ') cuts.push(i);
    const at = cuts[k % cuts.length] ?? 0;
    return [h.slice(0, at), h.slice(at)];
  });
}

const joinWords = (before: string, value: string, after: string): string =>
  `${before}${before === '' || before.endsWith(' ') ? '' : ' '}${value}${after === '' || after.startsWith(' ') ? '' : ' '}${after}`;

/**
 * `value` inside longer realistic text of the field's kind, intact: deeper under a registry key
 * (`<key>\Sub\Value`), a path with a long-path prefix, a stream or a deeper folder, and for command
 * lines and other text, between the words of a realistic value of the field. Never `value` alone.
 */
export function embedValue(value: string, field: string): fc.Arbitrary<string> {
  const kind = fieldKind(field);
  const word = fillerWords;
  if (kind === 'registry-key') {
    const tail = fc.array(fc.constantFrom('Parameters', '000000000001', 'Data', 'Settings', '{6D5A1E4B-2F3C-4A7B-9C0D-1E2F3A4B5C6D}', 'Default'), { minLength: 1, maxLength: 2 });
    return tail.map((t) => `${value}\\${t.join('\\')}`);
  }
  if (kind === 'path' || kind === 'file-name') {
    return weighted<string>(
      [3, fc.constantFrom(':Zone.Identifier', '.bak', '.old', ' (1)').map((s) => `${value}${s}`)],
      [2, fc.tuple(word, fc.constantFrom('.exe', '.dll', '.txt', '.log')).map(([w, e]) => `${value}${value.endsWith('\\') ? '' : '\\'}${w}${e}`)],
      [1, fc.constant(`\\\\?\\${value}`)],
    );
  }
  const host = kind === 'command-line' || kind === 'script' || kind === 'registry-details' ? generatorFor(field === '' ? 'CommandLine' : field) : commandLine;
  return weighted<string>(
    [2, fc.tuple(word, word).map(([a, b]) => joinWords(a, value, b))],
    [3, textAround(host).map(([a, b]) => (a === '' && b === '' ? joinWords('cmd.exe /c', value, '') : joinWords(a, value, b)))],
    [1, host.map((h) => `${h} "${value}"`)],
  );
}

/** The number a `DWORD (0x...)` / `QWORD (0x...-0x...)` Details value holds, or undefined. */
export function detailsNumber(value: string): bigint | undefined {
  const d = /^DWORD \(0x([0-9a-f]{8})\)$/i.exec(value);
  if (d !== null) return BigInt(`0x${d[1] ?? '0'}`);
  const q = /^QWORD \(0x([0-9a-f]{8})-0x([0-9a-f]{8})\)$/i.exec(value);
  if (q !== null) return (BigInt(`0x${q[1] ?? '0'}`) << 32n) | BigInt(`0x${q[2] ?? '0'}`);
  return undefined;
}

/**
 * Other Sysmon `Details` forms than `value`: `(Empty)`, `Binary Data`, the same number as a DWORD
 * or QWORD (when `value` holds one), any DWORD, QWORD or string. Never `value` itself.
 */
export function detailsVariants(value: string): fc.Arbitrary<string> {
  const n = detailsNumber(value);
  const sameNumber: fc.Arbitrary<string>[] = [];
  if (n !== undefined) {
    sameNumber.push(fc.constant(formatQword(n)));
    if (n <= 0xffffffffn) sameNumber.push(fc.constant(formatDword(Number(n))), fc.constant(String(n)));
  }
  return weighted<string>(
    [2, fc.constant(DETAILS_EMPTY)],
    [2, fc.constant(DETAILS_BINARY)],
    ...sameNumber.map((a): [number, fc.Arbitrary<string>] => [2, a]),
    [3, dwordDetails],
    [1, qwordDetails],
    [3, stringDetails],
  ).filter((v) => v !== value);
}

const hasLetters = (v: string): boolean => v.toLowerCase() !== v.toUpperCase();

/** The operators sigmatest ships, in the order the README lists them. */
export const builtinOperators: readonly MutationOperator[] = [
  {
    name: 'recase',
    summary: 'the same text with letters in another case (all lower, all upper, mixed)',
    mutate: (v) => caseVariant(v),
    check: (v) => (hasLetters(v) ? undefined : 'has no letters to re-case'),
  },
  {
    name: 'respell',
    summary:
      'the same registry key in another spelling: every hive form (HKLM, HKEY_LOCAL_MACHINE, \\REGISTRY\\MACHINE, HKU\\<SID>, HKCU...), CurrentControlSet ↔ ControlSet00N, HKCR ≡ HKLM\\SOFTWARE\\Classes ≡ HKU\\<SID>_Classes',
    mutate: (v) => registryPathVariants(v, { mergedClasses: true }),
    check: (v) => (parseRegistryPath(v) === undefined ? 'is not a registry path with a known hive root (HKLM, HKEY_LOCAL_MACHINE, \\REGISTRY\\MACHINE, HKU, HKCU, HKCR...)' : undefined),
  },
  {
    name: 'relocate',
    summary: 'the same file name in another folder: user-writable folders first, another drive, a look-alike "Windows " folder, a copy of its folder',
    mutate: (v) => relocate(v),
    check: (v) => (splitName(v)[2] === '' ? 'has no file name to move (it ends with a separator)' : undefined),
  },
  {
    name: 'lookalike',
    summary: 'the file name replaced by a look-alike: homoglyphs, rn for m, a doubled extension, a suffix, a prefixed name',
    mutate: (v) => {
      const [dir, sep, name] = splitName(v);
      return fc.constantFrom(...lookalikeVariants(name)).map((n) => `${dir}${sep}${n}`);
    },
    check: (v) => (lookalikeVariants(splitName(v)[2]).length === 0 ? 'has no file name to imitate' : undefined),
  },
  {
    name: 'embed',
    summary: 'the value inside longer realistic text: between the words of a command line, deeper under a registry key, a path with a stream or a long-path prefix',
    mutate: (v, c) => embedValue(v, c.field),
  },
  {
    name: 'windash',
    summary: 'every flag prefix (-x, /x) replaced by one of - / – — ―, each independently',
    mutate: (v) => windashVariant(v).filter((x) => x !== v),
    check: (v) => (flagPositions(v).length === 0 ? 'has no flag (-x or /x) to re-dash' : undefined),
  },
  {
    name: 'details',
    summary: 'another Sysmon Details form: (Empty), Binary Data, the same number as DWORD/QWORD, any DWORD (0x...), QWORD (0x...-0x...) or string',
    mutate: (v) => detailsVariants(v),
  },
  {
    name: 'drop',
    summary: 'the field removed from the event',
    mutate: () => fc.constant(DROPPED),
    anyValue: true,
  },
];

let userOperators: MutationOperator[] = [];

/**
 * Adds an operator (or replaces one of the same name, built-in or not: the latest registration
 * wins). Returns a function that removes this registration again.
 */
export function registerOperator(operator: MutationOperator): () => void {
  if (!/^[a-z][a-z0-9-]*$/.test(operator.name)) throw new Error(`registerOperator: '${operator.name}' is not a name case files can use (lower-case letters, digits and -)`);
  userOperators = [...userOperators, operator];
  return () => {
    userOperators = userOperators.filter((o) => o !== operator);
  };
}

/** The operator a case file names, or undefined. */
export function mutationOperator(name: string): MutationOperator | undefined {
  for (let i = userOperators.length - 1; i >= 0; i--) if (userOperators[i]?.name === name) return userOperators[i];
  return builtinOperators.find((o) => o.name === name);
}

/** Every operator name: the built-in ones, then registered ones. */
export function operatorNames(): string[] {
  return [...new Set([...builtinOperators.map((o) => o.name), ...userOperators.map((o) => o.name)])];
}
