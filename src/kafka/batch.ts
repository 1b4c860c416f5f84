/*
 * One batch of one partition, from Kafka messages to everything that must be durable before its
 * offsets are committed: decode (invalid events to the dead-letter topic), run the rules (one engine
 * per partition, so a lagging partition's events are not judged late against another's event time),
 * turn detections into actions within the budget, publish (acks=all, idempotent producer), then
 * write quarantine entries and mark the events handled. Each stage runs once; a failed stage is
 * retried from where it failed. A state store outage applies the fail mode; a poisonous event is
 * set aside to the dead-letter topic rather than stalling the partition.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { KafkaMessage, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { clipText, detectionAlert, dispatchDetections, isPushed, queueQuarantines, type AlertPusher, type Dispatch, type OutRecord, type RevocationBudget } from '../actions/index.js';
import type { ProcessorConfig } from '../config/index.js';
import { StoreContentionError, StoreTimeoutError } from '../errors/index.js';
import { formatDuration } from '../detectors/index.js';
import { Engine, type BatchOutcome, type Detection } from '../engine/index.js';
import { addGeoCounts, decodeEvent, noGeoCounts, type DecodedEvent, type GeoCounts, type GeoLookup } from '../events/index.js';
import type { Metrics } from '../metrics/index.js';
import { cooldownsOf, type Ruleset } from '../rules/index.js';
import { MemoryStore, type StateStore } from '../state/index.js';
import { deadLetter, truncateDeadLetter } from './dead-letter.js';
import { exec, type RedeliveryLedger } from './ledger.js';
import { effectiveFailMode, statelessRuleset } from './stateless.js';
import { isStoreError, toStoreError } from './store-errors.js';

export interface BatchInput {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
}

export interface BatchControl {
  /** Keeps the group membership alive during a long batch or a wait. */
  heartbeat(): Promise<void>;
  /** False once the batch should be given up uncommitted (shutdown, partition revoked). */
  alive(): boolean;
}

export type BatchResult = 'done' | 'abandoned';

/** Called when the state store goes down (fail closed: pause consumption) and comes back. */
export interface OutageListener {
  down(err: Error): void;
  /**
   * Fetching may resume: 'recovered' when a batch went through, 'given-up' when the batch that
   * was retrying through the outage was given up (stopping, or its partition moved) and no batch
   * in flight is left to see the store come back: the next batch fetched retries in its place.
   */
  up(why: 'recovered' | 'given-up'): void;
}

export interface BatchHandlerDeps {
  config: ProcessorConfig;
  /** The engine's store (the ledger-reading wrapper around the Redis store). */
  store: StateStore;
  redis: Redis;
  ledger: RedeliveryLedger;
  budget: RevocationBudget;
  /** Stands in for the budget while Redis is down (fail open). */
  fallbackBudget: RevocationBudget;
  producer: Producer;
  rules: () => Ruleset;
  metrics: Metrics;
  log: Logger;
  outage: OutageListener;
  /** Pushes critical detections to Alertmanager once their batch is durable; absent: no push. */
  alerts?: AlertPusher;
  /** GeoIP database for events with a source.ip and no position (GUARDRAIL_GEOIP_DB); absent: none. */
  geo?: GeoLookup;
  now?: () => number;
}

interface Decoded {
  message: KafkaMessage;
  event: DecodedEvent;
}

/** The rules' verdict on a batch, built chunk by chunk so a failure resumes where it stopped. */
interface Evaluation {
  detections: Detection[];
  processed: number;
  duplicates: number;
  late: number;
  /** Events judged by stateless rules only (fail open). */
  failOpen: number;
  /** Dead letters found while evaluating (events the engine could not process). */
  poisoned: OutRecord[];
  /** Event ids to mark handled once the batch is durable (those evaluated with state). */
  handled: string[];
  /** Firings held back by cooldown, per rule. */
  suppressed: Map<string, number>;
  /** Index of the first event not evaluated yet. */
  next: number;
  /** Geo looked up from source.ip, per outcome. */
  geo: GeoCounts;
}

const MAX_BACKOFF_MS = 5_000;
const MIN_CHUNK = 10;
/** Fail open: after a store error, batches skip the store for this long before trying it again. */
const DEGRADED_MS = 1_000;

/** Ids of the rules whose firings go through a cooldown (those with an action other than `signal`). */
const cooledCache = new WeakMap<Ruleset, ReadonlySet<string>>();
function cooledRules(rules: Ruleset): ReadonlySet<string> {
  let ids = cooledCache.get(rules);
  if (!ids) cooledCache.set(rules, (ids = new Set(rules.rules.filter((r) => r.actions.some((a) => a !== 'signal')).map((r) => r.id))));
  return ids;
}

