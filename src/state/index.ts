/* The state store: the interface the engine depends on, and its implementations. */
export type {
  BaselineStats,
  CooldownInput,
  CooldownObservation,
  CooldownSpec,
  ObservationOf,
  Position,
  ProfileInput,
  ProfileObservation,
  ProfileSpec,
  SeenInput,
  SeenObservation,
  SeenSpec,
  SignalInput,
  SignalObservation,
  SignalSpec,
  StateKey,
  StateStore,
  StoreOp,
  StoreResult,
  Sums,
  TravelInput,
  TravelObservation,
  TravelSpec,
  WindowInput,
  WindowObservation,
  WindowSpec,
} from './types.js';
export { MemoryStore, type MemoryStoreOptions } from './memory/store.js';
export { isBatchStore, isSyncStore, type BatchStateStore, type OpenState, type SyncStateStore } from './types.js';
export { robustStats } from './baseline.js';
export { slotSizeFor, slotOf } from './slots.js';
export { DEFAULT_MAX_CACHED_KEYS, RedisStore, type RedisStoreMode, type RedisStoreOptions } from './redis/store.js';
export { withGuardedConnector } from './redis/client.js';
export { checkEvictionPolicy, evictionWarning } from './redis/eviction.js';
export {
  DEFAULT_REDIS_URL,
  REDIS_SETTINGS,
  describeConnection,
  ioredisOptions,
  redisOptionsFromEnv,
  type RedisConnection,
  type RedisEnv,
} from './redis/connect.js';
export { createStoreMetrics, type StoreCacheEvent, type StoreErrorKind, type StoreMetrics, type StoreRoundTripOp } from './redis/metrics.js';
