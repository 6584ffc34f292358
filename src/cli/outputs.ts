/**
 * The output checks every command with `--out` (or another output file) makes before it works:
 * the target is none of its inputs and can be written (util/output-target.ts). A problem is a
 * usage error (exit 2) with one clear line, before anything is read or run.
 */
import { configPath } from '../config/config.js';
import { isEventFileName } from '../event-files/list-event-files.js';
import { isRuleFileName } from '../rules/load-rule.js';
import { outputConflict, outputUnwritable } from '../util/output-target.js';
import type { InputPaths } from '../util/output-target.js';
import { inCwd } from './io.js';
import type { Io } from './io.js';

/** Rule or case folders and files (YAML read from folders). */
export function yamlInputs(io: Io, paths: readonly string[]): InputPaths {
  return { paths: paths.map((p) => inCwd(io, p)), wanted: isRuleFileName };
}

/** Event folders and files. */
export function eventInputs(io: Io, paths: readonly string[]): InputPaths {
  return { paths: paths.map((p) => inCwd(io, p)), wanted: isEventFileName };
}

/** Single files (config, known false positives, reports); the config in use when `config` is the --config value. */
export function fileInputs(io: Io, files: ReadonlyArray<string | undefined>, config?: { config: string | undefined }): InputPaths {
  const paths = files.flatMap((f) => (f === undefined ? [] : [inCwd(io, f)]));
  if (config !== undefined) {
    const c = configPath(config.config, io.cwd);
    if (c !== undefined) paths.push(c);
  }
  return { paths, wanted: () => false };
}

/**
 * Why `out` (relative to io.cwd; a folder with `folder`) cannot take the report, or undefined:
 * an input of the command, or a place that cannot be written.
 */
export function outputProblem(io: Io, out: string, inputs: readonly InputPaths[], folder = false): string | undefined {
  const target = inCwd(io, out);
  return outputConflict(target, inputs, { folder }) ?? outputUnwritable(target, { folder });
}
