/**
 * Limits by design: how much a rule, a case file or an event may ask of the engine. Input an
 * attacker may write (a rule in a pull request, an event in a log) must not make a run take
 * unbounded time or memory, nor overflow the stack; each limit is far above what real rules and
 * logs need (the SigmaHQ corpus: at most 4,457 YAML nodes in a document, 6 levels of YAML, 5 of a
 * condition, 3 patterns from one value), hitting one is a located diagnostic naming it, and each
 * can be set under `limits:` in the config file.
 */

export interface Limits {
  /** Nodes a YAML document may hold once its aliases are expanded (`*a` counts the nodes it repeats). */
  yamlNodes: number;
  /** Nesting of YAML collections, aliases expanded. */
  yamlDepth: number;
  /** Nesting of a condition: parentheses, `not`, `and`/`or` groups. */
  conditionDepth: number;
  /** Patterns one rule value may become through its modifiers (`base64offset`, `windash` before an encoding, `expand`). */
  valueAlternatives: number;
  /** Nesting of objects and arrays in an event. */
  eventDepth: number;
  /** Size of one event in bytes (UTF-8, as read). */
  eventBytes: number;
}

/** The defaults (see the README's Configuration section). */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  yamlNodes: 1_000_000,
  yamlDepth: 100,
  conditionDepth: 100,
  valueAlternatives: 4096,
  eventDepth: 100,
  eventBytes: 16 * 1024 * 1024,
});

/**
 * The config file's name of each limit (`limits: {yaml_nodes: ...}`) and the largest value it
 * takes. The maxima keep a run within about a gigabyte and the stack whatever the config says: the
 * gate reads the config of the branch it checks.
 */
export const LIMIT_KEYS: ReadonlyArray<readonly [key: string, prop: keyof Limits, max: number]> = [
  ['yaml_nodes', 'yamlNodes', 10_000_000],
  ['yaml_depth', 'yamlDepth', 1000],
  ['condition_depth', 'conditionDepth', 1000],
  ['value_alternatives', 'valueAlternatives', 1_000_000],
  ['event_depth', 'eventDepth', 1000],
  ['event_bytes', 'eventBytes', 2 ** 30],
];

/** The config name of a limit, for messages (`limits.yaml_nodes`). */
export function limitName(prop: keyof Limits): string {
  return `limits.${LIMIT_KEYS.find((k) => k[1] === prop)?.[0] ?? prop}`;
}

/** Complete limits from partial ones (the defaults for what is not given). */
export function limitsOf(partial: Partial<Limits> | undefined): Limits {
  return { ...DEFAULT_LIMITS, ...partial };
}
