/** readTextFile reads regular files only: a FIFO (which would block for ever) or a device (which never ends) is an error at once. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTextFile } from './read-text-file.js';
import { loadKnownFps } from '../known-fps/known-fps.js';
import { loadConfig } from '../config/config.js';
import { loadCaseFile } from '../cases/load-cases.js';
import { loadLogsourceMapping } from '../logsource/mapping-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-read-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readTextFile', () => {
  it('reads a file, and refuses a FIFO, a device and a folder without blocking', () => {
    writeFileSync(join(dir, 'a.yml'), 'x: 1\n');
    expect(readTextFile(join(dir, 'a.yml'))).toBe('x: 1\n');
    execFileSync('mkfifo', [join(dir, 'fifo.yml')]);
    mkdirSync(join(dir, 'folder.yml'));
    expect(() => readTextFile(join(dir, 'fifo.yml'))).toThrow(/a FIFO, not a regular file/);
    expect(() => readTextFile('/dev/zero')).toThrow(/a device, not a regular file/);
    expect(() => readTextFile(join(dir, 'folder.yml'))).toThrow(expect.objectContaining({ code: 'EISDIR' }) as Error);
    expect(() => readTextFile(join(dir, 'missing.yml'))).toThrow(expect.objectContaining({ code: 'ENOENT' }) as Error);
  });

  it('the known-FP, config, case and logsource mapping loaders report a FIFO or device as unreadable', () => {
    const fifo = join(dir, 'fifo.yml');
    expect(loadKnownFps(fifo).diagnostics.map((d) => d.code)).toEqual(['KNOWN_FP_UNREADABLE']);
    expect(loadConfig('/dev/zero', dir).diagnostics.map((d) => d.code)).toEqual(['CONFIG_UNREADABLE']);
    expect(loadCaseFile(fifo).diagnostics.map((d) => d.code)).toEqual(['CASE_FILE_UNREADABLE']);
    expect(loadLogsourceMapping('/dev/zero').diagnostics.map((d) => [d.code, d.message])).toEqual([['LOGSOURCE_FILE_UNREADABLE', 'cannot read logsource mapping file: a device, not a regular file']]);
  });
});
