/**
 * Generator expressions: what a case file's `properties` write as `{gen: KIND, ...options}` in an
 * event template or under `mutate:`. A kind is a family of realistic values (`registry-key`,
 * `path`, `command-line`, `ip`...); options narrow it: `under` (a prefix), `name` (a file or value
 * name), `dir` (`user-writable`, `system`, `program`), `scope` (`private`, `public`), `min`/`max`
 * (numbers), and for every kind `contains` (texts the value must hold) and `not` (Sigma wildcard
 * patterns the value must avoid, matched as rules match: whole value, case-insensitive).
 * Register your own kinds with `registerGeneratorKind` (see README.md).
 */
import fc from 'fast-check';
import { parsePattern, patternRegex } from '../src/sigma/pattern.js';
import { oneOf, weighted } from './common.js';
import { commandLine, commandLineFor, powershellScript } from './command-lines.js';
import { anyGuid } from './guids.js';
import { digest } from './hashes.js';
import { accountName, qualifiedUser, sid } from './identity.js';
import { dnsDomain, hostName, ipAddress, port, privateIpv4, publicIpv4, url } from './network.js';
import { fallbackText, fieldKind, generatorFor } from './registry.js';
import { registryDetails } from './registry-details.js';
import { registryKey, registryValuePath, serviceName } from './registry-keys.js';
import {
  directoryPath,
  dllName,
  executableName,
  fileName,
  filePath,
  imagePath,
  programDirs,
  systemDirs,
  userWritableDir,
} from './windows-paths.js';

/** Where `dir` puts a path. */
export type GenDir = 'user-writable' | 'system' | 'program';
export const GEN_DIRS: readonly GenDir[] = ['user-writable', 'system', 'program'];
/** Which addresses `scope` asks for. */
export type GenScope = 'private' | 'public';
export const GEN_SCOPES: readonly GenScope[] = ['private', 'public'];

/** The options of a generator expression (all optional). */
export interface GenOptions {
  /** A prefix: the value lies under it (a registry key, a folder). */
  readonly under?: string;
  /** A name: the file name of a path, the value name of a registry key, the program of a command line. */
  readonly name?: string;
  /** The kind of folder of a path. */
  readonly dir?: GenDir;
  /** Private or public addresses. */
  readonly scope?: GenScope;
  /** Bounds of a number (inclusive). */
  readonly min?: number;
  readonly max?: number;
  /** Texts the value must contain (each is inserted at a separator when the value lacks it). */
  readonly contains?: readonly string[];
  /** Sigma wildcard patterns the value must not match (whole value, case-insensitive). */
  readonly not?: readonly string[];
}

/** The options a kind may take besides `contains` and `not`, which every kind takes. */
export type KindOption = 'under' | 'name' | 'dir' | 'scope' | 'min' | 'max';

/** Every option name, in the order the README lists them. */
export const GEN_OPTION_NAMES: readonly (keyof GenOptions)[] = ['under', 'name', 'dir', 'scope', 'min', 'max', 'contains', 'not'];

/** A generator kind: `{gen: <name>}`. */
export interface GeneratorKind {
  readonly name: string;
  readonly summary: string;
  /** The kind-specific options it takes (`contains` and `not` apply to every kind). */
  readonly options: readonly KindOption[];
  /** The values, given the options it takes and the field the value goes into (for field-specific realism). */
  build(options: GenOptions, context: { field: string }): fc.Arbitrary<string>;
  /** Problems with a combination of options (undefined: none). */
  check?(options: GenOptions): string | undefined;
}

/** The field's own generator when the field is of this kind (`Image` for `path`), else `fallback`. */
function forField(kind: string, field: string, fallback: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return field !== '' && fieldKind(field) === kind ? generatorFor(field) : fallback;
}

/** A separator in the style of a prefix: `/` for POSIX-looking ones, else `\`. */
function sepFor(prefix: string): string {
  return prefix.includes('/') && !prefix.includes('\\') ? '/' : '\\';
}

function under(prefix: string, rest: string): string {
  const sep = sepFor(prefix);
  return prefix.endsWith(sep) ? `${prefix}${rest}` : `${prefix}${sep}${rest}`;
}

