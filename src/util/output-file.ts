/**
 * A report file written atomically but streamed: text goes, in 64 KiB writes, to a temporary
 * file next to the target, renamed over it on {@link OutputFile.commit}. Readers never see half
 * a report, and a scan's report is never held in memory whole (unlike write-file-atomic.ts,
 * which takes the whole text at once). The temporary file is removed if the process is
 * interrupted or exits before the commit (temp-files.ts): no hidden partial report stays behind.
 * As there, a symbolic link is written through and a target that is no regular file
 * (`/dev/null`, a pipe) is written in place, never replaced.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { registerTempFile, releaseTempFile } from './temp-files.js';
import { replaceTarget } from './write-file-atomic.js';

const FLUSH_AT = 64 * 1024;

export class OutputFile {
  /** The temporary file renamed over the target on commit; undefined when writing in place. */
  private readonly tmp: string | undefined;
  private readonly target: string;
  private fd: number | undefined;
  private buffer: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    const target = replaceTarget(path);
    this.target = target.path;
    if (!target.regular) {
      this.tmp = undefined;
      this.fd = openSync(target.path, 'w');
      return;
    }
    const dir = dirname(target.path);
    mkdirSync(dir, { recursive: true });
    this.tmp = join(dir, `.${basename(target.path)}.${process.pid}.${Date.now()}.tmp`);
    this.fd = openSync(this.tmp, 'wx');
    registerTempFile(this.tmp);
  }

  write(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }

  /** Writes what is left and puts the file in place. */
  commit(): void {
    try {
      this.flush();
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      if (this.tmp === undefined) return;
      renameSync(this.tmp, this.target);
      releaseTempFile(this.tmp);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Drops the temporary file; the target is left as it was. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed or broken: nothing more to do
      }
      this.fd = undefined;
    }
    if (this.tmp === undefined) return;
    rmSync(this.tmp, { force: true });
    releaseTempFile(this.tmp);
  }
}
