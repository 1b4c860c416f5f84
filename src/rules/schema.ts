/*
 * The one definition of the rule file format (DESIGN.md "Rule language v1"), in TypeBox. The JSON
 * Schema editors use and the validator the loader runs are both generated from it; what the schema
 * cannot say (cross-rule references, time zones, duration arithmetic) is checked in semantics.ts.
 *
 * Extensions to v1, described in the schema too: a match value may be a scalar, a list (any of),
 * `{ not: value|list }` or `{ exists: true|false }`; baseline `minRatio` and `overPeak`; time_of_day
 * `fallbackTimezone`; geo `minDistanceKm` (impossible_travel) and `countries` (country_allowlist);
 * durations also in `ms`; an `allow` span without `days` covers every day.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DURATION_PATTERN, POSITIVE_DURATION_PATTERN } from './duration.js';
import { DAY_NAMES, HOURS_PATTERN, type DayName } from './hours.js';
import { COMMON_KEYS, GEO_CHECK_KEYS, GEO_CHECK_REQUIRED, KIND_KEYS, KIND_REQUIRED, KIND_SPECIFIC_KEYS } from './kinds.js';
import { SIZE_PATTERN } from './size.js';
import { ACTIONS, RULE_KINDS, SEVERITIES, type Action, type FailMode, type GeoCheck, type LocationDimension, type Metric, type MatchValue, type Mode, type RuleKind, type Severity } from './types.js';

export const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const SCHEDULE_NAME_PATTERN = RULE_ID_PATTERN;
/** Dotted path into the event: non-empty segments without spaces. */
export const FIELD_PATH_PATTERN = '^[^.\\s]+(\\.[^.\\s]+)*$';
export const COUNTRY_PATTERN = '^[A-Z]{2}$';

export const MODES: readonly Mode[] = ['enforce', 'shadow'];
export const FAIL_MODES: readonly FailMode[] = ['closed', 'open'];
export const METRICS: readonly Metric[] = ['count', 'bytes', 'records'];
export const GEO_CHECKS: readonly GeoCheck[] = ['new_location', 'impossible_travel', 'country_allowlist'];
export const LOCATION_DIMENSIONS: readonly LocationDimension[] = ['country', 'network', 'device'];

// Plain `enum` rather than a union of literals: a union becomes `anyOf`, whose errors cannot be
// turned into one clear sentence.
const oneOf = <T extends string>(values: readonly T[], description: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], description });

const duration = (description: string) => Type.String({ pattern: POSITIVE_DURATION_PATTERN, description: `${description} A duration: 500ms, 30s, 5m, 1h, 7d.` });
const durationOrZero = (description: string) => Type.String({ pattern: DURATION_PATTERN, description: `${description} A duration: 0s, 30s, 5m, 1h, 7d.` });
const size = (description: string) =>
  Type.Unsafe<string | number>({ type: ['integer', 'string'], minimum: 0, pattern: SIZE_PATTERN, description: `${description} A size: 500KB, 10MB, 2GB (powers of 10), 512MiB (powers of 2), or a whole number of bytes.` });
const fieldPath = (description: string) => Type.String({ pattern: FIELD_PATH_PATTERN, description });
const ruleId = (description: string) => Type.String({ pattern: RULE_ID_PATTERN, maxLength: 128, description });

/** What one key of a `match:` may hold (extension: `not` and `exists`). */
export type MatchConditionSpec = MatchValue | MatchValue[] | { not: MatchValue | MatchValue[] } | { exists: boolean };
export type MatchSpec = Record<string, MatchConditionSpec>;

const scalar = { type: ['string', 'number', 'boolean', 'null'], description: 'A value compared exactly (strings, numbers, true/false); null means "absent".' };
const scalarList = { type: 'array', items: scalar, minItems: 1, description: 'Any of these values; null in the list matches an absent field.' };
const MatchCondition = Type.Unsafe<MatchConditionSpec>({
  description:
    'A value, a list of values (any of; null means absent), { not: value or list } (none of them), or { exists: true|false }. Array-valued event fields match when any element matches.',
  anyOf: [
    scalar,
    scalarList,
    {
      type: 'object',
      description: 'None of these values.',
      properties: { not: { description: 'The field is none of these values (null: present).', anyOf: [scalar, scalarList] } },
      required: ['not'],
      additionalProperties: false,
    },
    {
      type: 'object',
      description: 'Present or absent.',
      properties: { exists: { type: 'boolean', description: 'true: the field must be present; false: it must be absent.' } },
      required: ['exists'],
      additionalProperties: false,
    },
  ],
});

