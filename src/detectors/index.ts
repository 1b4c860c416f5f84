/* Detectors: pure decisions over the state a store observed for an event. */
export type { Hit } from './types.js';
export { evaluateWindow, robustScore, describeAmount, subjectNoun, MIN_BASELINE_SAMPLES, MIN_SPREAD_SHARE } from './window.js';
export { evaluateTimeOfDay, isAllowed } from './timeofday.js';
export { localTime, isTimeZone, formatLocal, DAY_NAMES, type LocalTime } from './localtime.js';
export { evaluateNewLocation, evaluateTravel, evaluateAllowlist, distanceKm } from './geo.js';
export { evaluateComposite, compositeEventIds } from './composite.js';
export { formatBytes, formatDuration, round } from './format.js';
