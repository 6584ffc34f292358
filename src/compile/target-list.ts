/**
 * A list of small integers (rule and clause targets) reused from event to event. Emptying a
 * JavaScript array by setting its length gives its storage back, so the next pushes allocate it
 * again, once per event and per scan (about 110 bytes a call, measured); this keeps its storage.
 */
export class TargetList {
  items = new Int32Array(64);
  length = 0;

  push(t: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = t;
  }

  clear(): void {
    this.length = 0;
  }

  /** A copy of the items. */
  toArray(): Int32Array {
    return this.items.slice(0, this.length);
  }
}
