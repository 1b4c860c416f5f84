/*
 * Replay: JSON lines in, detections out, through the same engine the live processor runs. Lines
 * are decoded and cut into batches; invalid lines are counted with their reasons, never fatal.
 */
import { decodeEvent } from '../events/index.js';
import { addGeoCounts, noGeoCounts, type GeoCounts, type GeoLookup } from '../events/geoip.js';
import type { DecodedEvent } from '../events/types.js';
import type { Ruleset } from '../rules/types.js';
import { MemoryStore } from '../state/index.js';
import type { StateStore } from '../state/types.js';
import { Engine } from './engine.js';
import type { Detection } from './types.js';

export interface ReplayOptions {
  ruleset: Ruleset;
  /** The event lines, one at a time or in chunks of consecutive lines (as `readLineChunks` reads a file). */
  lines: AsyncIterable<string | readonly string[]> | Iterable<string | readonly string[]>;
  onDetection: (d: Detection) => void | Promise<void>;
  /** Called for each line that is not a valid event; `line` counts from 1. */
  onInvalid?: (line: number, reason: string) => void;
  /** The file's line number of the n-th line given (n from 1), when the lines come in another order than the file's. */
  lineNumberOf?: (n: number) => number;
  /** Defaults to a fresh in-memory store. */
  store?: StateStore;
  batchSize?: number;
  latenessMs?: number;
  now?: () => number;
  /** A GeoIP database for events that carry source.ip without a position. */
  geo?: GeoLookup;
}

export interface ReplaySummary {
  events: number;
  invalid: number;
  duplicates: number;
  late: number;
  detections: number;
  suppressed: number;
  /** Detections per rule id. */
  byRule: Record<string, number>;
  /** Rule firings per rule id before cooldown, signal-only rules included. */
  hits: Record<string, number>;
  /** Invalid events per reason. */
  invalidReasons: Record<string, number>;
  /** With a GeoIP database: events whose geo was derived, not found, or in conflict with the emitter's country. */
  geo: GeoCounts;
}

/**
 * Events per engine pass with the in-memory store. Small enough that a batch's events die young
 * (2000 let a batch outlive a scavenge and be copied to the old generation: 14% slower replay; with
 * the 30 default rules of 2026-12-03, 500 did too: 250 is 10% faster, BENCHMARKS.md).
 */
export const DEFAULT_BATCH_SIZE = 250;

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  // The engine below is this store's only caller, and its markSeen already drops repeated events.
  const store = options.store ?? new MemoryStore({ keyDedup: false, ...(options.latenessMs === undefined ? {} : { latenessMs: options.latenessMs }) });
  const engine = new Engine({
    ruleset: options.ruleset,
    store,
    ...(options.latenessMs === undefined ? {} : { latenessMs: options.latenessMs }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.geo ? { geo: options.geo } : {}),
  });
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const summary: ReplaySummary = { events: 0, invalid: 0, duplicates: 0, late: 0, detections: 0, suppressed: 0, byRule: {}, hits: {}, invalidReasons: {}, geo: noGeoCounts() };
  let batch: DecodedEvent[] = [];
  let lineNo = 0;

  const flush = async () => {
    const out = await engine.process(batch);
    batch = [];
    summary.duplicates += out.duplicates;
    summary.late += out.late;
    summary.suppressed += out.suppressed;
    addGeoCounts(summary.geo, out.geo);
    for (const [rule, n] of Object.entries(out.hits)) summary.hits[rule] = (summary.hits[rule] ?? 0) + n;
    for (const d of out.detections) {
      summary.detections++;
      summary.byRule[d.rule.id] = (summary.byRule[d.rule.id] ?? 0) + 1;
      await options.onDetection(d);
    }
  };

  for await (const item of options.lines) {
    const chunk = typeof item === 'string' ? [item] : item;
    for (const line of chunk) {
      lineNo++;
      if (line.trim() === '') continue;
      summary.events++;
      const decoded = decodeEvent(line);
      if (!decoded.ok) {
        summary.invalid++;
        summary.invalidReasons[decoded.reason] = (summary.invalidReasons[decoded.reason] ?? 0) + 1;
        options.onInvalid?.(options.lineNumberOf ? options.lineNumberOf(lineNo) : lineNo, decoded.reason);
        continue;
      }
      batch.push(decoded.value);
      if (batch.length >= batchSize) await flush();
    }
  }
  if (batch.length > 0) await flush();
  if (!options.store) await store.close();
  return summary;
}