/** File names that suit a field: DLLs for `ImageLoaded`, executables for images and processes. */
function fileNameFor(field: string): fc.Arbitrary<string> {
  if (/loaded|dll/i.test(field)) return dllName;
  if (/image|process|exe/i.test(field)) return executableName;
  return fileName;
}

/** Subkeys below a given registry key: catalog entry numbers, GUIDs, service-like names. */
const keySegment: fc.Arbitrary<string> = weighted<string>(
  [3, fc.integer({ min: 1, max: 24 }).map((n) => String(n).padStart(12, '0'))],
  [2, serviceName],
  [2, fc.constantFrom('Parameters', 'Settings', 'Config', 'Options', 'Data')],
  [1, anyGuid.map((g) => `{${g.replace(/[{}]/g, '').toUpperCase()}}`)],
);
const valueName: fc.Arbitrary<string> = fc.constantFrom('(Default)', 'PackedCatalogItem', 'LibraryPath', 'DisplayString', 'ImagePath', 'Start', 'Enabled', 'Debugger', 'Data');

/** Unique-local IPv6 addresses (fd00::/8), compressed: `fd3a:1c2b:44::1f`. */
const uniqueLocalIpv6: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 0xffff }))
  .map(([a, b, c, d]) => `fd${a.toString(16).padStart(2, '0')}:${b.toString(16)}:${c.toString(16)}::${d.toString(16)}`);

const minOf = (o: GenOptions, d: number): number => o.min ?? d;
const maxOf = (o: GenOptions, d: number): number => o.max ?? d;

/** The kinds sigmatest ships. */
export const builtinKinds: readonly GeneratorKind[] = [
  {
    name: 'registry-key',
    summary: 'a registry key or value path; under: the key it lies below, name: its last part (the value name)',
    options: ['under', 'name'],
    build: (o, c) => {
      const last = o.name !== undefined ? fc.constant(o.name) : valueName;
      if (o.under !== undefined) {
        const prefix = o.under;
        return fc.tuple(fc.array(keySegment, { maxLength: 2 }), last).map(([segs, v]) => under(prefix, [...segs, v].join('\\')));
      }
      if (o.name !== undefined) return registryKey.map((k) => `${k}\\${o.name ?? ''}`);
      return forField('registry-key', c.field, registryValuePath);
    },
  },
  {
    name: 'registry-details',
    summary: 'a Sysmon Details value: DWORD (0x...), QWORD (0x...-0x...), a string, (Empty), Binary Data',
    options: [],
    build: () => registryDetails,
  },
  {
    name: 'path',
    summary: 'a file path; dir: user-writable | system | program, under: the folder, name: the file name',
    options: ['under', 'name', 'dir'],
    check: (o) => (o.under !== undefined && o.dir !== undefined ? "'under' and 'dir' both say where the file is: give one" : undefined),
    build: (o, c) => {
      const name = o.name !== undefined ? fc.constant(o.name) : fileNameFor(c.field);
      if (o.under !== undefined) {
        const prefix = o.under;
        return name.map((n) => under(prefix, n));
      }
      const folder =
        o.dir === 'user-writable' ? userWritableDir : o.dir === 'system' ? oneOf(systemDirs).map((d) => `C:${d}`) : o.dir === 'program' ? oneOf(programDirs).map((d) => `C:${d}`) : undefined;
      if (folder !== undefined) return fc.tuple(folder, name).map(([d, n]) => `${d}\\${n}`);
      if (o.name !== undefined) return fc.tuple(directoryPath, name).map(([d, n]) => `${d}\\${n}`);
      return forField('path', c.field, /image|process/i.test(c.field) ? imagePath : filePath);
    },
  },
  {
    name: 'file-name',
    summary: 'a file name without folder (executables for image-like fields)',
    options: [],
    build: (_o, c) => forField('file-name', c.field, fileNameFor(c.field)),
  },
  {
    name: 'command-line',
    summary: 'a command line with realistic arguments; name: the program (certutil.exe) it starts',
    options: ['name'],
    build: (o, c) => {
      if (o.name !== undefined) {
        const program = o.name;
        return oneOf(['C:\\Windows\\System32', 'C:\\Windows\\SysWOW64', 'C:\\Program Files\\Vendor']).chain((d) => commandLineFor(`${d}\\${program}`));
      }
      return forField('command-line', c.field, commandLine);
    },
  },
  {
    name: 'ip',
    summary: 'an IPv4 or IPv6 address; scope: private (RFC 1918, fd00::/8) | public',
    options: ['scope'],
    build: (o, c) =>
      o.scope === 'private'
        ? weighted<string>([9, privateIpv4], [1, uniqueLocalIpv6])
        : o.scope === 'public'
          ? publicIpv4
          : forField('ip', c.field, ipAddress),
  },
  {
    name: 'user',
    summary: 'a user: DOMAIN\\name (or a bare account name for *UserName fields)',
    options: [],
    build: (_o, c) => forField('user', c.field, /username|accountname/i.test(c.field) ? accountName : qualifiedUser),
  },
  { name: 'sid', summary: 'a Windows SID', options: [], build: (_o, c) => forField('sid', c.field, sid) },
  { name: 'guid', summary: 'a GUID in one of its spellings', options: [], build: (_o, c) => forField('guid', c.field, anyGuid) },
  { name: 'hash', summary: 'a hash (a SHA256, or the field\'s own form: Sysmon Hashes, MD5...)', options: [], build: (_o, c) => forField('hash', c.field, digest('SHA256')) },
  { name: 'hostname', summary: 'a host name', options: [], build: (_o, c) => forField('hostname', c.field, hostName) },
  { name: 'domain', summary: 'a DNS domain', options: [], build: () => dnsDomain },
  { name: 'url', summary: 'a URL', options: [], build: () => url },
  { name: 'port', summary: 'a port number', options: [], build: () => port },
  { name: 'script', summary: 'a PowerShell script block', options: [], build: () => powershellScript },
  {
    name: 'number',
    summary: 'a whole number, as text; min and max (inclusive, default 0 and 65535)',
    options: ['min', 'max'],
    check: (o) => (minOf(o, 0) > maxOf(o, 65535) ? `min ${minOf(o, 0)} is above max ${maxOf(o, 65535)}` : undefined),
    build: (o) => fc.integer({ min: minOf(o, 0), max: maxOf(o, 65535) }).map(String),
  },
  { name: 'text', summary: 'short realistic text (words, identifiers, versions)', options: [], build: () => fallbackText },
];

