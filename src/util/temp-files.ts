/**
 * Temporary files that must not outlive the process: the partial report of an atomic write (a
 * scan's `--out` can grow to hundreds of megabytes before it is renamed into place) and the lock
 * of a case file. Each is registered while it exists; if the process is interrupted (SIGINT,
 * SIGTERM, SIGHUP) or exits without removing it, it is removed then. After cleaning up, an
 * interrupted process ends as the signal would have ended it (the handlers are removed and the
 * signal raised again), so shells and CI see the usual status.
 *
 * The handlers are installed only while some file is registered, so a library user's own signal
 * handling is left alone otherwise.
 */
import { rmSync } from 'node:fs';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removeAll(): void {
  for (const f of live) {
    try {
      rmSync(f, { force: true });
    } catch {
      // Nothing more can be done while exiting.
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstall();
  // With no other listener left, the default action ends the process with the signal's status.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  removeAll();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

/** Registers a temporary file to remove if the process is interrupted or exits first. */
export function registerTempFile(path: string): void {
  live.add(path);
  install();
}

/** The file was renamed into place or removed: nothing to clean up for it any more. */
export function releaseTempFile(path: string): void {
  live.delete(path);
  if (live.size === 0) uninstall();
}

/** The temporary files registered now (for tests). */
export function liveTempFiles(): string[] {
  return [...live];
}
