/**
 * The match plan: a Sigma detection after parsing, with every modifier chain parsed once into a
 * typed record (modifier-chain.ts) and applied to every value as a typed matcher (pySigma's
 * vocabulary: items AND, value lists OR). The reference evaluator, the compiler, coverage,
 * fuzzing, validation and explain all consume this one structure; none of them ever splits
 * `contains|all` again.
 *
 * The plan keeps where everything was written: identifiers, items, values and the condition carry
 * the 1-based line and column of their YAML node, so every diagnostic and finding about them
 * names its place in the file without going back to the text.
 */
import type { ConditionNode } from '../condition/parse-condition.js';
import type { Pattern } from '../sigma/pattern.js';
import type { WildcardMatcher } from '../sigma/wildcard.js';
import type { RegexMatcher } from '../sigma/regex.js';
import type { SourcePos } from '../diagnostics/diagnostics.js';
import { childPath } from '../diagnostics/doc-path.js';
import type { CompareOp, ModifierChain, TimePart } from './modifier-chain.js';

export type { CompareOp, ModifierChain, TimePart };

/**
 * A string pattern that is one literal with wildcards at most at its ends, its characters ASCII
 * or caseless unless cased: matching may then compare the folded text (case-fold.ts) instead of
 * running the regex (same result, §5.2).
 */
export interface LiteralShape {
  mode: 'eq' | 'startswith' | 'endswith' | 'contains';
  /** The literal, lowercased unless the matcher is cased. */
  text: string;
}

/** A matcher for one rule value. Tagged by `kind`; `anyOf` is an expansion (windash, base64offset, placeholders). */
export type Matcher =
  /** Whole-value match of a string pattern against the value rendered as text (§4, §5). */
  | {
      kind: 'string';
      pattern: Pattern;
      cased: boolean;
      /** The whole-value matcher (linear in the text; built on first use). */
      wildcard: WildcardMatcher;
      literal?: LiteralShape;
      /** Set when no pure-ASCII text can match (a literal character outside ASCII; see needsNonAscii). */
      nonAscii?: true;
    }
  /** A YAML number used as a number: numeric equality (§4). */
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  /** Matches an absent field or JSON null (§4). */
  | { kind: 'null' }
  /** `re`: an unanchored search (§7.7). */
  /** `source` as the rule wrote it; `expanded`: after placeholder expansion (what the regex runs). */
  | { kind: 're'; regex: RegexMatcher; source: string; expanded: string }
  | { kind: 'cidr'; family: 4 | 6; network: bigint; prefix: number; text: string }
  /** gt/gte/lt/lte, or equality (`op: 'eq'`) of a timestamp part (§7.9, §7.14). */
  | { kind: 'compare'; op: CompareOp | 'eq'; value: number; part?: TimePart }
  | { kind: 'exists'; value: boolean }
  /** `fieldref` (§7.12): compare with another field of the same event. */
  | { kind: 'fieldref'; field: string; mode: 'eq' | 'startswith' | 'endswith' | 'contains'; cased: boolean }
  | { kind: 'anyOf'; members: Matcher[] };

/** One value of a detection item: what the author wrote and what it became. */
export interface PlanValue {
  /** The value as written in the rule (source text of scalars). */
  source: string;
  matcher: Matcher;
  /** Where the value is written (always set by the planner; hand-built plans may omit it). */
  pos?: SourcePos;
}

/** A detection item: `field|mods: values`, or a keyword item when `field` is null. */
export interface PlanItem {
  /** Unique within the rule, in document order. */
  id: number;
  /** The search identifier it belongs to. */
  identifier: string;
  /** null for keyword (field-less) searches (§6). */
  field: string | null;
  /**
   * The field as the rule writes it, when a processing pipeline mapped it to `field` (the event
   * field the item reads). Explanations name both; generators pick values by this name.
   */
  ruleField?: string | null;
  /** Set when a processing pipeline rewrote the values (replace_string, placeholders): they are not as the rule writes them. */
  pipelineValues?: true;
  /** The modifier chain, parsed (shared, immutable; `chain.text` is the chain as written). */
  chain: ModifierChain;
  /** AND-linked values (`all`), else OR: `chain.all`, here for the evaluators' loops. */
  all: boolean;
  /** `neq`: the item is the negation of the value test (§7.10): `chain.neq`, as `all`. */
  neq: boolean;
  values: PlanValue[];
  /** Logical address, e.g. `detection.filter[1].Image`. */
  path: string;
  /** The values were written as a YAML list (even of one): value k's path is then `path[k]` (see valuePath). */
  list: boolean;
  /** Where the item's key is written (`Image|endswith:`), or its value for a key-less keyword item. */
  pos?: SourcePos;
  /** Set when the item is written in another file than the rule: a filter's item composed into the rule (its file). */
  file?: string;
}

/** The logical address of an item's k-th value: `path[k]` when the values are a list, else the item's path. */
export function valuePath(item: PlanItem, k: number): string {
  return item.list ? childPath(item.path, k) : item.path;
}

/**
 * The body of a search identifier: AND of items (a map), OR of alternatives (a list). `allOf` is
 * the AND of a map one of whose items a processing pipeline replaced by alternatives (a field
 * mapped to several fields: any of them may hold the value).
 */
export type SearchNode =
  | { kind: 'and'; items: PlanItem[] }
  | { kind: 'allOf'; children: SearchNode[] }
  | { kind: 'or'; children: SearchNode[] }
  | { kind: 'item'; item: PlanItem };

/** The field an item reads as the rule names it (before a pipeline's mapping); null for keywords. */
export function ruleFieldOf(item: PlanItem): string | null {
  return item.ruleField !== undefined ? item.ruleField : item.field;
}

export interface PlanIdentifier {
  name: string;
  body: SearchNode;
  path: string;
  /** Where the identifier's key is written. */
  pos?: SourcePos;
  /** Set when the identifier comes from a Sigma filter composed into the rule (src/correlation/filters.ts). */
  filter?: FilterOrigin;
}

/** The filter document an identifier of a rule's plan comes from. */
export interface FilterOrigin {
  /** The filter file (as loaded). */
  file: string;
  /** 0-based index of the filter's YAML document in its file. */
  document: number;
  title: string;
  id?: string;
  /** The identifier's name in the filter (`selection`); in the rule it is named after the filter. */
  identifier: string;
}

/** A stage (§ trace): 0 is the condition; then each identifier the condition uses, in order. */
export interface PlanStage {
  index: number;
  /** `condition` for stage 0, else the identifier name. */
  name: string;
  /** True when the identifier sits under a top-level `not` conjunct (an exclusion). */
  exclusion: boolean;
}

/** What a rule means, ready to evaluate: its stages, search identifiers, detection items and parsed condition. */
export interface MatchPlan {
  identifiers: PlanIdentifier[];
  /** The condition tree, with `1 of`/`all of` targets left for resolution at evaluation. */
  condition: ConditionNode;
  /** The condition as written (list conditions are joined with ` or `). */
  conditionText: string;
  /** Where the condition's value is written. */
  conditionPos?: SourcePos;
  stages: PlanStage[];
  /** Every item of the plan in document order (index = item id). */
  items: PlanItem[];
  /** Identifiers each `of` target resolves to, by target text. */
  targets: Record<string, string[]>;
  /** The rule's own plan, when Sigma filters were composed into this one (src/correlation/filters.ts). */
  unfiltered?: MatchPlan;
}
