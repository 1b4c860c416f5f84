/*
 * Prometheus metrics of the Redis state store: round trips, script calls, their duration, errors
 * and whether the connection is up. Registered in the Registry the caller passes (the processor's),
 * reusing a metric of the same name already there, so the store and src/metrics share one series.
 * Labels carry the operation only, never an agent, user or token id.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a round trip did: applied a batch's state operations, or marked its event ids. */
export type StoreRoundTripOp = 'apply' | 'mark_seen';
/** Why a round trip failed: the catalogue's store errors, or anything else (a script bug). */
export type StoreErrorKind = 'unavailable' | 'timeout' | 'other';

export interface StoreMetrics {
  /** guardrail_store_up: 1 while the connection is ready, else 0. */
  readonly up: Gauge;
  /** guardrail_store_duration_seconds{op}: one observation per round trip. */
  readonly duration: Histogram<'op'>;
  /** guardrail_store_round_trips_total{op}: pipelines sent; per event: divide by guardrail_events_total. */
  readonly roundTrips: Counter<'op'>;
  /** guardrail_store_commands_total{op}: script calls inside those pipelines. */
  readonly commands: Counter<'op'>;
  /** guardrail_store_errors_total{op,error}: round trips that failed. */
  readonly errors: Counter<'op' | 'error'>;
  /** guardrail_store_cache_total{event}: cached mode: states not held when first used (miss), writes refused (conflict), values not readable (unreadable). */
  readonly cache: Counter<'event'>;
}

/** Cached mode: a state first used while not held here, a write refused because the key had changed, a value that could not be read. */
export type StoreCacheEvent = 'miss' | 'conflict' | 'unreadable';

export const STORE_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The metric of that name already in the registry, or the one make() creates and registers there. */
function shared<T>(registry: Registry | undefined, name: string, make: (registers: Registry[]) => T): T {
  const existing = registry?.getSingleMetric(name);
  return existing ? (existing as T) : make(registry ? [registry] : []);
}

/** Creates the store's metrics in `registry`, or unregistered (read them off the objects) without one. */
export function createStoreMetrics(registry?: Registry): StoreMetrics {
  const ops: StoreRoundTripOp[] = ['apply', 'mark_seen'];
  const metrics: StoreMetrics = {
    up: shared(registry, 'guardrail_store_up', (registers) => new Gauge({ name: 'guardrail_store_up', help: '1 when the state store connection is up, else 0.', registers })),
    duration: shared(
      registry,
      'guardrail_store_duration_seconds',
      (registers) =>
        new Histogram({
          name: 'guardrail_store_duration_seconds',
          help: 'State store round trips, by operation.',
          labelNames: ['op'] as const,
          buckets: STORE_DURATION_BUCKETS,
          registers,
        }),
    ),
    roundTrips: shared(
      registry,
      'guardrail_store_round_trips_total',
      (registers) =>
        new Counter({
          name: 'guardrail_store_round_trips_total',
          help: 'State store round trips (one pipeline each), by operation: apply (a phase of a batch) or mark_seen.',
          labelNames: ['op'] as const,
          registers,
        }),
    ),
    commands: shared(
      registry,
      'guardrail_store_commands_total',
      (registers) =>
        new Counter({
          name: 'guardrail_store_commands_total',
          help: 'Script calls inside state store round trips, by operation: one per state key (apply) or per hash tag (mark_seen).',
          labelNames: ['op'] as const,
          registers,
        }),
    ),
    errors: shared(
      registry,
      'guardrail_store_errors_total',
      (registers) =>
        new Counter({
          name: 'guardrail_store_errors_total',
          help: 'State store round trips that failed, by operation and error: unavailable, timeout, other.',
          labelNames: ['op', 'error'] as const,
          registers,
        }),
    ),
    cache: shared(
      registry,
      'guardrail_store_cache_total',
      (registers) =>
        new Counter({
          name: 'guardrail_store_cache_total',
          help: 'Cached state store: states first used while not held in the process (miss), writes refused because another instance had written the key (conflict: the batch is worked again), and values in Redis that could not be read and were started afresh (unreadable).',
          labelNames: ['event'] as const,
          registers,
        }),
    ),
  };
  for (const event of ['miss', 'conflict', 'unreadable'] as const) metrics.cache.inc({ event }, 0);
  // Series exist from the start, so rate() and absent() work before the first round trip.
  for (const op of ops) {
    metrics.roundTrips.inc({ op }, 0);
    metrics.commands.inc({ op }, 0);
  }
  return metrics;
}
