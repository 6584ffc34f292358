/**
 * The environment every command runs in: the config file (placeholders, extra logsource mapping,
 * processing pipelines), the logsource mapping it yields (built-in, merged with the config's
 * file) and the processing pipeline rules are loaded through (the config's `pipeline:` and the
 * command's `--pipeline`, combined by priority). Loaded the same way by the CLI, the vitest route
 * and each scan worker.
 */
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { loadConfig } from './config.js';
import type { Config } from './config.js';
import { builtinMapping, loadLogsourceMapping, mergeMappings } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { pushAll } from '../util/arrays.js';
import { loadPipelines } from '../pipeline/pipeline.js';
import type { ResolvedPipeline } from '../pipeline/pipeline.js';
import type { LoadOptions, RuleFileLoader } from '../rules/load-rule.js';

/** What a command runs in: the config, the logsource mapping and pipeline it yields, and the problems met loading them. */
export interface Environment {
  config: Config;
  mapping: LogsourceMapping;
  /** The processing pipeline rules are loaded through; undefined when none is named. */
  pipeline?: ResolvedPipeline | undefined;
  /** The pipelines as named on the command line (`--pipeline`), relative to the command's folder: scan workers load them again. */
  pipelineArgs: string[];
  diagnostics: Diagnostic[];
}

/** Options of {@link loadEnvironment}. */
export interface EnvironmentOptions {
  /** Pipelines named on the command line (`--pipeline`): built-in names or paths relative to `cwd`; applied with the config's. */
  pipelines?: readonly string[] | undefined;
  /** `--placeholders error|skip`: overrides the config's `unresolved_placeholders`. */
  placeholders?: 'error' | 'skip' | undefined;
}

/**
 * Loads the config file, the logsource mapping and the pipelines it names. `configFile` is
 * resolved against `cwd`; without it, `sigmatest.config.yml` in `cwd` is used when present.
 */
export function loadEnvironment(configFile: string | undefined, cwd: string = process.cwd(), options: EnvironmentOptions = {}): Environment {
  const { config, diagnostics } = loadConfig(configFile, cwd);
  let mapping = builtinMapping;
  if (config.logsources !== undefined) {
    const extra = loadLogsourceMapping(config.logsources);
    pushAll(diagnostics, extra.diagnostics);
    mapping = mergeMappings(builtinMapping, extra.mapping);
  }
  const pipelineArgs = [...(options.pipelines ?? [])];
  const specs = [
    ...config.pipelines.map((p) => ({ spec: p.spec, cwd: p.base, where: { file: p.file, path: 'pipeline', pos: p.pos } })),
    ...pipelineArgs.map((spec) => ({ spec, cwd, where: { path: '--pipeline' } })),
  ];
  if (options.placeholders !== undefined) config.unresolvedPlaceholders = options.placeholders;
  const env: Environment = { config, mapping, pipelineArgs, diagnostics };
  if (specs.length > 0) {
    const loaded = loadPipelines(specs);
    pushAll(diagnostics, loaded.diagnostics);
    env.pipeline = loaded.pipeline;
  }
  return env;
}

/**
 * True when a named pipeline could not be loaded: a command must not go on without it (its
 * rules would silently be tested unmapped).
 */
export function pipelineFailed(env: Environment): boolean {
  return env.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('PIPELINE_'));
}

/** How rules are loaded in an environment: the config's placeholders and limits, and the pipeline; through `cache` when given (the rule cache). */
export function ruleLoadOptions(env: Environment, cache?: RuleFileLoader): LoadOptions {
  const o: LoadOptions = { placeholders: env.config.placeholders, limits: env.config.limits };
  if (cache !== undefined) o.cache = cache;
  if (env.config.unresolvedPlaceholders !== undefined) o.unresolvedPlaceholders = env.config.unresolvedPlaceholders;
  if (env.pipeline !== undefined) o.pipeline = env.pipeline;
  return o;
}
