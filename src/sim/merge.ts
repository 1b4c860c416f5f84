/*
 * K-way merge of the agents' streams into one stream in arrival order: a binary heap keyed on each
 * stream's next event, so the whole run is produced lazily with one day per agent in memory.
 */
import type { Pending } from './types.js';

export interface PendingSource {
  peek(): Pending | undefined;
  shift(): void;
}

export function* mergeStreams(sources: readonly PendingSource[]): Generator<Pending> {
  const heap: { key: number; tie: number; src: PendingSource }[] = [];
  sources.forEach((src, tie) => {
    const head = src.peek();
    if (head) heap.push({ key: head.k, tie, src });
  });
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  while (heap.length > 0) {
    const top = heap[0] as (typeof heap)[number];
    const p = top.src.peek() as Pending;
    top.src.shift();
    yield p;
    const next = top.src.peek();
    if (next) top.key = next.k;
    else {
      const last = heap.pop() as (typeof heap)[number];
      if (heap.length === 0) break;
      heap[0] = last;
    }
    siftDown(heap, 0);
  }
}

// Ties go to the lower agent index, so equal timestamps still come out in a stable order.
function less(a: { key: number; tie: number }, b: { key: number; tie: number }): boolean {
  return a.key < b.key || (a.key === b.key && a.tie < b.tie);
}

function siftDown(heap: { key: number; tie: number }[], i: number): void {
  const n = heap.length;
  const item = heap[i];
  if (!item) return;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && less(heap[r] as typeof item, heap[l] as typeof item) ? r : l;
    if (!less(heap[c] as typeof item, item)) break;
    heap[i] = heap[c] as typeof item;
    i = c;
  }
  heap[i] = item;
}
