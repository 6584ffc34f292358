/**
 * A bounded map from texts to results, cheaper than a `Map` for texts made fresh by every
 * `JSON.parse`: a Map hashes the whole text (and the text keeps nothing of it, being new each
 * time), while this table hashes at most {@link SAMPLES} characters spread over the text and
 * settles the slot with `===`. Open addressing over a power-of-two table; a text that finds no
 * free slot within {@link PROBES} is simply not remembered (a memo may forget).
 */
const SAMPLES = 16;
const PROBES = 4;

/** A non-negative hash of the length and up to {@link SAMPLES} characters, the last one included. */
export function sampleHash(text: string): number {
  const n = text.length;
  const step = n > SAMPLES ? Math.floor(n / SAMPLES) : 1;
  let h = Math.imul(n, 0x9e3779b1);
  for (let i = n - 1; i >= 0; i -= step) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  // 31 bits: a small integer, never a boxed number (the index masks it anyway).
  return (h ^ (h >>> 15)) & 0x7fffffff;
}

/** Slots of a new memo: most memos (fields with a few values) never grow past this. */
const FIRST_SLOTS = 64;

export class TextMemo<V> {
  private keys: Array<string | undefined>;
  private values: Array<V | undefined>;
  private mask: number;
  /** Texts remembered. */
  size = 0;
  /** The most slots the table grows to: twice `capacity`, rounded to a power of two. */
  private readonly maxSlots: number;

  /**
   * Room for `capacity` texts. The table starts small and doubles while it is over half full,
   * up to twice the capacity: a rule index keeps a memo per field and kind of event, and most
   * hold a handful of texts.
   */
  constructor(readonly capacity: number) {
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.maxSlots = slots;
    const first = Math.min(slots, FIRST_SLOTS);
    this.mask = first - 1;
    this.keys = new Array<string | undefined>(first).fill(undefined);
    this.values = new Array<V | undefined>(first).fill(undefined);
  }

  get(text: string): V | undefined {
    const { keys, mask } = this;
    let i = sampleHash(text) & mask;
    for (let p = 0; p < PROBES; p++) {
      const k = keys[i];
      if (k === undefined) return undefined;
      if (k === text) return this.values[i];
      i = (i + 1) & mask;
    }
    return undefined;
  }

  /** Remembers `value` for `text` (not yet remembered) when there is room near its slot. */
  set(text: string, value: V): void {
    if (this.size >= this.capacity) return;
    if (this.size * 2 >= this.keys.length && this.keys.length < this.maxSlots) this.grow();
    this.place(text, value);
  }

  private place(text: string, value: V): void {
    const { keys, mask } = this;
    let i = sampleHash(text) & mask;
    for (let p = 0; p < PROBES; p++) {
      if (keys[i] === undefined) {
        keys[i] = text;
        this.values[i] = value;
        this.size++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Twice the slots, every remembered text placed again (one that finds no free slot is forgotten). */
  private grow(): void {
    const { keys, values } = this;
    const slots = keys.length * 2;
    this.keys = new Array<string | undefined>(slots).fill(undefined);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k !== undefined) this.place(k, values[i] as V);
    }
  }
}
