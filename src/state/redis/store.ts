/*
 * The Redis state store behind `guardrail run`: same observations as the memory store for the same
 * inputs, in one of two modes (docs/state.md, "Cached mode (the default) and scripts mode"):
 *
 * - cached (default, cache.ts): the memory store's classes work the states out in this process;
 *   Redis keeps each state as `<prefix>:{<group tag>}:<op type>:c1:<rule>` (version + JSON), written
 *   by compare-and-set once per batch, one script call per hash tag, all in one transaction
 *   (MULTI/EXEC: a process killed while writing leaves none of the batch's states written).
 * - scripts: each operation applied atomically by one Lua script call and a batch's calls sent
 *   pipelined, without waiting in between (one round trip per batch, one script call per state key).
 *
 * Scripts mode key layout (docs/state.md has the details), all parts of one state under the group's hash tag:
 *   <prefix>:{<base64url(group)>}:<op type>:<part>:<rule>
 *     part st      hash   scalar state (last/first seen, running sums, ...)
 *     part idm     set    input ids remembered, the per-key dedup memory
 *     part idq     list   "prefixMax|id" per remembered id in arrival order (the cooldown's decision
 *                         too), forgotten from the front
 *     window:  slots (slot -> "count,bytes,records"), peaks (bucket -> peak)
 *     profile: days (UTC day -> counts per hour of week)    seen:   vals (value -> last use)
 *     signal:  latest (rule -> "timeMs|eventId", "\x01" + rule -> its reason)
 *   <prefix>:{ev<0-15>}:event:<horizonMs>:<event id>   string, stream-level dedup (markSeen), PX horizonMs
 * Each state key's parts expire (PEXPIRE, wall clock) after its retention plus ttlMarginMs; event
 * time decides the rest, exactly as in the memory store.
 */
import { performance } from 'node:perf_hooks';
import type { Redis, RedisOptions } from 'ioredis';
import { StoreTimeoutError, StoreUnavailableError } from '../../errors/index.js';
import type { BatchStateStore, OpenState, StateStore, StoreOp, StoreResult, SyncStateStore } from '../types.js';
import { createClient, describeClient } from './client.js';
import type { RedisConnection } from './connect.js';
import { decodeReply } from './decode.js';
import { encodeOp, type EncodeContext, type ScriptCall } from './encode.js';
import { toStoreError } from './errors.js';
import { checkPrefix, eventBucket, eventKey, groupIndices } from './keys.js';
import type { StoreCacheEvent, StoreErrorKind, StoreMetrics } from './metrics.js';
import { MemoryStore } from '../memory/store.js';
import { StateCache, type CasCall, type CasReply } from './cache.js';
import { CAS_MANY_SCRIPT, CAS_SCRIPT, defineScripts, loadScripts, MARK_SEEN_SCRIPT } from './scripts.js';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. Default redis://127.0.0.1:6379. */
  url?: string;
  /** Where and how to connect (redisOptionsFromEnv); used instead of url, username, password and tls. */
  connection?: RedisConnection;
  /** An ioredis client to use instead of creating one; its owner configures and closes it. */
  client?: Redis;
  /** First part of every key. Default 'gr'. No braces. */
  prefix?: string;
  /** Redis ACL user and password, when not in the URL. */
  username?: string;
  password?: string;
  /** TLS options for the created client; rediss:// turns TLS on as well. */
  tls?: RedisOptions['tls'];
  /** How long an input id applied to a key is remembered for dedup, in event time. Default 1h. */
  dedupHorizonMs?: number;
  /** Out-of-order slack kept beyond a window. Default 10m. */
  latenessMs?: number;
  /** A command (a whole batch's pipeline) not answered in this time fails with StoreTimeoutError. Default 1000. */
  commandTimeoutMs?: number;
  /** How long the first use waits for the initial connection. Default 5000. */
  connectTimeoutMs?: number;
  /** Ceiling of the reconnect backoff. Default 2000. */
  maxBackoffMs?: number;
  /** Wall-clock TTL of a key beyond its event-time retention, for lag and clock skew. Default 1h. */
  ttlMarginMs?: number;
  /**
   * 'cached' (default): states are worked out here and written by compare-and-set (cache.ts);
   * 'scripts': each op runs in Redis as its Lua script, nothing kept here between calls.
   */
  mode?: RedisStoreMode;
  /**
   * Where markSeen remembers stream event ids: 'redis' (default; shared by every instance) or
   * 'memory' (this process only, in event time as the memory store does): for a single process
   * such as `guardrail replay`, which then writes no marker per event.
   */
  streamDedup?: 'redis' | 'memory';
  /** Cached mode: state keys kept in this process (least recently used dropped beyond). Default 20,000 (about 7 KB each with the default rules). */
  maxCachedKeys?: number;
  /** Metrics to keep (createStoreMetrics): round trips, script calls, durations, errors, up. */
  metrics?: StoreMetrics;
  /** Called when the store goes up or down (for guardrail_store_up). */
  onUpChange?: (up: boolean) => void;
  /** Called after each round trip with its duration (for guardrail_store_duration_seconds{op}). */
  onDuration?: (op: 'apply' | 'mark_seen', seconds: number) => void;
  /** Cached mode: called with the key of each value in Redis that could not be read (the state starts afresh). */
  onUnreadable?: (key: string) => void;
}

