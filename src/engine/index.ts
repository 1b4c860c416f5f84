/* The engine: batches of events in, detections out; and replay over JSON lines. */
export { Engine, DEFAULT_LATENESS_MS, DEFAULT_DEDUP_HORIZON_MS, type EngineOptions, type BatchOutcome } from './engine.js';
export { runReplay, DEFAULT_BATCH_SIZE, type ReplayOptions, type ReplaySummary } from './replay.js';
export { detectionId, groupKeyOf, subjectOf, valueAt, type GroupKey } from './subject.js';
export type { Detection } from './types.js';