let userKinds: GeneratorKind[] = [];

/**
 * Adds a generator kind (or replaces one of the same name: the latest registration wins).
 * Returns a function that removes this registration again.
 */
export function registerGeneratorKind(kind: GeneratorKind): () => void {
  if (!/^[a-z][a-z0-9-]*$/.test(kind.name)) throw new Error(`registerGeneratorKind: '${kind.name}' is not a name case files can use (lower-case letters, digits and -)`);
  userKinds = [...userKinds, kind];
  return () => {
    userKinds = userKinds.filter((k) => k !== kind);
  };
}

/** The kind a case file names, or undefined. */
export function generatorKind(name: string): GeneratorKind | undefined {
  for (let i = userKinds.length - 1; i >= 0; i--) if (userKinds[i]?.name === name) return userKinds[i];
  return builtinKinds.find((k) => k.name === name);
}

/** Every kind name: the built-in ones, then registered ones. */
export function generatorKindNames(): string[] {
  return [...new Set([...builtinKinds.map((k) => k.name), ...userKinds.map((k) => k.name)])];
}

const isSep = (c: string): boolean => c === '\\' || c === '/' || c === ' ';

/**
 * `text` inserted into `value` at the start of one of its parts (after a space, `\` or `/`, or at
 * either end; `k` picks which), glued with that separator so it stays a part of its own
 * (`certutil.exe -urlcache -f x`, `C:\Users\x\Temp\a.exe`); `value` as it is when it holds `text` already.
 */