export type RedisStoreMode = 'cached' | 'scripts';

export const DEFAULT_MAX_CACHED_KEYS = 20_000;

type Pipeline = ReturnType<Redis['pipeline']>;
type ScriptCommand = (...args: string[]) => unknown;

/** Script calls in the first pipelined chunk of a round trip, doubling up to MAX_CHUNK. */
const FIRST_CHUNK = 8;
const MAX_CHUNK = 128;

export class RedisStore implements StateStore {
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly ctx: EncodeContext;
  private readonly where: string;
  private readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly onUpChange: ((up: boolean) => void) | undefined;
  private readonly onDuration: RedisStoreOptions['onDuration'];
  private readonly metrics: StoreMetrics | undefined;
  private up = false;
  private everUp = false;
  private lastError: Error | undefined;
  private trips = 0;
  private commands = 0;
  private readonly listeners: [string, (...args: unknown[]) => void][];
  private readonly cache: StateCache | undefined;
  /** The compare-and-set scripts' sources, sent with their first call in each flush's transaction. */
  private readonly casSources: { cas: string; casMany: string };
  private readonly localSeen: MemoryStore | undefined;
  /**
   * Cached mode only (absent in scripts mode, so the engine plans batches for it instead): keys
   * applied at once in this process, written by flush() (SyncStateStore, BatchStateStore).
   */
  readonly open?: SyncStateStore['open'];
  readonly begin?: BatchStateStore['begin'];
  readonly flush?: BatchStateStore['flush'];
  readonly end?: BatchStateStore['end'];

