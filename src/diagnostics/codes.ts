/**
 * The registry of every code sigmatest reports: diagnostics of loaders and readers, rule
 * validation, fuzz findings and gate messages. Each code has a group (the part of sigmatest that
 * reports it), a default severity and a one-line description.
 *
 * - {@link DiagnosticCode} is derived from it: `diagnostic(code, …)` accepts registered codes only.
 * - `test/codes.test.ts` fails on a code literal in `src/` that is not registered here, and on a
 *   registered code that no source file uses.
 * - The README's list of codes is generated from it (`npm run docs:codes`, between the
 *   `<!-- codes:start -->` and `<!-- codes:end -->` markers); a test keeps both equal.
 * - The config file's `gate: severities:` keys on it: only codes of the `validation` group can be
 *   raised, lowered or switched off there.
 *
 * A code is stable: tests, CI annotations and users key on it. Add new ones here first.
 */

/** How serious a problem is: errors fail the command or the check, warnings are reported only, info is for the curious. */
export type Severity = 'error' | 'warning' | 'info';

/** A severity the config may set for a code (`off` drops it). */
export type SeverityOverride = Severity | 'off';

/** What reports a code; also the sections of the README's list of codes. */
export type CodeGroup = 'input' | 'yaml' | 'rule' | 'correlation' | 'filter' | 'validation' | 'case' | 'event' | 'logsource' | 'pipeline' | 'config' | 'known-fp' | 'fuzz' | 'gate';

/** One registered code. */
export interface CodeInfo {
  readonly group: CodeGroup;
  /** The severity it is reported with unless the caller or the config says otherwise. */
  readonly severity: Severity;
  /** One line: what the code means. */
  readonly description: string;
}

/** The groups in README order, each with its heading. */
export const CODE_GROUPS: Readonly<Record<CodeGroup, string>> = {
  input: 'Input paths',
  yaml: 'YAML',
  rule: 'Loading rules',
  correlation: 'Correlation rules',
  filter: 'Sigma filters',
  validation: 'Rule validation (`gate`; severities configurable)',
  case: 'Case files',
  event: 'Event files',
  logsource: 'Logsource mapping files',
  pipeline: 'Processing pipelines',
  config: 'Config file',
  'known-fp': 'Known false positives',
  fuzz: 'Fuzz findings',
  gate: 'Merge gate',
};

