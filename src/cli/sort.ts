/*
 * `guardrail replay --sort`: the events of a file in time order. A topic dumped partition after
 * partition, or logs merged from several sources, go back in time, and the engine does not count
 * an event older than the newest by more than the lateness bound (as the live processor would
 * not). Ordering by the text of `time` is not enough: offsets differ ("09:07+02:00" is before
 * "08:00Z"), so each line's instant is read. The whole file is held in memory for it.
 */
import { parseRfc3339 } from '../events/index.js';

export interface SortedLines {
  /** The lines, earliest event first; equal instants keep their order in the file. */
  lines: string[];
  /** The file's line number (from 1) of each sorted line. */
  lineNumbers: Int32Array;
  /** Events that came after a later event in the file (lines without a time not counted). */
  moved: number;
}

/** The instant of a line's `time`, or -Infinity when it has none (an invalid event: it goes first, and is reported as invalid by its own line number). */
export function eventTimeMs(line: string): number {
  if (line.trim() === '') return -Infinity;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return -Infinity;
  }
  const time = parsed !== null && typeof parsed === 'object' ? (parsed as { time?: unknown }).time : undefined;
  const ms = typeof time === 'string' ? parseRfc3339(time) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Reads every line and orders them by event time. */
export async function sortByEventTime(chunks: AsyncIterable<readonly string[]>): Promise<SortedLines> {
  const lines: string[] = [];
  const times: number[] = [];
  for await (const chunk of chunks) {
    for (const line of chunk) {
      lines.push(line);
      times.push(eventTimeMs(line));
    }
  }
  const order = Array.from({ length: lines.length }, (_, i) => i);
  // Array.prototype.sort is stable: equal instants stay in file order.
  order.sort((a, b) => times[a]! - times[b]! || a - b);
  let moved = 0;
  let latest = -Infinity;
  for (const t of times) {
    if (t === -Infinity) continue;
    if (t < latest) moved++;
    else latest = t;
  }
  const lineNumbers = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) lineNumbers[i] = order[i]! + 1;
  return { lines: order.map((i) => lines[i]!), lineNumbers, moved };
}
