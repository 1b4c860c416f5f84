/*
 * The cached mode of the Redis store (the default): each key's state is worked out in this process
 * by the memory store's own classes, kept here between batches, and written to Redis as JSON by
 * compare-and-set, once per key per batch, all in one round trip (the store sends one script call
 * per hash tag). Redis stays the shared truth: a write lands only if nobody wrote the key since
 * this process last read or wrote it; otherwise the script answers with the current value. For the
 * engine's batches (begin/open/flush/end) the batch is then worked again from its keys' values
 * before it; for a lone apply() call, the refused key's inputs are applied again on that value.
 * Either way per key that is the atomic read-modify-write the per-op scripts do inside Redis, at a
 * fraction of Redis's CPU: no Lua interprets the state, which is where the scripts' time went.
 *
 * A key's value is a 20-character version (this process's random id and a counter) followed by the
 * state's snapshot in JSON: `redis-cli GET` shows it readably. A key not in the cache is written
 * as if absent; when it exists, the refusal brings its value, so a key costs its batch a second
 * pass the first time this process touches it, and nothing after.
 */
import { randomBytes } from 'node:crypto';
import { StoreUnavailableError } from '../../errors/index.js';
import { IdHorizon } from '../ids.js';
import { createState, restoreState, type AnyState } from '../memory/store.js';
import type { StoreOp, StoreResult } from '../types.js';
import { stateKey } from './keys.js';

const VERSION_LENGTH = 20;
/** Attempts per key and call before the store gives up: only sustained contention gets there. */
const MAX_ATTEMPTS = 8;

export interface CacheOptions {
  prefix: string;
  dedupHorizonMs: number;
  latenessMs: number;
  ttlMarginMs: number;
  /** Keys kept in this process; beyond it the least recently used are dropped (and read again when used). */
  maxKeys: number;
  /** Told of each miss and refused write (guardrail_store_cache_total). */
  onEvent?: (event: 'miss' | 'conflict' | 'unreadable') => void;
  /** Told the key of each value that could not be read (and was started afresh). */
  onUnreadable?: (key: string) => void;
}

/** One compare-and-set call: key, the version last seen, the new value, expiry in ms. */
export type CasCall = [key: string, expected: string, value: string, px: string];
/** 1 when written; [0] or [0, current value] when not. */
export type CasReply = 1 | [0] | [0, string];

interface Entry {
  type: StoreOp['type'];
  spec: StoreOp['spec'];
  state: AnyState;
  /** The version this process last read or wrote ('' for a key it believes absent). */
  version: string;
  /**
   * The key's value before the batch in progress (the last one written at a clean flush, or read
   * from a refusal; undefined when absent): what the batch starts from if it is worked again.
   */
  persisted: string | undefined;
  /** Recency, for eviction. */
  used: number;
}

/** One key's work within one apply call. */
interface KeyWork {
  key: string;
  type: StoreOp['type'];
  spec: StoreOp['spec'];
  /** Indices into the call's ops, in order (one, unless a caller sent the same key twice). */
  ops: number[];
  state: AnyState;
  version: string;
}

export class StateCache {
  private readonly entries = new Map<string, Entry>();
  /** Keys with a write in flight: later calls touching them wait, so writes to a key go one at a time. */
  private readonly busy = new Map<string, Promise<void>>();
  /** Keys opened since the last flush. */
  private readonly dirty = new Set<string>();
  /** The batch in progress (begin() to end()), if any. */
  private batchLock: Promise<void> | undefined;
  private unlock: () => void = () => undefined;
  private batchNo = 0;
  /** Whether the batch in progress has flushed with every write landed. */
  private flushedClean = false;
  /** Bumped by clear(); a batch begun in an earlier generation must be worked again. */
  private generation = 0;
  private batchGeneration = 0;
  private readonly instance = randomBytes(6).toString('hex');
  private counter = 0;
  private clock = 0;
  private misses = 0;
  private conflicts = 0;