function merge(into: Evaluation, out: BatchOutcome, stateless: boolean, rules: Ruleset): void {
  into.detections.push(...out.detections);
  if (stateless) into.failOpen += out.processed;
  else into.processed += out.processed;
  into.duplicates += out.duplicates;
  into.late += out.late;
  addGeoCounts(into.geo, out.geo);
  // The engine counts suppressed firings in total; per rule, they are the firings of a cooled rule that made no detection.
  if (out.suppressed === 0) return;
  const cooled = cooledRules(rules);
  const detected = new Map<string, number>();
  for (const d of out.detections) detected.set(d.rule.id, (detected.get(d.rule.id) ?? 0) + 1);
  for (const [rule, hits] of Object.entries(out.hits)) {
    const n = cooled.has(rule) ? hits - (detected.get(rule) ?? 0) : 0;
    if (n > 0) into.suppressed.set(rule, (into.suppressed.get(rule) ?? 0) + n);
  }
}

/** The batch's action messages per action (the `guardrail-type` header), for counting a failed publish. */
function actionMessages(records: readonly OutRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    const type = r.headers['guardrail-type'];
    if (typeof type === 'string' && type !== 'detection') out.set(type, (out.get(type) ?? 0) + 1);
  }
  return out;
}

/** One sentence per setting, so dead letters group by reason. */
function futureReason(maxFutureMs: number): string {
  return `time: more than ${formatDuration(maxFutureMs)} ahead of the processor's clock (GUARDRAIL_MAX_FUTURE); an event from the future would make every later event of its partition late`;
}

function isKafkaError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

function isMessageTooLarge(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if ((e as { type?: string }).type === 'MESSAGE_TOO_LARGE') return true;
  return false;
}

/** Keeps each produce request (and so each partition's record batch) under the broker's default 1 MB limit. */
const MAX_REQUEST_BYTES = 512 * 1024;

function sizeOf(r: OutRecord): number {
  let n = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  // A header without a value (Kafka allows it; kafkajs reads it as null) is copied into dead letters as it came.
  for (const [k, v] of Object.entries(r.headers)) n += k.length + (Array.isArray(v) ? v.reduce((s, x) => s + (x?.length ?? 0), 0) : (v?.length ?? 0));
  return n;
}

