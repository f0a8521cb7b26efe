// One timer structure for all publishers: an indexed binary min-heap of (due time, timer id).
// Each id (0 … capacity−1) is in the heap at most once; scheduling an id that is already there
// moves it (an event pulls a publisher's next retransmission forward). Ties at the same time pop
// in the order they were scheduled, so runs are deterministic. Typed arrays, no allocation per
// operation: thousands of publishers cost O(log n) per frame, not a JS timer each.

export class TimerHeap {
  private heap: Int32Array; // heap position → id
  private pos: Int32Array; // id → heap position, −1 when absent
  private due: Float64Array; // id → due time
  private order: Float64Array; // id → scheduling sequence (tie-break)
  private seq = 0;
  private n = 0;

  constructor(
    private cap: number,
    /** Grow (doubling) when an id ≥ capacity is scheduled, instead of refusing it. */
    private readonly growable = false,
  ) {
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`capacity must be a whole number, got ${cap}`);
    this.heap = new Int32Array(cap);
    this.pos = new Int32Array(cap).fill(-1);
    this.due = new Float64Array(cap);
    this.order = new Float64Array(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  private grow(id: number): void {
    const cap = Math.max(id + 1, this.cap * 2, 16);
    const pos = new Int32Array(cap).fill(-1);
    pos.set(this.pos);
    const copy = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    this.heap = copy(this.heap, new Int32Array(cap));
    this.pos = pos;
    this.due = copy(this.due, new Float64Array(cap));
    this.order = copy(this.order, new Float64Array(cap));
    this.cap = cap;
  }

  get size(): number {
    return this.n;
  }

  has(id: number): boolean {
    return id < this.cap && this.pos[id]! >= 0;
  }

  dueOf(id: number): number | undefined {
    return this.has(id) ? this.due[id] : undefined;
  }

  /** Schedules (or reschedules) `id` at `timeUs`. */
  schedule(id: number, timeUs: number): void {
    if (this.growable && id >= this.cap && Number.isInteger(id)) this.grow(id);
    if (id < 0 || id >= this.cap || !Number.isInteger(id)) throw new RangeError(`timer id ${id} outside 0 … ${this.capacity - 1}`);
    this.due[id] = timeUs;
    this.order[id] = this.seq++;
    const p = this.pos[id]!;
    if (p < 0) {
      this.heap[this.n] = id;
      this.pos[id] = this.n;
      this.n++;
      this.up(this.n - 1);
    } else {
      this.up(p);
      this.down(this.pos[id]!);
    }
  }

  cancel(id: number): void {
    if (!this.has(id)) return;
    const p = this.pos[id]!;
    this.n--;
    const last = this.heap[this.n]!;
    this.pos[id] = -1;
    if (p !== this.n) {
      this.heap[p] = last;
      this.pos[last] = p;
      this.up(p);
      this.down(this.pos[last]!);
    }
  }

  /** Earliest due time, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.due[this.heap[0]!]! : Infinity;
  }

  /** Id of the earliest timer, or −1 when empty. */
  peekId(): number {
    return this.n > 0 ? this.heap[0]! : -1;
  }

  /** Removes and returns the earliest timer's id (−1 when empty). */
  pop(): number {
    if (this.n === 0) return -1;
    const id = this.heap[0]!;
    this.cancel(id);
    return id;
  }

  private less(a: number, b: number): boolean {
    const da = this.due[a]!;
    const db = this.due[b]!;
    return da < db || (da === db && this.order[a]! < this.order[b]!);
  }

  private up(i: number): void {
    const heap = this.heap;
    const id = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pid = heap[parent]!;
      if (!this.less(id, pid)) break;
      heap[i] = pid;
      this.pos[pid] = i;
      i = parent;
    }
    heap[i] = id;
    this.pos[id] = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const id = heap[i]!;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(heap[r]!, heap[l]!)) c = r;
      const cid = heap[c]!;
      if (!this.less(cid, id)) break;
      heap[i] = cid;
      this.pos[cid] = i;
      i = c;
    }
    heap[i] = id;
    this.pos[id] = i;
  }
}
