/*
 * The redelivery ledger: which event ids have been fully handled (state updated, actions durable).
 * The engine asks its store's markSeen before it counts a batch, and the Redis store marks ids there
 * and then, before the batch's state and actions are durable: a crash or an outage after that point
 * would make the redelivered events look like duplicates, and they (and their revocations) would be
 * lost. So the processor gives the engine a store whose markSeen only reads this ledger, and marks
 * ids here once the batch is durable, just before committing. Per-key dedup inside the state
 * scripts keeps a redelivered event from counting twice either way.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { isBatchStore, type BatchStateStore, type StateStore, type StoreOp, type StoreResult } from '../state/index.js';
import { eventBucket, groupIndices } from '../state/redis/keys.js';
import { defineLedgerScripts, LEDGER_SCRIPTS } from '../state/redis/scripts.js';
import { toStoreError } from './store-errors.js';

type Pipeline = ReturnType<Redis['pipeline']>;

export class RedeliveryLedger {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly horizonMs: number,
    /** Called with each lookup's duration (guardrail_store_duration_seconds{op="mark_seen"}). */
    private readonly onDuration?: (seconds: number) => void,
  ) {
    defineLedgerScripts(client);
  }

  /**
   * `<prefix>:{done<bucket>}:<event id>`: ids are spread over EVENT_TAGS hash tags, so that one
   * script call checks or records all the ids of a tag (a command per id cost more than the rest of
   * the ledger's work), and each call stays on one Redis Cluster slot.
   */
  key(id: string): string {
    return `${this.prefix}:{done${eventBucket(id)}}:${id}`;
  }

  /** Per id: handled before, within the horizon. One round trip, one script call per hash tag. */
  async check(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const groups = groupIndices(ids.length, (i) => eventBucket(ids[i]!));
    const pipeline = this.client.pipeline() as unknown as Record<string, (...args: string[]) => unknown>;
    for (const group of groups) pipeline[CHECK]!(String(group.length), ...group.map((i) => this.key(ids[i]!)));
    const started = performance.now();
    try {
      const replies = (await exec(pipeline as unknown as Pipeline)) as number[][];
      const out = new Array<boolean>(ids.length);
      groups.forEach((group, g) => group.forEach((i, j) => (out[i] = replies[g]![j] === 1)));
      return out;
    } finally {
      this.onDuration?.((performance.now() - started) / 1000);
    }
  }

  /** Queues the marks of handled ids on a pipeline the caller executes (with the batch's other writes). */
  queueRecord(pipeline: Pipeline, ids: readonly string[]): void {
    const commands = pipeline as unknown as Record<string, (...args: string[]) => unknown>;
    for (const group of groupIndices(ids.length, (i) => eventBucket(ids[i]!))) commands[RECORD]!(String(group.length), ...group.map((i) => this.key(ids[i]!)), String(this.horizonMs));
  }
}

const CHECK = LEDGER_SCRIPTS.check.command;
const RECORD = LEDGER_SCRIPTS.record.command;

/** Runs a pipeline; the first failed command fails the whole, as a typed store error. */
export async function exec(pipeline: Pipeline): Promise<unknown[]> {
  let settled: [Error | null, unknown][] | null;
  try {
    settled = await pipeline.exec();
  } catch (err) {
    throw toStoreError(err);
  }
  return (settled ?? []).map(([err, value]) => {
    if (err) throw toStoreError(err);
    return value;
  });
}

/** The engine's view of the state store: state operations go through, markSeen only reads the ledger. */
export class LedgerStore implements StateStore {
  /** Present when the inner store has them (the cached Redis store): the engine then works batches in this process. */
  readonly open?: BatchStateStore['open'];
  readonly begin?: BatchStateStore['begin'];
  readonly flush?: BatchStateStore['flush'];
  readonly end?: BatchStateStore['end'];

  constructor(
    private readonly inner: StateStore,
    private readonly ledger: RedeliveryLedger,
  ) {
    if (isBatchStore(inner)) {
      this.open = (type, key, spec, firstTimeMs) => inner.open(type, key, spec, firstTimeMs);
      this.begin = () => inner.begin();
      this.flush = (token) => inner.flush(token);
      this.end = (token) => inner.end(token);
    }
  }

  apply(ops: readonly StoreOp[]): Promise<StoreResult[]> {
    return this.inner.apply(ops);
  }

  async markSeen(events: readonly { id: string; timeMs: number }[]): Promise<boolean[]> {
    const seen = await this.ledger.check(events.map((e) => e.id));
    // An id twice in one batch: the second is a duplicate, as the store's own markSeen would say.
    const first = new Set<string>();
    events.forEach((e, i) => {
      if (first.has(e.id)) seen[i] = true;
      first.add(e.id);
    });
    return seen;
  }

  async close(): Promise<void> {
    // The inner store belongs to whoever created it.
  }
}
