/**
 * Reporters by name. Each kind of report (run, gate, fuzz, scan, explain) has one registry
 * (`report/<kind>/registry.ts`) listing its formats, one file per format. The CLI takes its
 * `--reporter` choices, usage line and help text from the registry and looks the renderer up by
 * name, so a format exists in exactly one place.
 *
 * A reporter receives data and returns output; it computes nothing itself (no suite run, no fuzz
 * pass, no rule page): whatever it shows is in its input.
 */

/** What every reporter has: its `--reporter` name, a line of help, and the kind of output it makes. */
export interface ReporterInfo {
  readonly name: string;
  /** One line for `--help`: what the output is and who reads it. */
  readonly help: string;
  /** `text`: one text; `folder`: files for an `--out` folder; `stream`: written as data comes (scan). */
  readonly output: 'text' | 'folder' | 'stream';
}

/** A reporter whose output is one text (stdout, or the `--out` file). */
export interface TextReporter<T> extends ReporterInfo {
  readonly output: 'text';
  readonly render: (data: T) => string;
}

/** A reporter whose output is a folder of files (relative path → content), written to `--out <dir>`. */
export interface FolderReporter<T> extends ReporterInfo {
  readonly output: 'folder';
  readonly render: (data: T) => Map<string, string>;
}

/** The reporters of one kind of report, in the order help lists them (the first is the default). */
export class ReporterRegistry<E extends ReporterInfo> {
  private readonly byName = new Map<string, E>();

  constructor(
    /** The kind of report, as users name it (`run`, `gate`…). */
    readonly kind: string,
    entries: readonly E[],
  ) {
    for (const e of entries) {
      if (this.byName.has(e.name)) throw new Error(`two ${kind} reporters are named '${e.name}'`);
      this.byName.set(e.name, e);
    }
  }

  /** The names, in registration order. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** The default reporter's name (the first registered). */
  get defaultName(): string {
    const first = this.names[0];
    if (first === undefined) throw new Error(`no ${this.kind} reporter is registered`);
    return first;
  }

  get(name: string): E | undefined {
    return this.byName.get(name);
  }

  /** The named reporter, or the default one when no name is given; an unknown name throws (commands check `choices` first). */
  pick(name: string | undefined): E {
    const e = this.byName.get(name ?? this.defaultName);
    if (e === undefined) throw new Error(`no ${this.kind} reporter is named '${name}' (reporters: ${this.names.join(', ')})`);
    return e;
  }

  /** The reporters, in registration order. */
  entries(): E[] {
    return [...this.byName.values()];
  }

  /** The reporters that write one text (what can go to stdout or an `--out` file). */
  textReporters(): Array<Extract<E, { output: 'text' }>> {
    return this.entries().filter((e): e is Extract<E, { output: 'text' }> => e.output === 'text');
  }

  /** The reporter of that name if it writes one text. */
  textReporter(name: string): Extract<E, { output: 'text' }> | undefined {
    return this.textReporters().find((e) => e.name === name);
  }

  /** The names as a usage line shows them: `text|json|junit`. */
  usage(): string {
    return this.names.join('|');
  }

  /** A `--help` block: a line per reporter with its help. */
  helpText(title = 'Reporters (--reporter):'): string {
    const width = Math.max(...this.names.map((n) => n.length)) + 2;
    return [title, ...this.entries().map((e) => `  ${e.name.padEnd(width)}${e.help}`)].join('\n');
  }
}
