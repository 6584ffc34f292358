/**
 * The compiled program in `dist/`, for tests that must run it outside vitest (worker threads,
 * child processes, the installed command): rebuilt with tsc when a source file is newer than
 * its compiled file. Returns why it is unusable (the caller skips with that message), or
 * undefined when dist/ is current.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(REPO_ROOT, 'dist');

/** Source files (not tests) whose compiled file is missing or older. */
function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
        const js = join(DIST, relative(REPO_ROOT, p)).replace(/\.ts$/, '.js');
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(p).mtimeMs) stale.push(relative(REPO_ROOT, p));
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  walk(join(REPO_ROOT, 'generators'));
  return stale;
}

let checked: { reason: string | undefined } | undefined;

/** Makes dist/ current (once per test file); the reason it cannot be used, or undefined. */
export function prepareDist(): string | undefined {
  if (checked !== undefined) return checked.reason;
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const stale = staleSources();
  if (stale.length > 0 && existsSync(tsc)) {
    console.info(`dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}…): rebuilding with tsc`);
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
    } catch {
      // Type errors elsewhere still emit JavaScript (noEmitOnError is off); what matters is below.
    }
  }
  const left = staleSources();
  const reason =
    !existsSync(join(DIST, 'src', 'cli', 'main.js'))
      ? `no compiled program in ${DIST}: run 'npm run build'`
      : left.length > 0
        ? `dist/ is stale (${left.slice(0, 3).join(', ')}): run 'npm run build'`
        : undefined;
  checked = { reason };
  return reason;
}