  constructor(options: RedisStoreOptions = {}) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.ctx = {
      prefix: checkPrefix(options.prefix ?? 'gr'),
      dedupHorizonMs: options.dedupHorizonMs ?? 3_600_000,
      latenessMs: options.latenessMs ?? 600_000,
      ttlMarginMs: options.ttlMarginMs ?? 3_600_000,
    };
    this.cache =
      (options.mode ?? 'cached') === 'cached'
        ? new StateCache({
            ...this.ctx,
            maxKeys: options.maxCachedKeys ?? DEFAULT_MAX_CACHED_KEYS,
            ...(options.metrics ? { onEvent: (event: StoreCacheEvent) => options.metrics!.cache.inc({ event }) } : {}),
            ...(options.onUnreadable ? { onUnreadable: options.onUnreadable } : {}),
          })
        : undefined;
    this.localSeen = options.streamDedup === 'memory' ? new MemoryStore() : undefined;
    const cache = this.cache;
    if (cache) {
      this.open = (type, key, spec, firstTimeMs) => cache.open(type, key, spec, firstTimeMs) as unknown as OpenState<typeof type>;
      this.begin = () => cache.begin();
      this.flush = () => cache.flush((calls) => this.cas(calls));
      this.end = (token) => cache.end(token);
    }
    this.onUpChange = options.onUpChange;
    this.onDuration = options.onDuration;
    this.metrics = options.metrics;
    this.metrics?.up.set(0);
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      createClient({
        connection: options.connection,
        url: options.url ?? 'redis://127.0.0.1:6379',
        username: options.username,
        password: options.password,
        tls: options.tls,
        commandTimeoutMs: this.commandTimeoutMs,
        connectTimeoutMs: this.connectTimeoutMs,
        maxBackoffMs: options.maxBackoffMs ?? 2000,
      });
    this.where = describeClient(this.client);
    const sources = loadScripts();
    defineScripts(this.client, sources);
    this.casSources = { cas: sources.cas, casMany: sources.casMany };
    this.listeners = [
      ['ready', () => {
        this.lastError = undefined;
        this.setUp(true);
      }],
      ['close', () => {
        // A killed server closes the socket without an error event; say so instead of nothing.
        if (this.up) this.lastError = new Error('connection closed');
        this.setUp(false);
      }],
      ['end', () => this.setUp(false)],
      // Without a listener ioredis prints every connection error; the store reports them typed instead.
      ['error', (err: unknown) => (this.lastError = err instanceof Error ? err : new Error(String(err)))],
    ];
    for (const [event, listener] of this.listeners) this.client.on(event, listener);
    if (this.client.status === 'ready') this.setUp(true);
  }

  /** Whether the connection is ready to take commands now. */
  isUp(): boolean {
    return this.up;
  }

  /** Pipelines sent (each one round trip), for round trips per event. Script loads are not counted. */
  get roundTrips(): number {
    return this.trips;
  }

  /** Commands sent inside those pipelines: one script call per operation in apply, one per hash tag in markSeen. */
  get commandsSent(): number {
    return this.commands;
  }

  /** 'cached' or 'scripts' (see RedisStoreOptions.mode). */
  get mode(): RedisStoreMode {
    return this.cache ? 'cached' : 'scripts';
  }

  /** Cached mode: first touches of keys not in the cache, writes refused because a key had changed, keys cached. */
  get cacheStats(): { misses: number; conflicts: number; keys: number } | undefined {
    return this.cache && { misses: this.cache.keyMisses, conflicts: this.cache.writeConflicts, keys: this.cache.size };
  }

  /** Waits for the connection to be ready; StoreUnavailableError when it is not within connectTimeoutMs. */
  async ready(): Promise<void> {
    if (this.up) return;
    if (this.client.status === 'wait') this.client.connect().catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onEnd = () => done(new StoreUnavailableError(`Redis state store at ${this.where} is closed`, { cause: this.lastError ?? new Error('connection ended') }));
      const timer = setTimeout(
        () => done(new StoreUnavailableError(`Redis state store at ${this.where} is unavailable: not connected within ${this.connectTimeoutMs} ms`, { cause: this.lastError ?? new Error('not connected') })),
        this.connectTimeoutMs,
      );
      this.client.on('ready', onReady);
      this.client.on('end', onEnd);
    });
  }

  async apply(ops: readonly StoreOp[]): Promise<StoreResult[]> {
    const results: (StoreResult | undefined)[] = new Array(ops.length);
    const calls: number[] = [];
    ops.forEach((op, index) => {
      // An op without inputs observes nothing and changes nothing a later op could see.
      if (op.inputs.length === 0) results[index] = { type: op.type, observations: [] } as StoreResult;
      else calls.push(index);
    });
    if (calls.length > 0 && this.cache) {
      const applied = await this.cache.apply(
        calls.map((i) => ops[i]!),
        (cas) => this.cas(cas),
      );
      calls.forEach((index, i) => (results[index] = applied[i]!));
    } else if (calls.length > 0) {
      const replies = await this.roundTrip('apply', calls.length, (p, from, to) => {
        const commands = p as unknown as Record<string, ScriptCommand>;
        for (let i = from; i < to; i++) {
          const call: ScriptCall = encodeOp(ops[calls[i]!]!, this.ctx);
          commands[call.command]!(...call.keys, ...call.args);
        }
      });
      calls.forEach((index, i) => (results[index] = decodeReply(ops[index]!, replies[i] as (string | number)[])));
    }
    return results as StoreResult[];
  }

  /**
   * One round trip of compare-and-set writes (cached mode): one script call per hash tag (a
   * group's states), each key checked and written on its own; replies in the order of `calls`.
   * The calls form one transaction, so a batch's states are written together or not at all.
   */
  private async cas(calls: CasCall[]): Promise<CasReply[]> {
    const groups = groupIndices(calls.length, (i) => {
      const key = calls[i]![0];
      return key.slice(key.indexOf('{'), key.indexOf('}') + 1);
    });
    // In a transaction each script's first call carries its source (EVAL): a call by SHA that Redis
    // has lost (SCRIPT FLUSH, a failover) would fail inside the transaction while the others
    // applied, and ioredis resends such a call with its source only outside a transaction.
    let casSent = false;
    let casManySent = false;
    const replies = await this.roundTrip('apply', groups.length, (p, from, to, inTransaction) => {
      const commands = p as unknown as Record<string, ScriptCommand>;
      for (let g = from; g < to; g++) {
        const group = groups[g]!;
        if (group.length === 1) {
          if (inTransaction && !casSent) {
            casSent = true;
            p.eval(this.casSources.cas, 1, ...calls[group[0]!]!);
          } else {
            commands[CAS_SCRIPT.command]!(...calls[group[0]!]!);
          }
          continue;
        }
        const args: string[] = [String(group.length)];
        for (const i of group) args.push(calls[i]![0]);
        for (const i of group) args.push(calls[i]![1], calls[i]![2], calls[i]![3]);
        if (inTransaction && !casManySent) {
          casManySent = true;
          p.eval(this.casSources.casMany, ...(args as [string, ...string[]]));
        } else {
          commands[CAS_MANY_SCRIPT.command]!(...args);
        }
      }
    }, true);
    const out = new Array<CasReply>(calls.length);
    groups.forEach((group, g) => {
      if (group.length === 1) out[group[0]!] = replies[g] as CasReply;
      else group.forEach((i, j) => (out[i] = (replies[g] as CasReply[])[j]!));
    });
    return out;
  }

  /**
   * SET NX PX per id, by a script call per hash tag (at most EVENT_TAGS calls, one round trip): the
   * horizon here is wall-clock time from the first sighting (the memory store counts it in event
   * time); redeliveries come within minutes of the first delivery either way.
   */
  async markSeen(events: readonly { id: string; timeMs: number }[], horizonMs: number): Promise<boolean[]> {
    if (events.length === 0) return [];
    if (this.localSeen) return this.localSeen.markSeen(events, horizonMs);
    const px = String(Math.max(1, Math.ceil(horizonMs)));
    const groups = groupIndices(events.length, (i) => eventBucket(events[i]!.id));
    const replies = await this.roundTrip('mark_seen', groups.length, (p, from, to) => {
      const commands = p as unknown as Record<string, ScriptCommand>;
      for (const group of groups.slice(from, to)) {
        const keys = group.map((i) => eventKey(this.ctx.prefix, horizonMs, events[i]!.id));
        commands[MARK_SEEN_SCRIPT.command]!(String(keys.length), ...keys, px, ...group.map((i) => String(events[i]!.timeMs)));
      }
    });
    const seen = new Array<boolean>(events.length);
    groups.forEach((group, g) => {
      const flags = replies[g] as number[];
      group.forEach((i, j) => (seen[i] = flags[j] === 1));
    });
    return seen;
  }

  /** The first part of every key of this store. */
  get prefix(): string {
    return this.ctx.prefix;
  }

  /**
   * Deletes every key under this store's prefix (SCAN and UNLINK, a page at a time) and returns how
   * many there were: for a replay's or a test's own prefix, never for one that a processor shares.
   */
  async purge(): Promise<number> {
    if (!this.up) await this.ready();
    const match = `${this.ctx.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
    let deleted = 0;
    let cursor = '0';
    try {
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await this.client.unlink(...keys);
      } while (cursor !== '0');
    } catch (err) {
      throw toStoreError(err, this.where);
    }
    return deleted;
  }

  async close(): Promise<void> {
    this.setUp(false);
    if (!this.ownsClient) {
      for (const [event, listener] of this.listeners) this.client.off(event, listener);
      return;
    }
    // The store's own client keeps its listeners: a late socket error must not surface as unhandled.
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  /**
   * One round trip of `commands` script calls: typed errors for outages, a deadline for the whole,
   * the duration reported. The calls go out in pipelined chunks, each written as soon as it is
   * encoded and none waiting for another's replies, so Redis runs the first while the next are
   * encoded; the caller waits once, for all of them. `atomic`: one MULTI ... EXEC instead (for more
   * than one call), so that all of the calls apply or, if the connection is lost before EXEC
   * arrives, none; `fill` is told when it fills a transaction.
   */
  private async roundTrip(op: 'apply' | 'mark_seen', commands: number, fill: (p: Pipeline, from: number, to: number, inTransaction: boolean) => void, atomic = false): Promise<unknown[]> {
    if (!this.up) {
      try {
        if (this.everUp) {
          const cause = this.lastError ?? new Error(`connection ${this.client.status}`);
          throw new StoreUnavailableError(`Redis state store at ${this.where} is unavailable: ${cause.message}`, { cause });
        }
        await this.ready();
      } catch (err) {
        // Not sent: counted as a failed round trip all the same, so the error rate shows the outage.
        this.metrics?.errors.inc({ op, error: 'unavailable' });
        throw err;
      }
    }
    this.trips += 1;
    this.commands += commands;
    this.metrics?.roundTrips.inc({ op });
    this.metrics?.commands.inc({ op }, commands);
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      // ioredis times out each command, but an injected client may not be set up to: keep a deadline here too.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Command timed out')), this.commandTimeoutMs);
      });
      const execs: Promise<[Error | null, unknown][] | null>[] = [];
      if (atomic && commands > 1) {
        // MULTI ... EXEC: Redis runs the calls only once EXEC has arrived, so a connection lost on
        // the way (the process killed mid-write) applies none of them.
        const tx = this.client.multi();
        fill(tx, 0, commands, true);
        execs.push(tx.exec());
      }
      for (let from = execs.length > 0 ? commands : 0, size = FIRST_CHUNK; from < commands; from += size, size = Math.min(size * 2, MAX_CHUNK)) {
        const pipeline = this.client.pipeline();
        fill(pipeline, from, Math.min(from + size, commands), false);
        const exec = pipeline.exec();
        // Past the deadline, or after another chunk failed, nobody awaits this one; its late failure is not news.
        void exec.catch(() => undefined);
        execs.push(exec);
      }
      const settled = await Promise.race([Promise.all(execs), deadline]);
      return settled.flatMap((replies) =>
        (replies ?? []).map(([err, value]) => {
          if (err) throw err;
          return value;
        }),
      );
    } catch (err) {
      const typed = toStoreError(err, this.where);
      this.metrics?.errors.inc({ op, error: errorKind(typed) });
      throw typed;
    } finally {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      this.metrics?.duration.observe({ op }, seconds);
      this.onDuration?.(op, seconds);
    }
  }

  private setUp(up: boolean): void {
    const reconnect = up && this.everUp;
    if (up) this.everUp = true;
    if (up === this.up) return;
    this.up = up;
    // A restarted or failed-over Redis may have lost or rolled back what this process wrote.
    if (reconnect) this.cache?.clear();
    this.metrics?.up.set(up ? 1 : 0);
    this.onUpChange?.(up);
  }
}

function errorKind(err: Error): StoreErrorKind {
  if (err instanceof StoreUnavailableError) return 'unavailable';
  if (err instanceof StoreTimeoutError) return 'timeout';
  return 'other';
}

