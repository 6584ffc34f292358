/**
 * Python regular expressions (the `re` module pySigma pipelines are written for) run in
 * JavaScript: the pattern is translated where the two dialects spell the same thing differently,
 * and rejected, with the reason, where JavaScript has no equivalent. A replacement template of
 * `re.sub` (`\1`, `\g<name>`, `\n`…) becomes a replacer function.
 *
 * Translated: `(?P<name>…)` named groups and `(?P=name)` back-references, `\A`, `\Z`, Python's
 * `$` (end, or before a final newline), `{,n}` (`{0,n}`), `(?#…)` comments, global inline flags
 * `(?i)` `(?m)` `(?s)` at the start (`(?a)`/`(?u)` are accepted: str patterns are Unicode). Rejected:
 * scoped flags `(?i:…)`, verbose `(?x)`, atomic groups, possessive quantifiers, conditional
 * groups, `\N{…}`. Known difference left as it is: `\w`, `\d`, `\b` are ASCII in JavaScript and
 * Unicode in Python.
 */

/** A translated pattern, or why it cannot be. */
export type PythonRegex = { regex: RegExp; source: string } | { error: string };

const GLOBAL_FLAGS = /^\(\?([aiLmsux]+)\)/;

/** Translates a Python `re` pattern; `sticky` anchors matching at the start (`re.match`). */
export function pythonRegex(pattern: string, options: { sticky?: boolean; global?: boolean } = {}): PythonRegex {
  let flags = '';
  let p = pattern;
  // Global flags may only lead the pattern (Python 3.11 rejects them elsewhere).
  for (let m = GLOBAL_FLAGS.exec(p); m !== null; m = GLOBAL_FLAGS.exec(p)) {
    for (const f of m[1] as string) {
      if (f === 'x') return { error: 'verbose patterns ((?x)) are not supported' };
      if (f === 'L') return { error: 'locale-dependent matching ((?L)) is not supported' };
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    }
    p = p.slice(m[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return { error: 'the pattern ends with a lone backslash' };
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && n === 'Z') out += '$';
      else if (n === 'N') return { error: 'named Unicode characters (\\N{...}) are not supported' };
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in both dialects.
      if (p[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '$') {
      out += '(?:$|(?=\\n$))';
      continue;
    }
    if (c === '{') {
      const m = /^\{,(\d+)\}/.exec(p.slice(i));
      if (m !== null) {
        out += `{0,${m[1] as string}}`;
        i += m[0].length - 1;
        continue;
      }
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && p[i + 1] === '+') return { error: 'possessive quantifiers (*+, ++, ?+) are not supported' };
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
      const backref = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
      if (backref !== null) {
        out += `\\k<${backref[1] as string}>`;
        i += 2 + backref[0].length - 1;
        continue;
      }
      if (rest.startsWith('#')) {
        const end = p.indexOf(')', i);
        if (end < 0) return { error: 'an unterminated (?#...) comment' };
        i = end;
        continue;
      }
      if (rest.startsWith('>')) return { error: 'atomic groups ((?>...)) are not supported' };
      if (rest.startsWith('(')) return { error: 'conditional groups ((?(id)yes|no)) are not supported' };
      if (/^[aiLmsux-]+[:)]/.test(rest)) return { error: 'inline flags inside the pattern ((?i:...), or (?i) not at the start) are not supported' };
    }
    out += c;
  }
  if (options.global === true) flags += 'g';
  if (options.sticky === true) flags += 'y';
  try {
    return { regex: new RegExp(out, flags), source: out };
  } catch (e) {
    return { error: (e as Error).message.replace(/^Invalid regular expression: /, '') };
  }
}

/** A replacement template of `re.sub`, or why it is not valid Python. */
export type PythonReplacement = { replace: (match: RegExpExecArray | string[], groups: Record<string, string | undefined> | undefined) => string } | { error: string };

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/**
 * Parses a Python replacement template: `\1`…`\99` and `\g<n>`/`\g<name>` insert groups (an
 * unmatched group inserts nothing), `\n` `\t` `\\`… their characters, other escapes of ASCII
 * letters are errors (as in Python), any other backslash stays.
 */
export function pythonReplacement(template: string): PythonReplacement {
  type Piece = string | { group: number | string };
  const pieces: Piece[] = [];
  let lit = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== '\\') {
      lit += c;
      continue;
    }
    const n = template[i + 1];
    if (n === undefined) return { error: 'the replacement ends with a lone backslash' };
    if (n === 'g') {
      const m = /^<([^>]*)>/.exec(template.slice(i + 2));
      if (m === null) return { error: 'missing < after \\g in the replacement' };
      const ref = m[1] as string;
      if (lit !== '') pieces.push(lit);
      lit = '';
      pieces.push({ group: /^\d+$/.test(ref) ? Number(ref) : ref });
      i += 1 + m[0].length;
      continue;
    }
    if (/[0-9]/.test(n)) {
      const rest = template.slice(i + 1);
      // Octal escapes: \0 with up to two more octal digits, or three octal digits (\101): a character.
      const octal = n === '0' ? /^0[0-7]{0,2}/.exec(rest) : /^[0-7]{3}/.exec(rest);
      if (octal !== null) {
        lit += String.fromCharCode(Number.parseInt(octal[0], 8));
        i += octal[0].length;
        continue;
      }
      const m = /^[0-9]{1,2}/.exec(rest) as RegExpExecArray;
      if (lit !== '') pieces.push(lit);
      lit = '';
      pieces.push({ group: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) {
      lit += simple;
      i++;
      continue;
    }
    if (/[A-Za-z]/.test(n)) return { error: `bad escape \\${n} in the replacement` };
    lit += c + n;
    i++;
  }
  if (lit !== '') pieces.push(lit);
  return {
    replace: (match, groups) =>
      pieces
        .map((p) => {
          if (typeof p === 'string') return p;
          const v = typeof p.group === 'number' ? match[p.group] : groups?.[p.group];
          return v ?? '';
        })
        .join(''),
  };
}

/** Checks that a template only refers to groups the regex has (Python raises at substitution otherwise). */
export function replacementGroupsExist(template: string, regex: RegExp): string | undefined {
  const count = new RegExp(`${regex.source}|`).exec('')?.length ?? 1;
  const names = new Set([...regex.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]));
  for (const m of template.matchAll(/\\(?:g<([^>]*)>|([1-9][0-9]?))/g)) {
    const ref = m[1] ?? m[2] ?? '';
    if (/^\d+$/.test(ref)) {
      if (Number(ref) >= count) return `the replacement refers to group ${ref}, but the regex has ${count - 1}`;
    } else if (!names.has(ref)) return `the replacement refers to group '${ref}', which the regex does not define`;
  }
  return undefined;
}

/** `re.sub(regex, template, text)`: every non-overlapping match replaced. */
export function pythonSub(regex: RegExp, replace: Extract<PythonReplacement, { replace: unknown }>['replace'], text: string): string {
  const global = regex.flags.includes('g') ? regex : new RegExp(regex.source, regex.flags + 'g');
  return text.replace(global, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const hasGroups = typeof last === 'object' && last !== null;
    const groups = hasGroups ? (last as Record<string, string | undefined>) : undefined;
    const match = args.slice(0, hasGroups ? -3 : -2) as string[];
    return replace(match, groups);
  });
}