/** Every code sigmatest reports (see the file comment). */
export const CODES = {
  // Input paths.
  PATH_NOT_FOUND: { group: 'input', severity: 'error', description: 'a rule file or folder named on the command line does not exist' },
  PATH_UNREADABLE: { group: 'input', severity: 'error', description: 'a folder or file under the given paths cannot be listed or examined (permission denied, a path longer than the system allows, a broken symbolic link), or a named path is a FIFO or device' },
  PATH_LINK_LOOP: { group: 'input', severity: 'warning', description: 'a symbolic link back to a folder being walked; it is not followed again (its files are listed once)' },
  PATH_NOT_REGULAR: { group: 'input', severity: 'warning', description: 'a FIFO, device or socket with a rule, case or event file name in a folder; it is not read (it would block or never end)' },
  FILE_UNREADABLE: { group: 'input', severity: 'error', description: 'a rule file cannot be read' },

  // YAML (rules, case files, known-FP files).
  YAML_SYNTAX: { group: 'yaml', severity: 'error', description: 'the text is not valid YAML' },
  YAML_TAG: { group: 'yaml', severity: 'error', description: "an unsupported YAML tag, or one that does not fit its value ('!!int abc')" },
  YAML_COMPLEX_KEY: { group: 'yaml', severity: 'error', description: 'a mapping key that is not a scalar' },
  YAML_DUPLICATE_KEY: { group: 'yaml', severity: 'error', description: 'a key repeated in one mapping (YAML forbids it; Sigma never lets the last one win)' },
  YAML_ALIAS: { group: 'yaml', severity: 'error', description: 'an alias (`*name`) with no anchor of that name' },
  YAML_LIMIT: { group: 'yaml', severity: 'error', description: 'a YAML document over a limit: more nodes than `limits.yaml_nodes` once its aliases are expanded, or nested deeper than `limits.yaml_depth`; the alias that crosses it is not expanded' },

  // Loading rules: documents, detection, values, modifiers, conditions.
  RULE_EMPTY: { group: 'rule', severity: 'error', description: 'the rule file holds no YAML document' },
  RULE_LOAD_FAILED: { group: 'rule', severity: 'error', description: 'loading a rule document failed unexpectedly (an internal error, or a resource exhausted); the document is skipped and the other rules load' },
  RULE_MATCH_FAILED: { group: 'rule', severity: 'error', description: 'a rule failed while matching an event (an internal error, or a resource exhausted); it does not match that event, and the other rules and events go on' },
  RULE_NOT_MAPPING: { group: 'rule', severity: 'error', description: 'a document of the rule file is not a mapping' },
  RULE_DETECTION_INVALID: { group: 'rule', severity: 'error', description: "'detection' is not a mapping" },
  RULE_NO_SEARCH: { group: 'rule', severity: 'error', description: "'detection' has no search identifier besides 'condition'" },
  SEARCH_EMPTY: { group: 'rule', severity: 'error', description: 'a search identifier that is empty (an empty mapping or list, or null)' },
  IDENTIFIER_NAME: { group: 'rule', severity: 'warning', description: 'a search identifier with characters outside [A-Za-z0-9_-]: no condition can refer to it' },
  VALUE_MAP: { group: 'rule', severity: 'error', description: 'a field value (or a member of a value list) that is a mapping' },
  VALUE_NESTED_LIST: { group: 'rule', severity: 'error', description: 'a value list that contains a list' },
  VALUE_LIST_EMPTY: { group: 'rule', severity: 'error', description: 'an empty value list (write null to test for an absent field)' },
  VALUE_NULL_IN_LIST: { group: 'rule', severity: 'error', description: 'null mixed with other values in a list' },
  MODIFIER_UNKNOWN: { group: 'rule', severity: 'error', description: 'a modifier Sigma does not define' },
  MODIFIER_INVALID: { group: 'rule', severity: 'error', description: "a modifier chain that does not fit together or does not fit its value (a regex flag without 're', 'gt' on text, 'base64' on a wildcard...)" },
  MODIFIER_ALL_SINGLE: { group: 'rule', severity: 'error', description: "'all' on a single value: there is nothing to AND together" },
  VALUE_LIMIT: { group: 'rule', severity: 'error', description: 'a rule value that its modifiers turn into more patterns than `limits.value_alternatives` (base64offset, windash before an encoding, expand placeholders)' },
  MODIFIER_WARNING: { group: 'rule', severity: 'warning', description: 'a legal modifier use that is probably a mistake (base64offset of a single byte matches everything)' },
  REGEX_INVALID: { group: 'rule', severity: 'error', description: 'a |re pattern that is not a valid regular expression, or uses syntax JavaScript would misread' },
  REGEX_CATASTROPHIC: { group: 'rule', severity: 'error', description: 'a |re pattern of catastrophic backtracking shape that the linear-time engine cannot run' },
  REGEX_BACKTRACKING_RISK: { group: 'rule', severity: 'warning', description: 'a |re pattern with nested unbounded quantifiers; V8 bounds its backtracking' },
  CIDR_INVALID: { group: 'rule', severity: 'error', description: 'a |cidr value that is not an IPv4 or IPv6 network' },
  RULE_SKIPPED: { group: 'rule', severity: 'warning', description: 'a rule skipped on purpose: its placeholders have no values and `--placeholders skip` (config `unresolved_placeholders: skip`) is set; counted and named, never passing' },
  PLACEHOLDER_UNRESOLVED: { group: 'rule', severity: 'error', description: "a `%name%` placeholder under |expand with no values under the config's `placeholders:`" },
  CONDITION_EMPTY: { group: 'rule', severity: 'error', description: 'the condition is empty' },
  CONDITION_SYNTAX: { group: 'rule', severity: 'error', description: 'the condition does not parse' },
  CONDITION_PIPE_AGGREGATION: { group: 'rule', severity: 'error', description: "the condition uses the obsolete pipe aggregation syntax ('| count() > 5')" },
  CONDITION_LIMIT: { group: 'rule', severity: 'error', description: "the condition nests deeper than `limits.condition_depth` (parentheses and 'not')" },
  CONDITION_UNDEFINED_IDENTIFIER: { group: 'rule', severity: 'error', description: 'the condition names a search identifier that does not exist' },
  CONDITION_PATTERN_EMPTY: { group: 'rule', severity: 'warning', description: '`1 of x*` or `all of x*` matches no search identifier' },
  PIPELINE_DETECTION_EMPTY: { group: 'rule', severity: 'error', description: 'a processing pipeline dropped every detection item the condition uses: nothing is left to match' },

  // Correlation rules: documents, references, and the events they count.
  CORRELATION_INVALID: { group: 'correlation', severity: 'error', description: "a correlation document of the wrong shape: no title, 'correlation' not a mapping, an unknown key in it, a bad 'generate' or 'name'" },
  CORRELATION_TYPE_UNKNOWN: { group: 'correlation', severity: 'error', description: "'correlation.type' is missing or not one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile" },
  CORRELATION_RULES_INVALID: { group: 'correlation', severity: 'error', description: "'correlation.rules' is missing, empty, not a list of rule ids or names, or names one rule twice" },
  CORRELATION_RULE_UNKNOWN: { group: 'correlation', severity: 'error', description: 'a rule reference (in rules or aliases) that resolves to no loaded detection or correlation rule by id or name' },
  CORRELATION_RULE_AMBIGUOUS: { group: 'correlation', severity: 'error', description: 'a rule reference that is the id or name of several loaded rules' },
  CORRELATION_CYCLE: { group: 'correlation', severity: 'error', description: 'chained correlations that refer to each other in a cycle (or a correlation that refers to itself)' },
  CORRELATION_TIMESPAN_INVALID: { group: 'correlation', severity: 'error', description: "'timespan' is missing or not a positive whole number followed by s, m, h, d (or w, M, y)" },
  CORRELATION_CONDITION_INVALID: { group: 'correlation', severity: 'error', description: "a bad 'condition': missing where the type needs one, an unknown key, a threshold that is not a number, no 'field' for a value type (or one for another type), a percentile outside 0-100, an empty range" },
  CORRELATION_GROUP_BY_INVALID: { group: 'correlation', severity: 'error', description: "'group-by' is not a list of field or alias names, or names one twice" },
  CORRELATION_GROUP_BY_MISSING: { group: 'correlation', severity: 'warning', description: "no 'group-by' (the specification requires it): every event falls into one group" },
  CORRELATION_ALIAS_INVALID: { group: 'correlation', severity: 'error', description: "a bad 'aliases' entry: not a mapping of rule names to fields, a rule the correlation does not refer to, or an alias used in group-by that does not map every referred rule" },
  CORRELATION_ALIAS_UNUSED: { group: 'correlation', severity: 'warning', description: "an alias that 'group-by' does not use: it changes nothing" },
  CORRELATION_EVENT_TIME: { group: 'correlation', severity: 'error', description: 'an event a correlation counts has no usable time (none of the time fields, or a value that is neither ISO 8601 nor epoch seconds or milliseconds); it is not counted' },
  CORRELATION_EVENT_LATE: { group: 'correlation', severity: 'warning', description: 'events older than the out-of-order tolerance allows (earlier than events already counted); they are not counted' },
  CORRELATION_VALUE_NOT_NUMERIC: { group: 'correlation', severity: 'warning', description: "events whose 'field' is missing or not a number, for value_sum, value_avg or value_percentile; they are not counted" },
  CORRELATION_STATE_LIMIT: { group: 'correlation', severity: 'warning', description: 'a correlation had more open groups than max_groups allows; the oldest were dropped uncounted' },

  // Sigma filters (global exclusions).
  FILTER_INVALID: { group: 'filter', severity: 'error', description: "a filter document of the wrong shape: no title or logsource, 'filter' not a mapping, no rules, selection or condition, a condition that is not one string" },
  FILTER_RULE_UNKNOWN: { group: 'filter', severity: 'warning', description: "a rule the filter names (by id or name) is not among the loaded rules; the filter is applied to the others" },
  FILTER_LOGSOURCE_MISMATCH: { group: 'filter', severity: 'warning', description: "the filter names a rule whose logsource does not have the filter's category, product and service; it is not applied to that rule" },
  FILTER_CONDITION_NO_NOT: { group: 'filter', severity: 'warning', description: "a filter condition without 'not': composed as `(rule condition) and (filter condition)`, it keeps only the events it selects instead of excluding them" },

  // Rule validation (validateRules, the gate's validate check).
  RULE_TITLE_MISSING: { group: 'validation', severity: 'error', description: "the rule has no 'title' (also a load error)" },
  RULE_TITLE_INVALID: { group: 'validation', severity: 'error', description: "'title' is not a non-empty string of at most 256 characters (also a load error)" },
  RULE_ID_MISSING: { group: 'validation', severity: 'error', description: "the rule has no 'id' (a UUID identifies it across renames)" },
  RULE_ID_INVALID: { group: 'validation', severity: 'error', description: "'id' is not a UUID (also a load error)" },
  RULE_ID_DUPLICATE: { group: 'validation', severity: 'error', description: 'another rule of the rule tree has the same id' },
  RULE_TITLE_DUPLICATE: { group: 'validation', severity: 'warning', description: 'another rule of the rule tree has the same title' },
  RULE_STATUS_MISSING: { group: 'validation', severity: 'warning', description: "the rule has no 'status'" },
  RULE_STATUS_INVALID: { group: 'validation', severity: 'error', description: "'status' is not one of stable, test, experimental, deprecated, unsupported (also a load error)" },
  RULE_LEVEL_MISSING: { group: 'validation', severity: 'warning', description: "the rule has no 'level'" },
  RULE_LEVEL_INVALID: { group: 'validation', severity: 'error', description: "'level' is not one of informational, low, medium, high, critical (also a load error)" },
  RULE_DESCRIPTION_MISSING: { group: 'validation', severity: 'warning', description: "the rule has no 'description' (or it is not text)" },
  RULE_AUTHOR_MISSING: { group: 'validation', severity: 'warning', description: "the rule has no 'author' (or it is not text)" },
  RULE_DATE_MISSING: { group: 'validation', severity: 'warning', description: "the rule has no 'date'" },
  RULE_DATE_INVALID: { group: 'validation', severity: 'error', description: "'date' is not a valid YYYY-MM-DD date" },
  RULE_MODIFIED_INVALID: { group: 'validation', severity: 'error', description: "'modified' is not a valid YYYY-MM-DD date" },
  RULE_MODIFIED_BEFORE_DATE: { group: 'validation', severity: 'error', description: "'modified' is earlier than 'date'" },
  RULE_LOGSOURCE_MISSING: { group: 'validation', severity: 'error', description: "the rule has no 'logsource' (also a load error)" },
  RULE_LOGSOURCE_INVALID: { group: 'validation', severity: 'error', description: "'logsource' is not a mapping with category, product or service (also a load error)" },
  RULE_LOGSOURCE_UNKNOWN: { group: 'validation', severity: 'warning', description: 'the logsource mapping does not know the logsource: the rule is run against every event' },
  RULE_DETECTION_MISSING: { group: 'validation', severity: 'error', description: "the rule has no 'detection' mapping (also a load error)" },
  RULE_CONDITION_MISSING: { group: 'validation', severity: 'error', description: "'detection' has no 'condition' (also a load error)" },
  RULE_REFERENCES_INVALID: { group: 'validation', severity: 'error', description: "'references' is not a list of strings" },
  RULE_FALSEPOSITIVES_INVALID: { group: 'validation', severity: 'error', description: "'falsepositives' is not a list of strings" },
  RULE_TAGS_INVALID: { group: 'validation', severity: 'error', description: "'tags' is not a list of strings" },
  TAG_UPPERCASE: { group: 'validation', severity: 'error', description: 'a tag has uppercase letters; tags are lowercase' },
  TAG_DUPLICATE: { group: 'validation', severity: 'warning', description: 'the same tag is listed twice' },
  TAG_ATTACK_UNDERSCORE: { group: 'validation', severity: 'error', description: 'an ATT&CK tactic written with underscores (attack.defense_evasion); SigmaHQ uses hyphens' },
  TAG_ATTACK_TACTIC_UNKNOWN: { group: 'validation', severity: 'warning', description: 'an attack.* tag that reads like a tactic name (letters and hyphens) but names none of the current ATT&CK tactics (attack.defence-evasion)' },
  TAG_ATTACK_INVALID: { group: 'validation', severity: 'error', description: 'an attack.* tag that is neither a technique (t1234, t1234.001), group (g1234), software (s1234), data source (ds1234) nor a tactic name' },
  TAG_CVE_INVALID: { group: 'validation', severity: 'error', description: 'a cve.* tag not of the form cve.2021-44228' },
  TAG_CAR_INVALID: { group: 'validation', severity: 'error', description: 'a car.* tag not of the form car.2016-04-005' },
  TAG_DETECTION_INVALID: { group: 'validation', severity: 'error', description: 'a detection.* tag other than dfir, emerging-threats, threat-hunting' },
  TAG_TLP_INVALID: { group: 'validation', severity: 'warning', description: 'a tlp.* tag other than red, amber, amber-strict, green, clear' },
  TAG_STP_INVALID: { group: 'validation', severity: 'warning', description: 'an stp.* tag not of the form stp.1 to stp.5, optionally followed by a, u or k' },
  TAG_NAMESPACE_UNKNOWN: { group: 'validation', severity: 'warning', description: 'a tag outside the namespaces SigmaHQ allows (attack, car, cve, detection, stp, tlp)' },
  MODIFIER_ALL_SINGLE_VALUE: { group: 'validation', severity: 'warning', description: "'all' on a single value ANDs nothing (the loader already rejects it as MODIFIER_ALL_SINGLE)" },
  MODIFIER_WINDASH_ALL: { group: 'validation', severity: 'warning', description: "'windash' combined with 'all': legal, but converters disagree on it and SigmaHQ never uses it" },
  WILDCARD_INSTEAD_OF_MODIFIER: { group: 'validation', severity: 'warning', description: 'a value `*x*`, `x*` or `*x` without a modifier: write |contains, |startswith or |endswith' },
  WILDCARD_REDUNDANT: { group: 'validation', severity: 'warning', description: "a wildcard at the end a contains/startswith/endswith already covers, or one that changes the modifier's meaning" },
  PATH_SINGLE_WILDCARD: { group: 'validation', severity: 'warning', description: '`?` in a path-like field matches any one character; escape it as `\\?` if it is literal' },
  VALUE_ESCAPED_WILDCARD: { group: 'validation', severity: 'warning', description: '`\\*` is an escaped (literal) star, not a wildcard: flagged in path-like fields, and elsewhere when it ends a Windows path (`C:\\Temp\\*`); write `\\\\*` for a folder followed by a wildcard' },

  // Case files.
  CASE_FILE_UNREADABLE: { group: 'case', severity: 'error', description: 'a case file cannot be read' },
  CASE_FILE_INVALID: { group: 'case', severity: 'error', description: "a case file that is not one mapping with 'rule' and a non-empty 'cases' list (and, optionally, a non-empty 'properties' list), or has an unknown key" },
  CASE_INVALID: { group: 'case', severity: 'error', description: 'a case of the wrong shape: no name, a repeated name, a bad expect, stages, event, events, events_file, count, alerts or known_gap, or alerts on a detection rule (or their absence on a correlation)' },
  CASE_RULE_MISSING: { group: 'case', severity: 'error', description: "a case file without 'rule' (a rule id or a path relative to the case file)" },
  CASE_RULE_UNKNOWN: { group: 'case', severity: 'error', description: "the case file's rule is not among the loaded rules" },
  CASE_RULE_AMBIGUOUS: { group: 'case', severity: 'error', description: "the case file's rule id is the id of several loaded rules" },
  CASE_STAGE_UNKNOWN: { group: 'case', severity: 'error', description: 'a case or a property expects a stage the rule does not have' },
  CASE_EVENTS_UNREADABLE: { group: 'case', severity: 'error', description: "a case's events_file cannot be read or holds bad events" },
  CASE_EVENTS_EMPTY: { group: 'case', severity: 'error', description: "a case's events_file holds no events: the case would check nothing" },
  CASE_PROPERTIES_UNSUPPORTED: { group: 'case', severity: 'error', description: "a correlation rule's case file with properties: properties build single events, a correlation needs a sequence of them; they would not run (write cases with events and alerts)" },
  CASE_GROUP_UNKNOWN: { group: 'case', severity: 'error', description: "a correlation case expects an alert group with a field that is not in the correlation's group-by" },
  CASE_PATH_OUTSIDE: { group: 'case', severity: 'error', description: "an events_file, rule or pipeline path of a case file that is absolute, leads out of the case file's root (`..`, a symbolic link) or names a device, FIFO or folder: it is not read" },
  PROPERTY_INVALID: { group: 'case', severity: 'error', description: "a property of the wrong shape: no name, a repeated name, a bad expect, runs, stages, event, mutate or known_gap, both or neither of 'from' and 'event', an unknown key" },
  PROPERTY_FROM_UNKNOWN: { group: 'case', severity: 'error', description: "a property's 'from' names no case of its file with a single 'event'" },
  PROPERTY_OPERATOR_UNKNOWN: { group: 'case', severity: 'error', description: 'a mutate operator that generators/ does not know' },
  PROPERTY_GENERATOR_UNKNOWN: { group: 'case', severity: 'error', description: 'a {gen: KIND} expression whose kind generators/ does not know' },
  PROPERTY_OPTION_INVALID: { group: 'case', severity: 'error', description: 'a generator option the kind does not take, options that contradict each other or that no value satisfies' },
  PROPERTY_MUTATION_INVALID: { group: 'case', severity: 'error', description: "an operator that cannot vary the base value (respell of a value that is no registry key, a field the base event lacks)" },

  // Event files.
  EVENT_PATH_NOT_FOUND: { group: 'event', severity: 'error', description: 'an event file or folder named on the command line does not exist' },
  EVENT_FILE_UNREADABLE: { group: 'event', severity: 'error', description: 'an event file or folder cannot be read, or reading it stopped' },
  EVENT_INVALID_JSON: { group: 'event', severity: 'error', description: 'text in a JSON event file that is not JSON (the reader carries on after it)' },
  EVENT_NOT_OBJECT: { group: 'event', severity: 'error', description: 'a JSON value in an event file that is not an object' },
  EVENT_TOO_DEEP: { group: 'event', severity: 'error', description: 'an event nested more than `limits.event_depth` (100) objects and arrays deep; it is skipped and the rest of the file is read' },
  EVENT_TOO_LARGE: { group: 'event', severity: 'error', description: 'an event larger than `limits.event_bytes` (16 MiB; bytes of a JSON Lines line, characters of other JSON); it is skipped, never held whole, and the rest of the file is read' },
  EVTX_NOT_EVTX: { group: 'event', severity: 'error', description: 'an .evtx file without the EVTX file signature, or too short' },
  EVTX_HEADER_CORRUPT: { group: 'event', severity: 'warning', description: 'the EVTX file header checksum does not match; the chunks are read anyway' },
  EVTX_CHUNK_CORRUPT: { group: 'event', severity: 'warning', description: 'an EVTX chunk with a bad signature or checksum; it is skipped' },
  EVTX_CHUNK_ZEROED: { group: 'event', severity: 'warning', description: "an all-zero EVTX chunk before a chunk in use or within the header's chunk count: wiped, its records are lost" },
  EVTX_RECORD_CORRUPT: { group: 'event', severity: 'warning', description: 'an EVTX record that cannot be decoded; it is skipped' },

  // Logsource mapping files.
  LOGSOURCE_FILE_UNREADABLE: { group: 'logsource', severity: 'error', description: 'the logsource mapping file cannot be read' },
  LOGSOURCE_YAML_INVALID: { group: 'logsource', severity: 'error', description: 'the logsource mapping file is not valid YAML' },
  LOGSOURCE_MAPPING_INVALID: { group: 'logsource', severity: 'error', description: 'a logsource mapping entry of the wrong shape' },
  LOGSOURCE_MAPPING_UNKNOWN_KEY: { group: 'logsource', severity: 'warning', description: 'an unknown key in a logsource mapping file; it is ignored' },
  LOGSOURCE_MAPPING_DUPLICATE: { group: 'logsource', severity: 'warning', description: 'a logsource defined twice in one mapping file; the later entry replaces the earlier one' },

  // Processing pipelines (--pipeline, pipeline: in the config and case files).
  PIPELINE_NOT_FOUND: { group: 'pipeline', severity: 'error', description: 'a --pipeline (or pipeline:) that is neither a file nor a built-in pipeline name' },
  PIPELINE_UNREADABLE: { group: 'pipeline', severity: 'error', description: 'a pipeline file cannot be read' },
  PIPELINE_INVALID: { group: 'pipeline', severity: 'error', description: 'a pipeline of the wrong shape: an unknown key or parameter, a missing one, a bad value, regex or condition expression' },
  PIPELINE_TRANSFORMATION_UNSUPPORTED: { group: 'pipeline', severity: 'error', description: 'a transformation type sigmatest does not apply (named, with its place); the pipeline is not used' },
  PIPELINE_CONDITION_UNSUPPORTED: { group: 'pipeline', severity: 'error', description: 'a rule, detection item or field name condition type sigmatest does not know' },
  PIPELINE_PART_IGNORED: { group: 'pipeline', severity: 'warning', description: "a pipeline's postprocessing or finalizers: they shape query text, which sigmatest never writes" },
  PIPELINE_APPLY_FAILED: { group: 'pipeline', severity: 'error', description: 'a pipeline cannot be applied to a rule (a placeholder without a variable, a value it cannot transform); the rule is not loaded' },

  // The config file.
  CONFIG_UNREADABLE: { group: 'config', severity: 'error', description: 'the config file named with --config does not exist or cannot be read' },
  CONFIG_INVALID: { group: 'config', severity: 'error', description: 'the config file is not one mapping, or a setting has the wrong type or range, or a code under gate.severities is not a validation or fuzz code' },
  CONFIG_KEY_UNKNOWN: { group: 'config', severity: 'warning', description: 'an unknown key in the config file, or an unknown code under gate.severities; it is ignored' },

  // Known false positives.
  KNOWN_FP_UNREADABLE: { group: 'known-fp', severity: 'error', description: 'the known false-positive file cannot be read' },
  KNOWN_FP_INVALID: { group: 'known-fp', severity: 'error', description: "a known false-positive entry without rule, field or reason, with an unknown key or a bad date, or a file of the wrong shape" },
  KNOWN_FP_EXPIRED: { group: 'known-fp', severity: 'warning', description: 'a known false-positive entry past its expires date: its matches are reported again' },

  // Fuzz findings (sigmatest fuzz, the gate's fuzz check).
  RULE_UNSATISFIABLE: { group: 'fuzz', severity: 'error', description: 'no event can make the rule match (with the field whose requirements conflict)' },
  PROPERTY_FAILED: { group: 'fuzz', severity: 'error', description: 'the engine disagrees with the oracle on a realised value (an engine bug)' },
  EXCLUSION_DEAD: { group: 'fuzz', severity: 'warning', description: 'an exclusion that is never true on an event the rest of the rule matches (it contradicts the selection, or another exclusion always covers it)' },
  EXCLUSION_EVADABLE: { group: 'fuzz', severity: 'warning', description: 'an exclusion on a path-like field that also hides an attacker-controllable variant: the excluded file name in a user-writable folder, on another drive, under a look-alike `Windows ` folder, a look-alike or prefixed name; the example event is the one that slips through' },
  STAGE_UNREACHABLE: { group: 'fuzz', severity: 'warning', description: 'a stage whose truth never changes the verdict' },
  CLAIM_UNDECIDED: { group: 'fuzz', severity: 'info', description: 'whether an exclusion can suppress, a stage can change the verdict or the rule can match was neither shown by an event nor disproved within the budget' },
  VALUE_SHADOWED: { group: 'fuzz', severity: 'warning', description: 'a value of a list that another value of the same list covers (`\\cmd.exe` next to `cmd.exe`)' },
  FILTER_SUPPRESSES_ALL: { group: 'fuzz', severity: 'error', description: 'a Sigma filter composed into the rule suppresses every event the rule matches on its own (located in the filter file)' },

  // The merge gate.
  GATE_BASE_UNKNOWN: { group: 'gate', severity: 'error', description: 'the base ref does not name a commit (or there is no upstream, main or master to default to)' },
  GATE_NO_MERGE_BASE: { group: 'gate', severity: 'error', description: 'the base and HEAD have no common ancestor (unrelated histories, or a shallow clone: fetch more history)' },
  GATE_NO_GIT: { group: 'gate', severity: 'warning', description: 'not a git repository or git not installed: every rule file counts as added (an error when --base was given)' },
  GATE_CASE_ORPHANED: { group: 'gate', severity: 'error', description: 'a case file this change touched (or whose rule it deleted or moved) names no rule: `sigmatest run` would fail on it' },
  GATE_GIT_FAILED: { group: 'gate', severity: 'error', description: 'a git command failed unexpectedly' },
} as const satisfies Record<string, CodeInfo>;

