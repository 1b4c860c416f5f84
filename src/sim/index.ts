/* The traffic simulator (weeks of multi-agent traffic with labelled attacks) and the quality scorer. */
export { createSimulation, planSimulation, formatSimSummary, DEFAULT_SIM_OPTIONS, type Simulation } from './simulate.js';
export { QualityCollector, scoreQuality, isRestricting, type QualityReport, type KindScore, type InstanceScore, type FalseRestriction, type ScoredEvent } from './quality.js';
export { formatQualityReport, formatBytes, formatDuration } from './quality-format.js';
export { parseStartDate } from './clock.js';
export { Rng } from './random.js';
export { CITIES, distanceKm, type City } from './geo.js';
export { defaultAttacksPerKind } from './attacks/plan.js';
export {
  ATTACK_KINDS,
  PROFILE_KINDS,
  type AttackKind,
  type AttackInstance,
  type ProfileKind,
  type AgentSpec,
  type SimOptions,
  type SimPlan,
  type SimSummary,
} from './types.js';
