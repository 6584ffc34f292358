/**
 * A one-line progress display for long scans, redrawn in place on a terminal (stderr):
 *
 *   scan [██████░░░░░░░░░░░░░░] 3/10 files · 1,234,567 events · 48,210 ev/s · 12 matches · big.jsonl
 *
 * The bar fills with files done (event counts are not known ahead). Redraws at most 10 times a
 * second; {@link ProgressLine.clear} wipes the line before anything else is printed, the next
 * update draws it again. Disabled (every call a no-op) when not on a terminal.
 */
import { basename } from 'node:path';
import type { ScanProgress } from '../scan/scan.js';

const BAR = 20;
const INTERVAL_MS = 100;

/** One formatter for every count: `toLocaleString` builds a new one per call (milliseconds for a per-rule table). */
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return COUNT.format(Math.round(n));
}

/** The progress text for a state, cut to `columns` characters. */
export function progressText(p: ScanProgress, columns: number): string {
  const fraction = p.files === 0 ? 0 : Math.min(1, p.filesDone / p.files);
  const filled = Math.round(fraction * BAR);
  const rate = p.seconds > 0 ? p.events / p.seconds : 0;
  const parts = [
    `scan [${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${p.filesDone}/${p.files} files`,
    `${formatCount(p.events)} events`,
    `${formatCount(rate)} ev/s`,
    `${formatCount(p.matches)} matches`,
  ];
  if (p.file !== undefined) parts.push(basename(p.file));
  const line = parts.join(' · ');
  return line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

export class ProgressLine {
  private last = 0;
  private shown = false;
  private state: ScanProgress | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
    private readonly columns = 100,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Records the state; redraws when the last draw is old enough. */
  update(p: ScanProgress): void {
    if (!this.enabled) return;
    this.state = p;
    const t = this.now();
    if (this.last !== 0 && t - this.last < INTERVAL_MS) return;
    this.draw();
    this.last = t;
  }

  private draw(): void {
    if (this.state === undefined) return;
    this.write(`\r\x1b[2K${progressText(this.state, Math.max(20, this.columns - 1))}`);
    this.shown = true;
  }

  /** Shows a message in place of the progress (e.g. while rules load). */
  note(text: string): void {
    if (!this.enabled) return;
    this.write(`\r\x1b[2K${text.slice(0, Math.max(20, this.columns - 1))}`);
    this.shown = true;
  }

  /** Wipes the line (before other output). */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.write('\r\x1b[2K');
    this.shown = false;
  }

  /** Wipes the line for good. */
  done(): void {
    this.clear();
    this.state = undefined;
  }
}
