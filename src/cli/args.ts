/**
 * Command-line parsing on Node's own `util.parseArgs` (no dependency: it handles long/short
 * options, repeated options and positionals, which is all sigmatest needs). A command declares
 * its options once; the same declaration drives parsing, validation of enum values and `--help`.
 */
import { parseArgs } from 'node:util';
import { parseShard } from '../rules/shard.js';
import type { Shard } from '../rules/shard.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Allowed values for a string option. */
  choices?: readonly string[];
  default?: string | boolean;
  /** Placeholder shown in help, e.g. `<dir>`. */
  arg?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Longer description printed by --help. */
  description?: string;
  options: Record<string, OptionSpec>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A wrong command line: runCli prints the message after the command name and exits 2. */
export class UsageError extends Error {}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses argv for a command; throws UsageError with a readable message. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(spec.options)) {
    const opt: { type: 'string' | 'boolean'; short?: string; multiple?: boolean } = { type: o.type };
    if (o.short !== undefined) opt.short = o.short;
    if (o.multiple) opt.multiple = true;
    options[name] = opt;
  }
  // Options that take several values (`--events a b c`) are collected greedily until the next option.
  const normalised: string[] = [];
  let multi: string | undefined;
  for (const a of argv) {
    if (a.startsWith('-')) {
      const name = a.replace(/^--?/, '').split('=')[0] ?? '';
      const o = spec.options[name];
      multi = o?.multiple && !a.includes('=') ? name : undefined;
      normalised.push(a);
      continue;
    }
    if (multi !== undefined && normalised[normalised.length - 1] !== `--${multi}`) normalised.push(`--${multi}`);
    normalised.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: normalised, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}\nSee 'sigmatest ${spec.name} --help'.`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  for (const [name, o] of Object.entries(spec.options)) {
    if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
    const v = values[name];
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
      throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}, not '${v}'`);
    }
  }
  return { values, positionals: parsed.positionals, help: values.help === true };
}

/** The --help text of a command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: sigmatest ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  lines.push('', 'Options:');
  const rows: [string, string][] = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? (o.choices ? `<${o.choices.join('|')}>` : '<value>')}${o.multiple ? '...' : ''}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
    return [flag, o.help + def];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [f, h] of rows) lines.push(`  ${f.padEnd(width)}${h}`);
  return lines.join('\n') + '\n';
}

export function str(v: string | boolean | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
}

export function list(v: string | boolean | string[] | undefined): string[] {
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** The `--pipeline` option of the commands that load rules: repeatable, applied by priority. */
/** `--placeholders error|skip`: what a rule whose placeholders have no values is (default: the config's, else error). */
export const placeholdersOption: OptionSpec = {
  type: 'string',
  choices: ['error', 'skip'],
  help: "rules whose %placeholders% have no values: error (fail to load, the default) or skip (counted and named, never passing); config: unresolved_placeholders",
};

export const pipelineOption: OptionSpec = {
  type: 'string',
  multiple: true,
  arg: '<file|name>',
  help: 'a pySigma processing pipeline (YAML file or built-in name: ecs-windows, security-4688) applied to every rule before it is planned; repeatable, applied by priority (with the config\'s pipeline:)',
};

/**
 * The `--shard i/n` option of run, fuzz, scan and gate: one declaration (only the help differs:
 * what is split) and one parser with one error message.
 */
export function shardOption(what: string): OptionSpec {
  return { type: 'string', arg: '<i/n>', help: `${what} (split by sorted rule file path)` };
}

/** The parsed `--shard`, undefined when not given; a UsageError when it is not i/n with 1 <= i <= n. */
export function shardArg(args: Parsed): Shard | undefined {
  const text = str(args.values.shard);
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if (shard === undefined) throw new UsageError(`--shard takes i/n with 1 <= i <= n (e.g. 2/4), not '${text}'`);
  return shard;
}
