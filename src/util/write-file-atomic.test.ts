/**
 * Atomic writes (writeFileAtomic, OutputFile) never replace what the target path is: a symbolic
 * link is written through (the link stays), and a named pipe is written to, not renamed over (as
 * `--out /dev/null` must leave the device a device).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic.js';
import { OutputFile } from './output-file.js';

const posix = process.platform !== 'win32';

/** Writes into a fresh named pipe with `write` while `cat` reads it; what cat read, and whether the pipe is still one. */
async function throughPipe(write: (path: string) => void): Promise<{ read: string; stillPipe: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'sigmatest-fifo-'));
  const fifo = join(dir, 'out');
  execFileSync('mkfifo', [fifo]);
  const cat = spawn('cat', [fifo]);
  let read = '';
  cat.stdout.on('data', (b: Buffer) => (read += b.toString()));
  const done = new Promise<void>((resolve) => cat.on('close', () => resolve()));
  try {
    write(fifo);
    await done;
  } finally {
    cat.kill();
  }
  return { read, stillPipe: lstatSync(fifo).isFIFO() };
}

describe('writeFileAtomic and OutputFile', () => {
  it('replace a regular file and leave no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigmatest-atomic-'));
    writeFileSync(join(dir, 'a.txt'), 'old');
    writeFileAtomic(join(dir, 'a.txt'), 'new');
    const out = new OutputFile(join(dir, 'b.txt'));
    out.write('streamed');
    out.commit();
    expect([readFileSync(join(dir, 'a.txt'), 'utf8'), readFileSync(join(dir, 'b.txt'), 'utf8')]).toEqual(['new', 'streamed']);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it.skipIf(!posix)('write through a symbolic link: the link stays, its target gets the text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigmatest-atomic-'));
    writeFileSync(join(dir, 'real.txt'), 'old');
    symlinkSync('real.txt', join(dir, 'link.txt'));
    writeFileAtomic(join(dir, 'link.txt'), 'one');
    expect(lstatSync(join(dir, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.txt'))).toBe('real.txt');
    expect(readFileSync(join(dir, 'real.txt'), 'utf8')).toBe('one');
    const out = new OutputFile(join(dir, 'link.txt'));
    out.write('two');
    out.commit();
    expect(lstatSync(join(dir, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.txt'), 'utf8')).toBe('two');
  });

  it.skipIf(!posix)('write into a named pipe instead of renaming a plain file over it', async () => {
    expect(await throughPipe((p) => writeFileAtomic(p, 'hello'))).toEqual({ read: 'hello', stillPipe: true });
    expect(
      await throughPipe((p) => {
        const out = new OutputFile(p);
        out.write('streamed');
        out.commit();
      }),
    ).toEqual({ read: 'streamed', stillPipe: true });
  });
});