const Match = Type.Unsafe<MatchSpec>({
  type: 'object',
  description: 'Which events the rule looks at: every key must match. Keys are dotted paths into the event (resource.sensitivity, labels.team). Empty or absent: every event.',
  propertyNames: { pattern: FIELD_PATH_PATTERN },
  additionalProperties: MatchCondition,
});

export interface ExceptSpec {
  schedule?: string;
  [path: string]: MatchConditionSpec | undefined;
}

const ExceptEntry = Type.Unsafe<ExceptSpec>({
  type: 'object',
  description: 'Suppresses the rule for an event when every key matches: dotted event paths as in match, and optionally schedule: NAME (the event time falls in that schedule).',
  minProperties: 1,
  propertyNames: { pattern: FIELD_PATH_PATTERN },
  properties: { schedule: Type.String({ pattern: SCHEDULE_NAME_PATTERN, description: 'A schedule defined under schedules: in any rule file.' }) },
  additionalProperties: MatchCondition,
});

const Threshold = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 1, description: 'Events in the window.' })),
    bytes: Type.Optional(size('Bytes moved in the window.')),
    records: Type.Optional(Type.Integer({ minimum: 1, description: 'Records moved in the window.' })),
  },
  { additionalProperties: false, minProperties: 1, description: 'Static ceilings per window; exceeding any of them fires.' },
);

const Baseline = Type.Object(
  {
    metric: Type.Optional(oneOf(METRICS, 'What is measured: count (events), bytes or records. Default: count for rate, bytes for bulk_download.')),
    history: Type.Optional(duration('How much history the baseline learns from. Default 14d; a whole number of buckets.')),
    bucket: Type.Optional(duration('The history is kept in buckets of this length. Default 1h.')),
    above: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Anomaly score (robust z: median and MAD) that fires. Default 6.' })),
    minHistory: Type.Optional(durationOrZero('Cold start: the baseline is not trusted before this much history. Default 3d.')),
    minObserved: Type.Optional(
      Type.Unsafe<string | number>({
        type: ['integer', 'string'],
        minimum: 0,
        pattern: SIZE_PATTERN,
        description: 'Anomalies smaller than this are ignored. A size (20MB) when the metric is bytes, else a whole number. Default 0.',
      }),
    ),
    minRatio: Type.Optional(Type.Number({ minimum: 1, description: 'Extension: the observation must also be at least this many times the median. Default 1.' })),
    overPeak: Type.Optional(Type.Number({ minimum: 0, description: 'Extension: the observation must also exceed this many times the largest bucket in the history. Default 0 (off).' })),
    growth: Type.Optional(
      Type.Union([Type.Number({ minimum: 1, description: 'At most this many times the largest peak before the last day (2: a level may double each day).' }), Type.Literal('off', { description: 'Learn every peak as it is.' })], {
        description:
          "Extension: how fast the baseline learns. A bucket's peak is learned as at most this many times the largest peak of the history's buckets that ended a day or more before it (once 5 of those are active), so an anomaly that runs for hours does not become its own yardstick, and a real change of habit is learned over days. 'off' learns every peak as it is. Default 2.",
      }),
    ),
    thresholdUntilTrusted: Type.Optional(
      Type.Boolean({
        description:
          "Extension: the rule's static ceiling on the baseline's metric judges the group only until this baseline is trusted (cold start: minHistory, 5 active buckets); then the baseline alone judges that metric, so a heavy group is held to its own history. Ceilings on other metrics still apply. Default false.",
      }),
    ),
  },
  { additionalProperties: false, description: 'Learned, per group key: fires on an anomaly against the group\'s own history.' },
);