function bySize(records: readonly OutRecord[], limit: number): OutRecord[][] {
  const parts: OutRecord[][] = [];
  let part: OutRecord[] = [];
  let size = 0;
  for (const r of records) {
    const n = sizeOf(r);
    if (part.length > 0 && size + n > limit) {
      parts.push(part);
      part = [];
      size = 0;
    }
    part.push(r);
    size += n;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function toMessages(records: readonly OutRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    // kafkajs types header values as never null, but writes a null one as a header without a value.
    list.push({ key: r.key, value: r.value, headers: r.headers as Message['headers'] });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

export class BatchHandler {
  private readonly engines = new Map<number, Engine>();
  private readonly openEngines = new Map<number, Engine>();
  private readonly openStore = new MemoryStore();
  private openRules: { from: Ruleset; rules: Ruleset } | undefined;
  /** Fail open: until this time batches skip the store and go stateless at once. */
  private degradedUntil = 0;
  private inOutage = false;
  /** Events per engine call (one state store round trip per phase): adapts down when the store is slow. */
  private chunk: number;
  private readonly now: () => number;

  private readonly budget: RevocationBudget;

  constructor(private readonly d: BatchHandlerDeps) {
    this.now = d.now ?? Date.now;
    this.chunk = d.config.engineBatchSize;
    // The budget lives in Redis: its failures are store outages like the state store's.
    this.budget = {
      admit: async (ids, nowMs) => {
        try {
          return await d.budget.admit(ids, nowMs);
        } catch (err) {
          throw toStoreError(err);
        }
      },
    };
  }

  /** Drops the engines of partitions this instance no longer owns. */
  retain(partitions: ReadonlySet<number>): void {
    for (const map of [this.engines, this.openEngines]) for (const p of map.keys()) if (!partitions.has(p)) map.delete(p);
  }

  async close(): Promise<void> {
    await this.openStore.close();
  }

  async handle(input: BatchInput, control: BatchControl): Promise<BatchResult> {
    let result: BatchResult | undefined;
    try {
      result = await this.work(input, control);
      return result;
    } finally {
      // A batch given up (or thrown) comes back: its engine's watermark must not have moved past it,
      // or its early events would be judged late then and skipped, with whatever they should fire.
      if (result !== 'done') {
        this.forget(input.partition);
        // It was the batch that would have ended the outage: without it, fetching stayed paused for good.
        if (this.inOutage) this.leaveOutage('given-up');
      }
    }
  }

  private forget(partition: number): void {
    this.engines.delete(partition);
    this.openEngines.delete(partition);
  }

  private async work(input: BatchInput, control: BatchControl): Promise<BatchResult> {
    const started = performance.now();
    const { config, log } = this.d;
    const dlq: OutRecord[] = [];
    const valid: Decoded[] = [];
    // Event time drives the windows, and a partition's newest time decides which events are late:
    // one event dated years ahead (a broken emitter clock, or someone blinding the rules) would
    // make every event after it late. Past the allowed skew, it is a dead letter.
    const latestMs = this.now() + config.maxFutureMs;
    for (const message of input.messages) {
      const r = message.value === null ? ({ ok: false, reason: 'the message has no value (a tombstone); an event must be a JSON object' } as const) : decodeEvent(message.value);
      if (r.ok && r.value.timeMs > latestMs) dlq.push(deadLetter(config.topics.dlq, input, message, futureReason(config.maxFutureMs), this.now()));
      else if (r.ok) valid.push({ message, event: r.value });
      else dlq.push(deadLetter(config.topics.dlq, input, message, r.reason, this.now()));
    }

    const evaluation: Evaluation = { detections: [], processed: 0, duplicates: 0, late: 0, failOpen: 0, poisoned: [], handled: [], suppressed: new Map(), next: 0, geo: noGeoCounts() };
    let dispatch: Dispatch | undefined;
    let published = false;
    let durable = false;
    let truncated = false;
    const failMode = effectiveFailMode(this.d.rules(), config.failMode);
    let stateless = failMode === 'open' && this.now() < this.degradedUntil;
    for (let attempt = 0; ; attempt++) {
      if (!control.alive()) return 'abandoned';
      try {
        while (evaluation.next < valid.length) {
          const chunk = valid.slice(evaluation.next, evaluation.next + (stateless ? valid.length : this.chunk));
          await this.evaluate(input, chunk, evaluation, stateless);
          await control.heartbeat().catch(() => undefined);
        }
        if (!dispatch) dispatch = await this.dispatch(evaluation.detections, stateless);
        if (!published) {
          const records = [...dlq, ...evaluation.poisoned, ...dispatch.records];
          for (const part of bySize(records, MAX_REQUEST_BYTES)) await this.d.producer.sendBatch({ acks: -1, topicMessages: toMessages(part) });
          published = true;
        }
        if (!durable) {
          await this.makeDurable(evaluation, dispatch);
          durable = true;
        }
        break;
      } catch (err) {
        if (err instanceof StoreContentionError) {
          // Other instances kept writing this batch's states: the store answers, so no outage and no
          // fail-open; the batch is worked again after a pause (from its chunk, on a fresh engine).
          this.engines.delete(input.partition);
          log.warn({ partition: input.partition, attempt }, 'the batch\'s states kept changing in other instances; working it again');
          await this.backoff(attempt, control);
          continue;
        }
        if (isStoreError(err)) {
          // A slow store: smaller round trips from now on (it grows back after good batches).
          if (err instanceof StoreTimeoutError) this.chunk = Math.max(MIN_CHUNK, Math.floor(this.chunk / 2));
          // The failed call may have moved the engine's watermark past early events of the chunk.
          this.engines.delete(input.partition);
          if (failMode === 'open') {
            this.degradedUntil = this.now() + DEGRADED_MS;
            if (!stateless) log.warn({ err, partition: input.partition }, 'state store unavailable; fail open: stateless rules only');
            stateless = true;
            if (!published) {
              // What was already decided with state stands; the rest is judged by stateless rules, the budget kept in memory.
              dispatch = undefined;
              continue;
            }
            // Published, but quarantine entries or the ledger could not be written: the messages are out; go on.
            const lost = dispatch?.quarantines.length ?? 0;
            if (lost > 0) {
              this.d.metrics.actions.inc({ action: 'quarantine_agent', outcome: 'failed' }, lost);
              log.error({ err, partition: input.partition, quarantines: lost }, 'state store unavailable; quarantine entries of this batch not written (their messages were published)');
            }
            break;
          }
          this.enterOutage(err as Error);
          await this.backoff(attempt, control);
          continue;
        }
        if (isMessageTooLarge(err) && !truncated) {
          // An event near the broker's size limit does not fit in a dead letter with its headers: keep its start.
          log.warn({ partition: input.partition }, 'a dead letter is too large for the broker; sending it truncated');
          truncated = true;
          for (const list of [dlq, evaluation.poisoned]) for (let i = 0; i < list.length; i++) list[i] = truncateDeadLetter(list[i]!);
          continue;
        }
        if (isKafkaError(err) && dispatch !== undefined && !published) {
          // Counted per failed attempt: GuardrailRevocationsNotPublished watches this while the batch is retried.
          for (const [action, n] of actionMessages(dispatch.records)) this.d.metrics.actions.inc({ action, outcome: 'failed' }, n);
          log.warn({ err, partition: input.partition, attempt }, 'publishing the batch outputs failed; retrying');
          await this.backoff(attempt, control);
          continue;
        }
        if (evaluation.next < valid.length) {
          log.error({ err, partition: input.partition }, 'the rules failed on a chunk of this batch; processing its events one by one to set the failing ones aside');
          this.engines.delete(input.partition);
          const chunk = valid.slice(evaluation.next, evaluation.next + this.chunk);
          try {
            await this.evaluateIsolated(input, chunk, evaluation, stateless);
          } catch (inner) {
            if (!isStoreError(inner)) throw inner;
          }
          continue;
        }
        throw err;
      }
    }
    if (this.inOutage) this.leaveOutage('recovered');
    if (!stateless) this.chunk = Math.min(this.d.config.engineBatchSize, Math.ceil(this.chunk * 1.25));
    this.account(evaluation, dispatch!, dlq.length, started);
    return 'done';
  }

  private engineFor(partition: number): Engine {
    const rules = this.d.rules();
    let engine = this.engines.get(partition);
    if (!engine) {
      engine = new Engine({ ruleset: rules, store: this.d.store, ...this.engineOptions() });
      this.engines.set(partition, engine);
    } else if (engine.rules !== rules) {
      engine.setRuleset(rules);
    }
    return engine;
  }

  private engineOptions(): { latenessMs: number; dedupHorizonMs: number; now: () => number; geo?: GeoLookup } {
    const { config, geo } = this.d;
    return { latenessMs: config.latenessMs, dedupHorizonMs: config.dedupHorizonMs, now: this.now, ...(geo ? { geo } : {}) };
  }

  private openEngineFor(partition: number): Engine {
    const current = this.d.rules();
    if (this.openRules?.from !== current) this.openRules = { from: current, rules: statelessRuleset(current) };
    const rules = this.openRules.rules;
    let engine = this.openEngines.get(partition);
    if (!engine) {
      engine = new Engine({ ruleset: rules, store: this.openStore, ...this.engineOptions() });
      this.openEngines.set(partition, engine);
    } else if (engine.rules !== rules) {
      engine.setRuleset(rules);
    }
    return engine;
  }

  /** Runs one chunk through the partition's engine (or its stateless twin) and adds the verdict. */
  private async evaluate(input: BatchInput, chunk: readonly Decoded[], into: Evaluation, stateless: boolean): Promise<void> {
    const engine = stateless ? this.openEngineFor(input.partition) : this.engineFor(input.partition);
    const out = await engine.process(chunk.map((v) => v.event));
    merge(into, out, stateless, engine.rules);
    if (!stateless) for (const v of chunk) into.handled.push(v.event.event.id);
    into.next += chunk.length;
  }

  /** One event at a time; an event the engine throws on goes to the dead-letter topic. Store errors propagate. */
  private async evaluateIsolated(input: BatchInput, chunk: readonly Decoded[], into: Evaluation, stateless: boolean): Promise<void> {
    for (const v of chunk) {
      try {
        await this.evaluate(input, [v], into, stateless);
      } catch (err) {
        if (isStoreError(err)) throw err;
        (stateless ? this.openEngines : this.engines).delete(input.partition);
        const name = err instanceof Error ? err.name : typeof err;
        this.d.log.error({ err, partition: input.partition, offset: v.message.offset }, 'an event made the rules fail; sent to the dead-letter topic');
        into.poisoned.push(deadLetter(this.d.config.topics.dlq, input, v.message, `processing failed: the rules raised ${name} on this event`, this.now()));
        into.next += 1;
      }
    }
  }

  private async dispatch(detections: readonly Detection[], stateless: boolean): Promise<Dispatch> {
    const { config } = this.d;
    return dispatchDetections(detections, {
      topics: config.topics,
      mode: config.mode,
      quarantineTtlMs: config.quarantineTtlMs,
      cooldownMsOf: cooldownsOf(this.d.rules()),
      quarantineMaxTtlMs: config.quarantineMaxTtlMs,
      budget: stateless ? this.d.fallbackBudget : this.budget,
      now: this.now,
      ...(this.d.alerts ? { alertPushed: isPushed } : {}),
    });
  }

  /** Quarantine entries and ledger marks in one round trip. */
  private async makeDurable(evaluation: Evaluation, dispatch: Dispatch): Promise<void> {
    if (dispatch.quarantines.length === 0 && evaluation.handled.length === 0) return;
    const pipeline = this.d.redis.pipeline();
    queueQuarantines(pipeline, this.d.config.redis.prefix, dispatch.quarantines, this.now());
    this.d.ledger.queueRecord(pipeline, evaluation.handled);
    const started = performance.now();
    try {
      await exec(pipeline);
    } catch (err) {
      throw toStoreError(err);
    } finally {
      this.d.metrics.storeDuration.observe({ op: 'record' }, (performance.now() - started) / 1000);
    }
  }

  private enterOutage(err: Error): void {
    if (this.inOutage) return;
    this.inOutage = true;
    this.d.outage.down(err);
  }

  private leaveOutage(why: 'recovered' | 'given-up'): void {
    this.inOutage = false;
    this.d.outage.up(why);
  }

  /** Waits 100 ms doubling to 5 s (with jitter), heartbeating, or less if the batch is given up. */
  private async backoff(attempt: number, control: BatchControl): Promise<void> {
    const ms = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 10)) * (0.75 + Math.random() * 0.5);
    const until = performance.now() + ms;
    while (control.alive()) {
      const left = until - performance.now();
      if (left <= 0) return;
      await new Promise((r) => setTimeout(r, Math.min(left, 500)));
      await control.heartbeat().catch(() => undefined);
    }
  }

  private account(evaluation: Evaluation, dispatch: Dispatch, invalid: number, started: number): void {
    const { metrics: m, log } = this.d;
    const o = evaluation;
    if (o.processed > 0) m.events.inc({ outcome: 'processed' }, o.processed);
    if (o.failOpen > 0) m.events.inc({ outcome: 'fail_open' }, o.failOpen);
    if (o.duplicates > 0) m.events.inc({ outcome: 'duplicate' }, o.duplicates);
    if (o.late > 0) m.events.inc({ outcome: 'late' }, o.late);
    const dead = invalid + evaluation.poisoned.length;
    if (dead > 0) m.events.inc({ outcome: 'invalid' }, dead);
    for (const a of dispatch.outcomes) m.actions.inc(a);
    for (const [rule, n] of evaluation.suppressed) m.detectionsSuppressed.inc({ rule }, n);
    for (const [outcome, n] of Object.entries(o.geo)) if (n > 0) m.geoipLookups.inc({ outcome }, n);
    if (this.d.alerts) {
      const pushed = dispatch.detections.filter(isPushed);
      if (pushed.length > 0) {
        const rules = this.d.rules().rules;
        this.d.alerts.push(pushed.map((d) => detectionAlert(d, rules.find((r) => r.id === d.rule.id)?.cooldownMs ?? 0)));
      }
    }
    for (const d of dispatch.detections) {
      m.detections.inc({ rule: d.rule.id, kind: d.rule.kind, severity: d.rule.severity, mode: d.mode });
      m.detectionDelay.observe(Math.max(0, (Date.parse(d.detectedAt) - Date.parse(d.time)) / 1000));
      const fields = { detectionId: d.id, rule: d.rule.id, severity: d.rule.severity, mode: d.mode, agentId: d.subject.agentId, actions: d.actions, held: d.held };
      // A reason can quote a huge value from an event: the log line keeps its start.
      const reason = clipText(d.reason, 2048);
      if (d.actions.includes('alert') && d.mode === 'enforce') log.warn(fields, `alert: ${d.rule.id}: ${reason}`);
      else log.info(fields, `detection: ${d.rule.id}: ${reason}`);
    }
    if (dispatch.held.length > 0) {
      log.error(
        { held: dispatch.held, budgetPerMinute: this.d.config.revocationBudgetPerMinute },
        `revocation budget exhausted: ${dispatch.held.length} restricting actions held (detections still published); check for a broken rule`,
      );
    }
    m.batchDuration.observe((performance.now() - started) / 1000);
  }
}
