/**
 * `sigmatest explain`: the catalog page of a rule (src/explain/) as Markdown or JSON. Optional
 * inputs: a rule catalog for indicator corpus counts, a MITRE ATT&CK STIX bundle for technique
 * names, a config file (placeholders, logsource mapping). Bad input exits 2 with the reason: an
 * unreadable rule, a rule with errors (its diagnostics), a missing catalog path, a bad bundle.
 * A rule whose only errors are unresolved placeholders is still explained (semantics §7.13:
 * explain works on such rules), with a note.
 */
import { readFileSync } from 'node:fs';
import { EXIT, list, pipelineOption, str } from '../args.js';
import { noCacheOption, ruleCache } from '../rule-cache.js';
import type { CommandSpec, Parsed } from '../args.js';
import { inCwd, printDiagnostics, shownPath } from '../io.js';
import { loadEnvironment, ruleLoadOptions } from '../../config/environment.js';
import type { Io } from '../io.js';
import { diagnostic, hasErrors } from '../../diagnostics/diagnostics.js';
import { CODES } from '../../diagnostics/codes.js';
import type { DiagnosticCode } from '../../diagnostics/codes.js';
import { loadRuleText } from '../../rules/load-rule.js';
import type { SigmaRule } from '../../rules/load-rule.js';
import { parseAttackBundle } from '../../explain/attack.js';
import type { AttackBundle } from '../../explain/attack.js';
import { loadCatalog } from '../../explain/indicators.js';
import type { CatalogIndex } from '../../explain/indicators.js';
import { buildRulePage } from '../../explain/rule-page.js';
import { buildCorrelationPage, buildFilterPage } from '../../explain/meta-page.js';
import type { ExplainPage } from '../../explain/meta-page.js';
import { EXPLAIN_REPORTERS } from '../../report/explain/registry.js';
import { collectRuleSet } from '../../correlation/rule-set.js';
import { ruleKey } from '../../rules/rule-key.js';

/** Options and help of `sigmatest explain`. */
export const explainSpec: CommandSpec = {
  name: 'explain',
  summary: "Show a rule's page (ATT&CK coverage, events, stages, exclusions, indicators), or a correlation's or filter's.",
  usage: `explain <rule file> [--format ${EXPLAIN_REPORTERS.usage()}] [--rules <rule folders...>] [--catalog <rule folders...>] [--attack <STIX bundle>] [--config <file>]`,
  description:
    'Indicators are the values of the selections the condition uses positively, by field and kind (eq, match,\n' +
    'regex, cidr, exists, null, gt/gte/lt/lte, fieldref, keyword). With --catalog, each value shows how many other\n' +
    'rules of the catalog have the same field, kind and value (case-insensitively). With --attack (a MITRE ATT&CK\n' +
    'STIX bundle such as enterprise-attack.json), techniques are named and placed under their tactics.\n' +
    'A correlation rule gets a page of its related rules, grouping, window and condition; a filter one of its\n' +
    'logsource, the rules it applies to and the stage it becomes in each. --rules names where the rules they refer\n' +
    'to are (besides the file itself); the filters found there are also shown in the stages of a detection rule.\n' +
    'Exit 0 on success, 2 for an unreadable or invalid rule, a correlation or filter with errors (its page is still\n' +
    'shown), a missing catalog path or a bad bundle.\n\n' +
    EXPLAIN_REPORTERS.helpText('Formats (--format):'),
  options: {
    format: { type: 'string', choices: EXPLAIN_REPORTERS.names, default: EXPLAIN_REPORTERS.defaultName, help: 'output format (see Formats above)' },
    rules: { type: 'string', multiple: true, arg: '<rule folders...>', help: 'rule files or folders the correlations and filters of the file refer to (and filters to apply)' },
    catalog: { type: 'string', multiple: true, arg: '<rule folders...>', help: 'rule files or folders to count indicators in' },
    attack: { type: 'string', arg: '<STIX bundle>', help: 'MITRE ATT&CK STIX 2.x bundle (e.g. enterprise-attack.json)' },
    config: { type: 'string', arg: '<file>', help: 'sigmatest config file (placeholders, logsource mapping)' },
    pipeline: pipelineOption,
    'no-cache': noCacheOption,
  },
};

function codeGroup(code: DiagnosticCode): string {
  return CODES[code].group;
}