const AllowSpan = Type.Object(
  {
    days: Type.Optional(Type.Array(oneOf<DayName>(DAY_NAMES, 'A day: mon, tue, wed, thu, fri, sat, sun.'), { minItems: 1, uniqueItems: true, description: 'Days the span applies to. Default: every day.' })),
    hours: Type.String({ pattern: HOURS_PATTERN, description: 'Local time span, HH:MM-HH:MM on a 24-hour clock; 24:00 allowed as an end; "22:00-06:00" wraps past midnight.' }),
  },
  { additionalProperties: false, description: 'Activity allowed on these days between these hours.' },
);

const Learned = Type.Object(
  {
    history: Type.Optional(duration('How much history the profile learns from. Default 14d.')),
    minEvents: Type.Optional(Type.Integer({ minimum: 1, description: 'The profile decides only once it holds this many events. Default 200.' })),
    rareBelow: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "An hour whose share of the group's activity is below this is rare. Default 0.01." })),
  },
  { additionalProperties: false, description: "Rare for this group's own hourly profile (learned), instead of or besides fixed allowed hours." },
);

const ruleProperties = {
  id: ruleId('Unique across all rule files; letters, digits, dot, dash, underscore.'),
  description: Type.Optional(Type.String({ description: 'What the rule catches, for the people who read detections.' })),
  kind: oneOf<RuleKind>(RULE_KINDS, 'rate | bulk_download | time_of_day | geo | match | composite.'),
  severity: Type.Optional(oneOf<Severity>(SEVERITIES, 'info | low | medium | high | critical. Default medium.')),
  mode: Type.Optional(oneOf<Mode>(MODES, 'enforce (default) | shadow: detect and report, take no action.')),
  failMode: Type.Optional(
    oneOf<FailMode>(
      FAIL_MODES,
      'While the state store is unreachable: closed (consumption pauses until this rule can judge again) | open (events go on without this rule). Default: GUARDRAIL_FAIL_MODE. Rules that need no state always run.',
    ),
  ),
  match: Type.Optional(Match),
  groupBy: Type.Optional(Type.Array(fieldPath('A dotted event path.'), { minItems: 1, uniqueItems: true, description: 'Dotted event paths whose values identify whose behaviour is measured. Default [agent.id].' })),
  actions: Type.Array(oneOf<Action>(ACTIONS, 'revoke_token | quarantine_agent | require_approval | alert | signal (feeds composite rules only).'), {
    minItems: 1,
    uniqueItems: true,
    description: 'What happens on a detection: revoke_token, quarantine_agent, require_approval, alert, signal.',
  }),
  cooldown: Type.Optional(durationOrZero('At most one detection per (rule, group key) per cooldown. Default 15m.')),
  except: Type.Optional(Type.Array(ExceptEntry, { description: 'Any matching entry suppresses the rule.' })),
  window: Type.Optional(duration('rate, bulk_download: the sliding window measured.')),
  threshold: Type.Optional(Threshold),
  baseline: Type.Optional(Baseline),
  timezone: Type.Optional(Type.String({ minLength: 1, description: "time_of_day: principal (the event's principal.timezone) or an IANA zone such as Europe/Berlin. Default principal." })),
  fallbackTimezone: Type.Optional(Type.String({ minLength: 1, description: 'Extension, time_of_day: the IANA zone used when timezone is principal and the event has none. Default UTC.' })),
  allow: Type.Optional(Type.Array(AllowSpan, { minItems: 1, description: 'time_of_day: when activity is expected; anything outside fires.' })),
  learned: Type.Optional(Learned),
  check: Type.Optional(oneOf<GeoCheck>(GEO_CHECKS, 'geo: new_location | impossible_travel | country_allowlist.')),
  on: Type.Optional(oneOf<LocationDimension>(LOCATION_DIMENSIONS, 'geo new_location: what counts as a location: country (default), network or device.')),
  history: Type.Optional(duration('geo new_location: how long a location stays known. Default 30d.')),
  minHistory: Type.Optional(durationOrZero('geo new_location: cold start, nothing is new before this much history. Default 3d.')),
  maxSpeedKmh: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'geo impossible_travel: faster than this between two places is impossible. Default 900.' })),
  minDistanceKm: Type.Optional(Type.Number({ minimum: 0, description: 'Extension, geo impossible_travel: shorter jumps are GeoIP noise, never travel. Default 500.' })),
  countries: Type.Optional(
    Type.Array(Type.String({ pattern: COUNTRY_PATTERN, description: 'ISO 3166-1 alpha-2 code, upper case.' }), {
      minItems: 1,
      uniqueItems: true,
      description: 'Extension, geo country_allowlist (required there): the countries allowed; any other fires.',
    }),
  ),
  allOf: Type.Optional(Type.Array(ruleId('A rule id.'), { uniqueItems: true, description: 'composite: every one of these rules must have fired for the same subject within the window.' })),
  anyOf: Type.Optional(Type.Array(ruleId('A rule id.'), { uniqueItems: true, description: 'composite: and at least one of these.' })),
  within: Type.Optional(duration('composite: how close together the rules must fire. Default 30m.')),
};