  constructor(private readonly options: CacheOptions) {}

  /** First touches of keys not in the cache (each then costs a second write when the key exists in Redis). */
  get keyMisses(): number {
    return this.misses;
  }

  /** Writes refused because the key had changed: another instance wrote it, or this one lost track. */
  get writeConflicts(): number {
    return this.conflicts;
  }

  get size(): number {
    return this.entries.size;
  }

  /** `<prefix>:{<group tag>}:<op type>:c1:<rule>` (c1: cached state, format 1). */
  keyOf(type: StoreOp['type'], key: StoreOp['key']): string {
    return stateKey(this.options.prefix, type, 'c1', key);
  }

  /**
   * Applies the ops (each with inputs) and writes every touched key; `send` makes one pipelined
   * round trip of compare-and-set calls and returns their replies in order.
   */
  async apply(ops: readonly StoreOp[], send: (calls: CasCall[]) => Promise<CasReply[]>): Promise<StoreResult[]> {
    const byKey = new Map<string, KeyWork>();
    ops.forEach((op, i) => {
      const key = this.keyOf(op.type, op.key);
      const work = byKey.get(key);
      if (work) work.ops.push(i);
      else byKey.set(key, { key, type: op.type, spec: op.spec, ops: [i], state: undefined as unknown as AnyState, version: '' });
    });
    const works = [...byKey.values()];
    const release = await this.acquire(works.map((w) => w.key));
    const results = new Array<StoreResult>(ops.length);
    try {
      const now = ++this.clock;
      for (const w of works) {
        const entry = this.entries.get(w.key);
        if (entry) {
          entry.used = now;
          w.state = entry.state;
          w.version = entry.version;
        } else {
          w.state = this.fresh(w.type, w.spec);
          w.version = '';
          this.count('miss');
        }
        this.run(w, ops, results);
      }
      let pending = works;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) {
          throw new StoreUnavailableError(`Redis state store: ${pending.length} state key(s) kept changing under this process for ${MAX_ATTEMPTS} attempts (e.g. ${pending[0]!.key})`);
        }
        const calls = pending.map((w) => this.write(w.key, w.state, w.version));
        const replies = await send(calls);
        const retry: KeyWork[] = [];
        pending.forEach((w, i) => {
          const reply = replies[i]!;
          if (reply === 1) {
            w.version = calls[i]![2].slice(0, VERSION_LENGTH);
            this.entries.set(w.key, { type: w.type, spec: w.spec, state: w.state, version: w.version, used: now, persisted: calls[i]![2] });
            return;
          }
          // Someone else's value (or none): start again from it.
          this.count('conflict');
          const current = reply[1];
          w.version = current === undefined ? '' : current.slice(0, VERSION_LENGTH);
          w.state = current === undefined ? this.fresh(w.type, w.spec) : this.restore(w.key, w.type, w.spec, current);
          this.run(w, ops, results);
          retry.push(w);
        });
        pending = retry;
      }
      this.evict();
      return results;
    } catch (err) {
      // What these keys hold here may be ahead of Redis, or behind it: read them again next time.
      for (const w of works) this.entries.delete(w.key);
      throw err;
    } finally {
      release();
    }
  }

  /** Forgets every cached state (after an outage nothing here can be trusted to match Redis). */
  clear(): void {
    this.entries.clear();
    this.dirty.clear();
    this.generation++;
  }

  // The engine's way (BatchStateStore): keys are opened and applied here at once, with no Redis in
  // between, and flush() writes every key opened in the batch in one round trip. One batch at a
  // time per process (begin() waits for the one before to end()). A refused write means some of the
  // batch's decisions were taken on a stale state: the refused keys take the value the refusal
  // brought, every other key of the batch goes back to what it was before the batch (the value
  // last written or read, kept for this), flush() answers false, and the engine works the batch
  // again on those. The keys whose writes did land are then written again, over the version this
  // process just wrote, with the batch applied once: so a batch worked twice decides as if worked
  // once on the true state.

  /** Waits for the batch before to end, then returns a token for flush() and end(). */
  async begin(): Promise<number> {
    for (;;) {
      const held = this.batchLock;
      if (!held) break;
      await held;
    }
    this.batchLock = new Promise<void>((resolve) => (this.unlock = resolve));
    this.flushedClean = false;
    this.batchGeneration = this.generation;
    return ++this.batchNo;
  }

  /**
   * Ends the batch begun with `token`; the next one may begin. A batch that did not end with a
   * clean flush (the engine failed, or gave up) leaves its keys changed here and not in Redis, or
   * written once too often: they are dropped, and read back when next used.
   */
  end(token: number): void {
    if (token !== this.batchNo || !this.batchLock) return;
    if (!this.flushedClean) {
      for (const key of this.dirty) this.entries.delete(key);
      this.dirty.clear();
    }
    this.batchLock = undefined;
    this.unlock();
  }

  /** A key's state for immediate use, from the cache, or fresh when not there (flush() learns whether that was right). */
  open(type: StoreOp['type'], op: StoreOp['key'], spec: StoreOp['spec'], firstTimeMs: number): AnyState {
    const key = this.keyOf(type, op);
    let entry = this.entries.get(key);
    if (!entry) {
      this.count('miss');
      entry = { type, spec, state: this.fresh(type, spec), version: '', used: 0, persisted: undefined };
      this.entries.set(key, entry);
    } else if (firstTimeMs - entry.state.lastSeenMs > entry.state.retainMs) {
      entry.state = this.fresh(type, spec);
    }
    entry.used = ++this.clock;
    this.dirty.add(key);
    return entry.state;
  }

  /** Writes every key opened since the last flush (one round trip, none when nothing was opened); true when every write landed. */
  async flush(send: (calls: CasCall[]) => Promise<CasReply[]>): Promise<boolean> {
    if (this.generation !== this.batchGeneration) {
      // Emptied during the batch (a reconnect): what the batch changed here is gone; work it again.
      this.batchGeneration = this.generation;
      this.dirty.clear();
      return false;
    }
    const keys = [...this.dirty];
    this.dirty.clear();
    const calls: CasCall[] = [];
    const entries: Entry[] = [];
    for (const key of keys) {
      const w = this.entries.get(key);
      if (!w) continue;
      calls.push(this.write(key, w.state, w.version));
      entries.push(w);
    }
    if (calls.length === 0) return (this.flushedClean = true);
    let replies: CasReply[];
    try {
      replies = await send(calls);
    } catch (err) {
      // Some writes may have landed and some not: nothing cached can be trusted.
      this.clear();
      throw err;
    }
    let clean = true;
    // Each key's value before the batch (a key refused now takes the refusal's value instead).
    const before: (string | undefined)[] = entries.map((e) => e.persisted);
    replies.forEach((reply, i) => {
      const entry = entries[i]!;
      if (reply === 1) {
        entry.version = calls[i]![2].slice(0, VERSION_LENGTH);
        return;
      }
      this.count('conflict');
      clean = false;
      const current = reply[1];
      entry.persisted = current;
      entry.version = current === undefined ? '' : current.slice(0, VERSION_LENGTH);
      entry.state = current === undefined ? this.fresh(entry.type, entry.spec) : this.restore(calls[i]![0], entry.type, entry.spec, current);
    });
    if (clean) {
      // The batch is done: what it wrote is where the next one starts from.
      replies.forEach((_, i) => (entries[i]!.persisted = calls[i]![2]));
      this.flushedClean = true;
      this.evict();
    } else {
      // Back to before the batch for the keys that were written: the batch is worked again on them.
      // They are written again at the next flush even if the batch does not touch them the second
      // time (a cooldown whose detection is gone): Redis must not keep a decision that was voided.
      replies.forEach((reply, i) => {
        if (reply !== 1) return;
        const entry = entries[i]!;
        const prior = before[i];
        entry.state = prior === undefined ? this.fresh(entry.type, entry.spec) : this.restore(calls[i]![0], entry.type, entry.spec, prior);
        this.dirty.add(calls[i]![0]);
      });
    }
    return clean;
  }

  private count(event: 'miss' | 'conflict' | 'unreadable'): void {
    if (event === 'miss') this.misses++;
    else if (event === 'conflict') this.conflicts++;
    this.options.onEvent?.(event);
  }

  private fresh(type: StoreOp['type'], spec: StoreOp['spec']): AnyState {
    return createState(type, spec, new IdHorizon(this.options.dedupHorizonMs), this.options.dedupHorizonMs, this.options.latenessMs);
  }

  /** A value from Redis; one that does not parse (written by something else) is replaced by a fresh state, and counted. */
  private restore(key: string, type: StoreOp['type'], spec: StoreOp['spec'], value: string): AnyState {
    try {
      return restoreState(type, spec, JSON.parse(value.slice(VERSION_LENGTH)), this.options.dedupHorizonMs, this.options.latenessMs);
    } catch {
      this.count('unreadable');
      this.options.onUnreadable?.(key);
      return this.fresh(type, spec);
    }
  }

  /** Applies a key's inputs to its state (reset first when idle past its retention, as the memory store does). */
  private run(w: KeyWork, ops: readonly StoreOp[], results: StoreResult[]): void {
    for (const index of w.ops) {
      const op = ops[index]!;
      const first = op.inputs[0]!;
      if (first.timeMs - w.state.lastSeenMs > w.state.retainMs) w.state = this.fresh(w.type, w.spec);
      const state = w.state as unknown as { apply(input: unknown): unknown };
      const observations = new Array<unknown>(op.inputs.length);
      for (let i = 0; i < op.inputs.length; i++) observations[i] = state.apply(op.inputs[i]);
      results[index] = { type: op.type, observations } as StoreResult;
    }
  }

  /** The compare-and-set call that writes `state` over `expected`, under a new version of this process. */
  private write(key: string, state: AnyState, expected: string): CasCall {
    const version = this.instance + (this.counter++).toString(36).padStart(VERSION_LENGTH - this.instance.length, '0');
    const px = Math.ceil(state.retainMs + this.options.ttlMarginMs);
    return [key, expected, version + JSON.stringify(state.toSnapshot()), String(px)];
  }

  /** Waits until none of the keys has a write in flight, then holds them until release(). */
  private async acquire(keys: readonly string[]): Promise<() => void> {
    for (;;) {
      const waits: Promise<void>[] = [];
      for (const k of keys) {
        const b = this.busy.get(k);
        if (b) waits.push(b);
      }
      if (waits.length === 0) break;
      await Promise.all(waits);
    }
    let done!: () => void;
    const held = new Promise<void>((resolve) => (done = resolve));
    for (const k of keys) this.busy.set(k, held);
    return () => {
      for (const k of keys) if (this.busy.get(k) === held) this.busy.delete(k);
      done();
    };
  }

  /**
   * Drops the least recently used tenth when over the limit (a dropped key is read again when next
   * used), never a key of the call or batch in progress.
   */
  private evict(): void {
    const { maxKeys } = this.options;
    if (this.entries.size <= maxKeys) return;
    const target = Math.floor(maxKeys * 0.9);
    const used = [...this.entries.values()].map((e) => e.used).sort((a, b) => a - b);
    const cutoff = used[this.entries.size - target - 1]!;
    for (const [key, e] of this.entries) {
      if (this.entries.size <= target) break;
      if (e.used <= cutoff && !this.busy.has(key) && !this.dirty.has(key)) this.entries.delete(key);
    }
  }
}
