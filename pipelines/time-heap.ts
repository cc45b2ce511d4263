// A binary min-heap of (time, key) pairs, for forgetting things in time order without scanning them all: the detector
// input's seen post ids and the co-action graph's expiry queue. Times and keys live in two parallel arrays (times
// unboxed in a double array), so an entry costs two array slots instead of a [time, key] tuple of three objects: the
// graph pushes one entry per piece of evidence (~13 per post of a dense stream), and short-lived tuples promoted to the
// old generation were a large share of the garbage collector's work. Ties pop in no particular order; `pairs()` lists
// the entries in heap order, the layout the owners' snapshots have always had.

/** A min-heap of (time, key) entries (keys are strings unless said otherwise). */
export class TimeHeap<K = string> {
  private readonly times: number[] = [];
  private readonly keys: K[] = [];

  /** Entries held. */
  get size(): number {
    return this.times.length;
  }

  /** The smallest time held; the heap must not be empty. */
  peekTime(): number {
    return this.times[0]!;
  }

  /** Adds an entry. */
  push(time: number, key: K): void {
    const times = this.times;
    const keys = this.keys;
    let i = times.length;
    times.push(time);
    keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p]! <= time) break;
      times[i] = times[p]!;
      keys[i] = keys[p]!;
      i = p;
    }
    times[i] = time;
    keys[i] = key;
  }

  /** Removes the entry with the smallest time and returns its key; the heap must not be empty. */
  pop(): K {
    const times = this.times;
    const keys = this.keys;
    const top = keys[0]!;
    const lastT = times.pop()!;
    const lastK = keys.pop()!;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && times[l + 1]! < times[l]! ? l + 1 : l;
        if (times[c]! >= lastT) break;
        times[i] = times[c]!;
        keys[i] = keys[c]!;
        i = c;
      }
      times[i] = lastT;
      keys[i] = lastK;
    }
    return top;
  }

  /** The entries as [time, key] pairs in heap order (a snapshot's layout). */
  pairs(): Array<[number, K]> {
    return this.times.map((t, i): [number, K] => [t, this.keys[i]!]);
  }

  /** A heap from pairs already in heap order (from {@link pairs}, or sorted by time: a sorted array is a heap). */
  static from<K = string>(pairs: ReadonlyArray<readonly [number, K]>): TimeHeap<K> {
    const h = new TimeHeap<K>();
    for (const [t, k] of pairs) {
      h.times.push(t);
      h.keys.push(k);
    }
    return h;
  }
}