/** Every registered code. */
export type DiagnosticCode = keyof typeof CODES;

/** The registered codes of one group. */
export type CodeOf<G extends CodeGroup> = { [K in DiagnosticCode]: (typeof CODES)[K]['group'] extends G ? K : never }[DiagnosticCode];

/** Codes of rule validation: the ones `gate: severities:` may override. */
export type ValidationCode = CodeOf<'validation'>;

/** Codes of fuzz findings. */
export type FindingCode = CodeOf<'fuzz'>;

/** Is `text` a registered code? */
export function isDiagnosticCode(text: string): text is DiagnosticCode {
  return Object.hasOwn(CODES, text);
}

/** The codes of a group, in registry order. */
export function codesOf<G extends CodeGroup>(group: G): Array<CodeOf<G>> {
  return (Object.keys(CODES) as DiagnosticCode[]).filter((c): c is CodeOf<G> => CODES[c].group === group);
}

/** A Markdown table of codes. */
function codesTable(codes: readonly DiagnosticCode[]): string[] {
  const cell = (t: string): string => t.replace(/\|/g, '\\|');
  return ['| code | severity | meaning |', '|---|---|---|', ...codes.map((c) => `| \`${c}\` | ${CODES[c].severity} | ${cell(CODES[c].description)} |`)];
}