/** Runs `sigmatest explain`. */
export function explainCommand(args: Parsed, io: Io): number {
  const [file, ...extra] = args.positionals;
  if (file === undefined || extra.length > 0) {
    io.err(`sigmatest explain needs exactly one rule file${extra.length > 0 ? `, not ${args.positionals.length}` : ''}. See 'sigmatest explain --help'.\n`);
    return EXIT.usage;
  }
  const env = loadEnvironment(str(args.values.config), io.cwd, { pipelines: list(args.values.pipeline) });
  printDiagnostics(io, env.diagnostics);
  if (hasErrors(env.diagnostics)) return EXIT.usage;

  let attack: AttackBundle | undefined;
  const attackFile = str(args.values.attack);
  if (attackFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(inCwd(io, attackFile), 'utf8');
    } catch (e) {
      io.err(`sigmatest explain: cannot read the ATT&CK bundle ${attackFile}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    const parsed = parseAttackBundle(text);
    if ('error' in parsed) {
      io.err(`sigmatest explain: ${attackFile} is not a usable ATT&CK STIX bundle: ${parsed.error}\n`);
      return EXIT.usage;
    }
    attack = parsed;
  }

  const ruleFile = inCwd(io, file);
  let source: string;
  try {
    source = readFileSync(ruleFile, 'utf8');
  } catch (e) {
    printDiagnostics(io, [diagnostic('FILE_UNREADABLE', `cannot read the rule file: ${(e as Error).message}`, { file: ruleFile })]);
    return EXIT.usage;
  }
  const placeholders = ruleLoadOptions(env, ruleCache(args, io));
  const loaded = loadRuleText(source, ruleFile, placeholders);
  // The file with the rules its correlations and filters refer to (and the filters that apply to its rules).
  const set = collectRuleSet([ruleFile, ...list(args.values.rules).map((p) => inCwd(io, p))], placeholders);
  const own = (f: string | undefined): boolean => f !== undefined && ruleKey({ file: f, document: 0 }) === ruleKey({ file: ruleFile, document: 0 });
  const metaProblems = set.diagnostics.filter((d) => own(d.file) && !loaded.diagnostics.includes(d) && !loaded.diagnostics.some((x) => x.code === d.code && x.pos?.line === d.pos?.line && x.message === d.message));
  const filtered = new Map(set.rules.map((r) => [ruleKey(r), r]));
  const targets: Array<{ rule: SigmaRule; note?: string }> = loaded.rules.map((rule) => ({ rule: filtered.get(ruleKey(rule)) ?? rule }));
  let broken = false;
  for (const bad of loaded.invalid) {
    const errors = bad.diagnostics.filter((d) => d.severity === 'error');
    if (bad.partial !== undefined && errors.length > 0 && errors.every((d) => d.code === 'PLACEHOLDER_UNRESOLVED')) {
      targets.push({ rule: bad.partial, note: 'the rule has placeholders without configured values (PLACEHOLDER_UNRESOLVED): it cannot be evaluated, but it is explained as written' });
    } else broken = true;
  }
  printDiagnostics(io, [...loaded.diagnostics, ...metaProblems]);
  const metaErrors = metaProblems.some((d) => d.severity === 'error' && ['correlation', 'filter'].includes(codeGroup(d.code)));
  const correlations = set.correlationDocs.filter((c) => own(c.file));
  const filters = set.filters.filter((f) => own(f.file));
  if (broken || (metaErrors && correlations.length + filters.length < loaded.others.length)) {
    io.err(`sigmatest explain: ${file} has errors (above); fix them to explain the rule.\n`);
    return EXIT.usage;
  }
  targets.sort((a, b) => a.rule.document - b.rule.document);
  if (targets.length + correlations.length + filters.length === 0) {
    io.err(`sigmatest explain: ${file} holds no rule, correlation or filter.\n`);
    return EXIT.usage;
  }

  let catalog: CatalogIndex | undefined;
  const catalogPaths = list(args.values.catalog);
  if (catalogPaths.length > 0) {
    const started = process.hrtime.bigint();
    const loadedCatalog = loadCatalog(catalogPaths.map((p) => inCwd(io, p)), placeholders);
    const missing = loadedCatalog.diagnostics.filter((d) => d.code === 'PATH_NOT_FOUND');
    if (missing.length > 0) {
      printDiagnostics(io, missing);
      return EXIT.usage;
    }
    catalog = loadedCatalog.index;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    io.err(
      `explain: catalog of ${catalog.rules} rules from ${loadedCatalog.files} files` +
        `${catalog.partial > 0 ? `, ${catalog.partial} counted despite load errors` : ''}` +
        `${loadedCatalog.skipped > 0 ? `, ${loadedCatalog.skipped} documents unreadable and left out` : ''}` +
        ` (${seconds.toFixed(2)} s)\n`,
    );
  }

  const pages: Array<{ document: number; page: ExplainPage }> = targets.map(({ rule, note }) => {
    const options: Parameters<typeof buildRulePage>[1] = { source, mapping: env.mapping };
    if (catalog !== undefined) options.catalog = catalog;
    if (attack !== undefined) options.attack = attack;
    const page = buildRulePage(rule, options);
    page.file = shownPath(io, page.file);
    if (note !== undefined) page.notes.unshift(note);
    return { document: rule.document, page };
  });
  const shown = (f: string | null): string | null => (f === null ? null : shownPath(io, f));
  for (const c of correlations) {
    const page = buildCorrelationPage(c, set, source);
    pages.push({ document: c.document, page: { ...page, file: shownPath(io, c.file), rules: page.rules.map((r) => ({ ...r, file: shown(r.file) })) } });
  }
  for (const f of filters) {
    const page = buildFilterPage(f, set, source);
    pages.push({ document: f.document, page: { ...page, file: shownPath(io, f.file), targets: page.targets.map((t) => ({ ...t, file: shown(t.file) })) } });
  }
  pages.sort((a, b) => a.document - b.document);
  io.out(EXPLAIN_REPORTERS.pick(str(args.values.format)).render(pages.map((p) => p.page)));
  // A correlation or filter with errors (a reference that resolves to nothing…) is shown as written, and the exit says so.
  return metaErrors ? EXIT.usage : EXIT.ok;
}
