// A binary min-heap of (time, key) pairs in a plain array, for forgetting things in time order without scanning
// them all: the detector input's seen post ids and the co-action graph's expiry queue. Plain arrays so the owners can
// keep them in derived state; ties pop in no particular order.

/** Adds `x` to heap `h`. */
export function heapPush(h: Array<[number, string]>, x: [number, string]): void {
  let i = h.length;
  h.push(x);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]![0] <= x[0]) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = x;
}

/** Removes and returns the entry of `h` with the smallest time; `h` must not be empty. */
export function heapPop(h: Array<[number, string]>): [number, string] {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]![0] < h[l]![0] ? l + 1 : l;
      if (h[c]![0] >= last[0]) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