/**
 * The Markdown list of codes: every group under its heading, or the table of one group. The
 * README holds it between `<!-- codes:start -->` (or `<!-- codes:start group=fuzz -->`) and
 * `<!-- codes:end -->`.
 */
export function codesMarkdown(group?: CodeGroup): string {
  if (group !== undefined) return codesTable(codesOf(group)).join('\n');
  const out: string[] = [];
  for (const [g, heading] of Object.entries(CODE_GROUPS) as Array<[CodeGroup, string]>) {
    const codes = codesOf(g);
    if (codes.length > 0) out.push(`**${heading}**`, '', ...codesTable(codes), '');
  }
  return out.join('\n').trimEnd();
}

const SECTION = /(<!-- codes:start(?: group=([a-z-]+))? -->)(?:(?!<!-- codes:start)[\s\S])*?(<!-- codes:end -->)/g;

/**
 * `text` (the README) with every codes section rewritten from the registry; what
 * `npm run docs:codes` writes. Throws on a section naming an unknown group.
 */
export function withCodesSections(text: string): string {
  return text.replace(SECTION, (_all, start: string, group: string | undefined, end: string) => {
    if (group !== undefined && !Object.hasOwn(CODE_GROUPS, group)) throw new Error(`unknown code group '${group}' in a codes section`);
    return `${start}\n${codesMarkdown(group as CodeGroup | undefined)}\n${end}`;
  });
}
