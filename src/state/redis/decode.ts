/*
 * Reads a script's flat reply back into the observations the memory store would have returned, one
 * per input. Whole numbers and flags come as integer replies; other numbers, and -0, as exact %.17g
 * text.
 */
import type { ObservationOf, Position, StoreOp, StoreResult } from '../types.js';

type ReplyItem = string | number;

class Reader {
  private at = 0;
  constructor(private readonly xs: readonly ReplyItem[]) {}
  private next(): ReplyItem {
    const x = this.xs[this.at++];
    if (x === undefined) throw new Error('Redis state store: script reply shorter than expected');
    return x;
  }
  text(): string {
    return String(this.next());
  }
  num(): number {
    const x = this.next();
    return typeof x === 'number' ? x : Number(x);
  }
  bool(): boolean {
    const x = this.next();
    return x === 1 || x === '1';
  }
}

function window(r: Reader, op: Extract<StoreOp, { type: 'window' }>): ObservationOf['window'] {
  const duplicate = r.bool();
  const obs: ObservationOf['window'] = { duplicate, sums: { count: r.num(), bytes: r.num(), records: r.num() } };
  if (op.spec.baseline) obs.baseline = { median: r.num(), mad: r.num(), max: r.num(), samples: r.num(), spanMs: r.num() };
  return obs;
}

function travel(r: Reader): ObservationOf['travel'] {
  const duplicate = r.bool();
  if (!r.bool()) return { duplicate };
  const previous: Position = { id: r.text(), timeMs: r.num(), lat: r.num(), lon: r.num() };
  const hasCountry = r.bool();
  const country = r.text();
  if (hasCountry) previous.country = country;
  return { duplicate, previous };
}

function signal(r: Reader): ObservationOf['signal'] {
  const duplicate = r.bool();
  const latest: ObservationOf['signal']['latest'] = {};
  for (let n = r.num(); n > 0; n--) {
    const rule = r.text();
    const entry: ObservationOf['signal']['latest'][string] = { timeMs: r.num(), eventId: r.text() };
    const reason = r.text();
    if (reason !== '') entry.reason = reason;
    latest[rule] = entry;
  }
  return { duplicate, latest };
}

export function decodeReply(op: StoreOp, reply: readonly ReplyItem[]): StoreResult {
  const r = new Reader(reply);
  const each = <T>(f: () => T): T[] => op.inputs.map(() => f());
  switch (op.type) {
    case 'window':
      return { type: 'window', observations: each(() => window(r, op)) };
    case 'profile':
      return { type: 'profile', observations: each(() => ({ duplicate: r.bool(), total: r.num(), nearHour: r.num(), firstSeenMs: r.num() })) };
    case 'seen':
      return { type: 'seen', observations: each(() => ({ duplicate: r.bool(), seenBefore: r.bool(), known: r.num(), firstSeenMs: r.num() })) };
    case 'travel':
      return { type: 'travel', observations: each(() => travel(r)) };
    case 'signal':
      return { type: 'signal', observations: each(() => signal(r)) };
    case 'cooldown':
      return { type: 'cooldown', observations: each(() => ({ duplicate: r.bool(), fire: r.bool(), suppressed: r.num() })) };
  }
}