// Every key of the rule object must be declared exactly once, kind-specific or common.
const declared: ReadonlySet<string> = new Set([...COMMON_KEYS, ...KIND_SPECIFIC_KEYS]);
for (const key of Object.keys(ruleProperties)) if (!declared.has(key)) throw new Error(`rule key ${key} is not in kinds.ts`);

const required = (keys: readonly string[]) => (keys.length > 0 ? { required: [...keys] } : {});
const banned = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, false]));

// Per-kind conditions: keys of other kinds are `false` (an editor squiggle; the loader's sentence
// names the kinds that do take the key), and a kind's required keys are required.
const kindConditions: Record<string, unknown>[] = [
  ...RULE_KINDS.map((kind) => ({
    description: `The keys of ${kind} rules.`,
    if: { type: 'object', properties: { kind: { const: kind } }, required: ['kind'] },
    then: { type: 'object', properties: banned(KIND_SPECIFIC_KEYS.filter((k) => !KIND_KEYS[kind].includes(k))), ...required(KIND_REQUIRED[kind]) },
  })),
  ...GEO_CHECKS.map((check) => ({
    description: `The keys of geo rules with check: ${check}.`,
    if: { type: 'object', properties: { kind: { const: 'geo' }, check: { const: check } }, required: ['kind', 'check'] },
    then: { type: 'object', properties: banned(KIND_KEYS.geo.filter((k) => k !== 'check' && !GEO_CHECK_KEYS[check].includes(k))), ...required(GEO_CHECK_REQUIRED[check]) },
  })),
];

const Rule = Type.Object(ruleProperties, {
  additionalProperties: false,
  description: 'A detection rule. kind decides which keys apply.',
  allOf: kindConditions,
});

const TimeRangeSpec = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'RFC 3339 instant the range starts (inclusive).' }),
    to: Type.String({ format: 'date-time', description: 'RFC 3339 instant the range ends (exclusive); after from.' }),
  },
  { additionalProperties: false, description: 'A time range.' },
);

const Schedules = Type.Unsafe<Record<string, Static<typeof TimeRangeSpec>[]>>({
  type: 'object',
  description: 'Named time ranges (e.g. a quarter-end audit) that except: entries can refer to with schedule: NAME. Names are shared by all rule files.',
  propertyNames: { pattern: SCHEDULE_NAME_PATTERN },
  additionalProperties: Type.Array(TimeRangeSpec, { minItems: 1, description: 'The ranges of this schedule.' }),
});

export const RuleFileSchema = Type.Object(
  {
    schedules: Type.Optional(Schedules),
    rules: Type.Optional(Type.Array(Rule, { description: 'Detection rules; ids are unique across all files.' })),
  },
  { additionalProperties: false, title: 'Guardrail rule file', description: 'Guardrail rule file (rule language v1): rules and optionally schedules.' },
);

export type RuleFileSpec = Static<typeof RuleFileSchema>;
export type RuleSpec = Static<typeof Rule>;
export type BaselineSpecInput = Static<typeof Baseline>;
export type TimeRangeInput = Static<typeof TimeRangeSpec>;

/** The rule file JSON Schema (draft-07, what yaml-language-server handles), as plain JSON. */
export const ruleFileJsonSchema: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  ...(JSON.parse(JSON.stringify(RuleFileSchema)) as Record<string, unknown>),
};
