/**
 * A lock on a file for a read-modify-write by several processes at once (two `fuzz --save` runs
 * appending to one case file): a lock file next to it (`.name.lock`, hidden from folder walks),
 * created exclusively, holding the owner's process id and host. Whoever creates it owns the
 * lock; the others wait (polling, up to a timeout). A lock whose owner process is gone (same
 * host), or that is older than the stale age, is taken over, so a crashed run never blocks the
 * next one for ever. The lock file is removed if the process is interrupted (temp-files.ts).
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { registerTempFile, releaseTempFile } from './temp-files.js';

/** How long to wait for a lock, and when a held lock counts as abandoned. */
export interface LockOptions {
  /** Milliseconds to wait before giving up (default 30 s). */
  timeoutMs?: number;
  /** A lock file older than this many milliseconds is taken over (default 10 min). */
  staleMs?: number;
}

/** The lock file of `file`. */
export function lockFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.lock`);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** True when the lock file names a process of this host that no longer runs. */
function ownerGone(lock: string): boolean {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8');
  } catch {
    return false;
  }
  const [pidText, host] = text.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `fn` holding the lock of `file`; throws when the lock cannot be had within the timeout
 * (naming the lock file), or what `fn` throws (the lock is released either way).
 */
export function withFileLock<T>(file: string, fn: () => T, options: LockOptions = {}): T {
  const lock = lockFileOf(file);
  const timeout = options.timeoutMs ?? 30_000;
  const stale = options.staleMs ?? 10 * 60_000;
  const deadline = Date.now() + timeout;
  let wait = 5;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      registerTempFile(lock);
      try {
        writeSync(fd, `${process.pid}\n${hostname()}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    }
    let age = 0;
    try {
      age = Date.now() - statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile: try again at once
    }
    if (ownerGone(lock) || age > stale) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`${file} is locked by another run (${lock}); try again, or remove the lock file if no run is going on`);
    sleep(wait);
    wait = Math.min(wait * 2, 100);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
    releaseTempFile(lock);
  }
}