export function insertAtBoundary(value: string, text: string, k: number): string {
  if (value.includes(text) || text === '') return value;
  // Parts of the same sort as the text: path components for a text with a separator in it, words
  // of a text with spaces, else path components.
  const seps = text.includes('\\') ? '\\' : text.includes('/') ? '/' : value.includes(' ') ? ' ' : '\\/';
  const cuts = [value.length];
  for (let i = 1; i < value.length; i++) if (seps.includes(value.charAt(i - 1)) && !isSep(value.charAt(i))) cuts.push(i);
  const at = cuts[k % cuts.length] ?? value.length;
  const before = value.slice(0, at);
  const after = value.slice(at);
  const sep = at > 0 && isSep(value.charAt(at - 1)) ? value.charAt(at - 1) : value.includes(' ') || !/[\\/]/.test(value) ? ' ' : value.includes('/') && !value.includes('\\') ? '/' : '\\';
  const glueBefore = before !== '' && !isSep(before.charAt(before.length - 1)) && !isSep(text.charAt(0)) ? sep : '';
  const glueAfter = after !== '' && !isSep(text.charAt(text.length - 1)) && !isSep(after.charAt(0)) ? sep : '';
  return `${before}${glueBefore}${text}${glueAfter}${after}`;
}

/** A problem with an expression: the option concerned (undefined: the kind) and what is wrong. */
export interface ExpressionProblem {
  option?: keyof GenOptions;
  message: string;
}

/** The compiled `not` patterns: whole-value Sigma patterns, case-insensitive. */
function notMatchers(not: readonly string[] | undefined): RegExp[] {
  return (not ?? []).map((p) => patternRegex(parsePattern(p), false));
}

/**
 * The values of `{gen: kind, ...options}` for `field`: the kind's values with every `contains`
 * text inserted and every value matching a `not` pattern left out. Throws for an unknown kind
 * (check with `expressionProblems` first).
 */
export function generatorExpression(kind: string, options: GenOptions, field: string): fc.Arbitrary<string> {
  const k = generatorKind(kind);
  if (k === undefined) throw new Error(`unknown generator kind '${kind}'`);
  let arb = k.build(options, { field });
  const contains = options.contains ?? [];
  if (contains.length > 0) {
    arb = fc.tuple(arb, fc.array(fc.nat(), { minLength: contains.length, maxLength: contains.length })).map(([v, ks]) => contains.reduce((acc, t, i) => insertAtBoundary(acc, t, ks[i] ?? 0), v));
  }
  const nots = notMatchers(options.not);
  if (nots.length > 0) arb = arb.filter((v) => !nots.some((re) => re.test(v)));
  return arb;
}

/**
 * What is wrong with an expression, if anything: an unknown kind, an option the kind does not take,
 * a combination it rejects, or options no value satisfies (checked on 64 values: every one matched
 * a `not` pattern).
 */
export function expressionProblems(kind: string, options: GenOptions, field: string): ExpressionProblem[] {
  const k = generatorKind(kind);
  if (k === undefined) return [{ message: `unknown generator kind '${kind}' (kinds: ${generatorKindNames().join(', ')}; register your own in generators/)` }];
  const problems: ExpressionProblem[] = [];
  for (const name of GEN_OPTION_NAMES) {
    if (options[name] === undefined || name === 'contains' || name === 'not') continue;
    if (!(k.options as readonly string[]).includes(name)) {
      problems.push({ option: name, message: `the '${kind}' generator takes no '${name}' option (it takes ${[...k.options, 'contains', 'not'].join(', ')})` });
    }
  }
  const combo = k.check?.(options);
  if (combo !== undefined) problems.push({ message: combo });
  if (problems.length > 0) return problems;
  const nots = notMatchers(options.not);
  if (nots.length > 0) {
    const withoutNot = generatorExpression(kind, { ...options, not: [] }, field);
    const sample = fc.sample(withoutNot, { seed: 1, numRuns: 64 });
    if (!sample.some((v) => !nots.some((re) => re.test(v)))) {
      problems.push({ option: 'not', message: `every value the '${kind}' generator gave (64 tried, e.g. ${JSON.stringify(sample[0])}) matches a 'not' pattern: nothing is left to generate` });
    }
  }
  return problems;
}
