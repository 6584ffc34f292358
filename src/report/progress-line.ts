/**
 * The one progress display of the CLI: a line redrawn in place on a terminal (stderr), for long
 * scans and fuzz runs.
 *
 *   scan [██████░░░░░░░░░░░░░░] 3/10 files · 1,234,567 events · 48,210 ev/s · 12 matches · big.jsonl
 *   fuzz [██████████░░░░░░░░░░] 150/300 rules
 *
 * A {@link ProgressLine} is given a function that turns its state into text ({@link scanProgressText},
 * {@link fuzzProgressText}). It redraws at most 10 times a second; {@link ProgressLine.clear} wipes
 * the line before anything else is printed, the next update draws it again. Disabled (every call
 * a no-op) when not on a terminal.
 */
import { basename } from 'node:path';
import type { ScanProgress } from '../scan/scan.js';
import { terminalLine } from './escape.js';

const BAR = 20;
const INTERVAL_MS = 100;
const WIPE = '\r\x1b[2K';

/** One formatter for every count: `toLocaleString` builds a new one per call (milliseconds for a per-rule table). */
// Made on first use: making one costs ~20 ms at start, and a command that prints no count needs none.
let count: Intl.NumberFormat | undefined;

export function formatCount(n: number): string {
  count ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return count.format(Math.round(n));
}

/** A bar of `width` cells filled to `fraction` (0–1). */
export function progressBar(fraction: number, width = BAR): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** A line cut to `columns` characters (an ellipsis marks the cut). */
function fit(line: string, columns: number): string {
  return line.length > columns ? `${line.slice(0, Math.max(0, columns - 1))}…` : line;
}

/** The scan's progress: the bar fills with files done (event counts are not known ahead). */
export function scanProgressText(p: ScanProgress, columns: number): string {
  const rate = p.seconds > 0 ? p.events / p.seconds : 0;
  const parts = [
    `scan ${progressBar(p.files === 0 ? 0 : p.filesDone / p.files)} ${p.filesDone}/${p.files} files`,
    `${formatCount(p.events)} events`,
    `${formatCount(rate)} ev/s`,
    `${formatCount(p.matches)} matches`,
  ];
  if (p.file !== undefined) parts.push(terminalLine(basename(p.file)));
  return fit(parts.join(' · '), columns);
}

/** The state of a fuzz run: rules done of all rules. */
export interface FuzzProgress {
  done: number;
  total: number;
}

/** The fuzz run's progress: the bar fills with rules done. */
export function fuzzProgressText(p: FuzzProgress, columns: number): string {
  return fit(`fuzz ${progressBar(p.total === 0 ? 0 : p.done / p.total)} ${p.done}/${p.total} rules`, columns);
}

export class ProgressLine<S> {
  private last = 0;
  private shown = false;
  private state: S | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
    /** The text of a state, at most `columns` characters. */
    private readonly text: (state: S, columns: number) => string,
    private readonly columns = 100,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Records the state; redraws when the last draw is old enough. */
  update(state: S): void {
    if (!this.enabled) return;
    this.state = state;
    const t = this.now();
    if (this.last !== 0 && t - this.last < INTERVAL_MS) return;
    this.draw();
    this.last = t;
  }

  private draw(): void {
    if (this.state === undefined) return;
    this.write(`${WIPE}${this.text(this.state, Math.max(20, this.columns - 1))}`);
    this.shown = true;
  }

  /** Shows a message in place of the progress (e.g. while rules load). */
  note(text: string): void {
    if (!this.enabled) return;
    this.write(`${WIPE}${terminalLine(text).slice(0, Math.max(20, this.columns - 1))}`);
    this.shown = true;
  }

  /** Wipes the line (before other output). */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.write(WIPE);
    this.shown = false;
  }

  /** Wipes the line for good. */
  done(): void {
    this.clear();
    this.state = undefined;
  }
}
