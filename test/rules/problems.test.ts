/*
 * One fixture per failure mode, each asserting the exact lines `guardrail validate` prints,
 * file:line:column included (envoy ratelimit tests each config failure by its message).
 */
import { describe, expect, it } from 'vitest';
import { compileRuleFiles } from '../../src/rules/index.js';
import { FIXTURES, problemsOf } from './helpers.js';

const dir = `${FIXTURES}/invalid`;

const CASES: [fixture: string, expected: string[]][] = [
  // Structure: unknown keys, types, enums
  ['unknown-key', ['unknown-key.yaml:5:5: rules[0]: unknown key "treshold" — did you mean "threshold"?']],
  ['unknown-top-level-key', ['unknown-top-level-key.yaml:1:1: unknown key "rule" — did you mean "rules"?']],
  ['wrong-type-list', ['wrong-type-list.yaml:4:14: rules[0].groupBy: must be a list of dotted event paths (write [token.id] for one)']],
  ['single-action-not-a-list', ['single-action-not-a-list.yaml:4:14: rules[0].actions: must be a list of actions (write [alert] for one)']],
  ['wrong-type-text', ['wrong-type-text.yaml:3:18: rules[0].description: must be text (quote it: "42")']],
  ['bad-severity', ['bad-severity.yaml:4:15: rules[0].severity: "critcal" is not a severity (use info, low, medium, high, critical)']],
  ['bad-fail-mode', ['bad-fail-mode.yaml:4:15: rules[0].failMode: "sometimes" is not a fail mode (use closed, open)']],
  ['unknown-kind', ['unknown-kind.yaml:3:11: rules[0].kind: "rates" is not a rule kind (use rate, bulk_download, time_of_day, geo, match, composite)']],
  ['unknown-action', ['unknown-action.yaml:4:15: rules[0].actions[0]: "revoke" is not an action (use revoke_token, quarantine_agent, require_approval, alert, signal)']],
  ['duplicate-action', ['duplicate-action.yaml:4:36: rules[0].actions[2]: "alert" is listed twice']],
  ['empty-actions', ['empty-actions.yaml:4:14: rules[0].actions: must list at least one action (signal feeds composite rules only)']],
  ['missing-id', ['missing-id.yaml:2:5: rules[0]: missing required key "id" (e.g. id: bulk-download-spike)']],
  ['missing-actions', ['missing-actions.yaml:2:5: rules[0]: missing required key "actions" (e.g. actions: [alert])']],
  ['bad-rule-id', ['bad-rule-id.yaml:2:9: rules[0].id: "bulk download" is not a rule id (use letters, digits, dot, dash and underscore, starting with a letter or digit)']],
  ['negative-number', ['negative-number.yaml:5:18: rules[0].maxSpeedKmh: must be more than 0']],

  // Units
  ['bad-duration', ['bad-duration.yaml:4:13: rules[0].window: "5 minutes" is not a duration (use 30s, 5m, 1h, 7d)']],
  ['duration-without-unit', ['duration-without-unit.yaml:4:13: rules[0].window: 5 is not a duration: give it a unit (use 30s, 5m, 1h, 7d)']],
  ['zero-duration', ['zero-duration.yaml:4:13: rules[0].window: must be longer than 0s']],
  ['bad-size', ['bad-size.yaml:5:25: rules[0].threshold.bytes: "2 gigs" is not a size (use 500KB, 10MB, 2GB or 512MiB)']],
  ['size-for-count', ['size-for-count.yaml:6:20: rules[0].baseline.minObserved: "100MB" is a size, but a rate baseline counts events unless metric: bytes; give a whole number']],

  // Keys per kind
  ['key-of-another-kind', ['key-of-another-kind.yaml:5:5: rules[0].window: "window" does not apply to geo rules (it is for rate and bulk_download rules)']],
  ['geo-without-check', ['geo-without-check.yaml:2:5: rules[0]: geo rules need "check" (one of new_location, impossible_travel, country_allowlist)']],
  ['key-of-another-check', ['key-of-another-check.yaml:5:5: rules[0].on: "on" does not apply to check: impossible_travel (it is for check: new_location)']],
  ['allowlist-without-countries', ['allowlist-without-countries.yaml:2:5: rules[0]: check: country_allowlist needs "countries" (e.g. countries: [DE, FR])']],
  ['bad-country', ['bad-country.yaml:5:21: rules[0].countries[1]: "fr" is not a country code (use ISO 3166-1 alpha-2 in upper case, e.g. DE)']],
  ['rate-without-window', ['rate-without-window.yaml:2:5: rules[0]: rate rules need "window" (e.g. window: 5m)']],
  ['window-rule-without-limits', ['window-rule-without-limits.yaml:2:5: rules[0]: rate rules need a threshold, a baseline, or both']],
  ['empty-threshold', ['empty-threshold.yaml:5:16: rules[0].threshold: must set at least one of count, bytes, records']],

  // Baselines and history
  ['baseline-bucket-longer-than-history', ['baseline-bucket-longer-than-history.yaml:5:39: rules[0].baseline.bucket: bucket 1d is longer than history 12h']],
  ['baseline-history-not-whole-buckets', ['baseline-history-not-whole-buckets.yaml:5:26: rules[0].baseline.history: history 10h is not a whole number of buckets (bucket 3h)']],
  [
    'threshold-until-trusted-without-threshold',
    ['threshold-until-trusted-without-threshold.yaml:5:58: rules[0].baseline.thresholdUntilTrusted: the rule has no threshold to apply until the baseline is trusted; add one, or drop this key'],
  ],
  ['baseline-too-few-buckets', ['baseline-too-few-buckets.yaml:5:26: rules[0].baseline.history: history 4d holds 4 buckets (bucket 1d), and a baseline needs 5 with activity before it is trusted, so the rule would never fire; make the history at least 5d']],
  [
    'baseline-min-history-too-long',
    ['baseline-min-history-too-long.yaml:6:16: rules[0].baseline.history: minHistory (default 3d) is longer than history 2d, so the baseline would never be trusted'],
  ],
  ['geo-min-history-too-long', ['geo-min-history-too-long.yaml:6:17: rules[0].minHistory: minHistory 5d is longer than history 2d, so no location would ever count as new']],

  // Time of day
  ['time-of-day-without-allow-or-learned', ['time-of-day-without-allow-or-learned.yaml:2:5: rules[0]: time_of_day rules need allow, learned, or both']],
  [
    'bad-timezone',
    ['bad-timezone.yaml:4:15: rules[0].timezone: "Europe/Berln" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC) or principal — did you mean "Europe/Berlin"?'],
  ],
  ['bad-fallback-timezone', ['bad-fallback-timezone.yaml:4:23: rules[0].fallbackTimezone: "CEST" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)']],
  ['bad-hours', ['bad-hours.yaml:4:35: rules[0].allow[0].hours: "6-21" is not a span of hours (use HH:MM-HH:MM on a 24-hour clock, e.g. "06:00-21:00" or "22:00-06:00")']],
  ['empty-hours', ['empty-hours.yaml:4:35: rules[0].allow[0].hours: "08:00-08:00" is an empty span (for the whole day use "00:00-24:00")']],
  ['bad-day', ['bad-day.yaml:4:27: rules[0].allow[0].days[1]: "tues" is not a day (use mon, tue, wed, thu, fri, sat, sun)']],

  // Composites
  ['composite-unknown-rule', ['composite-unknown-rule.yaml:8:13: rules[1].allOf[0]: no rule has id "new-contry" — did you mean "new-country"?']],
  ['composite-reads-itself', ['composite-reads-itself.yaml:4:13: rules[0].anyOf[0]: a composite cannot read itself']],
  ['composite-loop', ['composite-loop.yaml:8:13: rules[1].allOf[0]: "a" reads this rule back, a loop (a → b → a); composites cannot depend on each other in a circle']],
  ['composite-empty', ['composite-empty.yaml:2:5: rules[0]: composite rules need allOf, anyOf, or both, naming the rules they combine']],

  // Match and except
  ['match-nested-mapping', ['match-nested-mapping.yaml:5:15: rules[0].match.source: a nested mapping is not a condition; write the dotted path instead (e.g. source.device.managed: ...)']],
  ['match-misspelt-not', ['match-misspelt-not.yaml:5:23: rules[0].match["source.network"]: unknown key "nto" — did you mean "not"?']],
  // Values of contract fields compare by type and value: one that cannot match is a rule that silently matches nothing.
  ['match-enum-case', ['match-enum-case.yaml:5:29: rules[0].match["resource.sensitivity"]: "Restricted" is not one of public, internal, confidential, restricted, so it never matches (values compare exactly: restricted)']],
  ['match-boolean-as-text', ['match-boolean-as-text.yaml:5:30: rules[0].match["source.device.managed"]: source.device.managed is true or false, so "false" never matches (write false without quotes)']],
  ['match-number-for-text', ['match-number-for-text.yaml:5:21: rules[0].match["principal.id"]: principal.id is text, so 7 never matches; quote it ("7")']],
  // A path one slip from a contract field is a typo: the condition would test a field no event has.
  [
    'match-misspelt-path',
    ['match-misspelt-path.yaml:5:7: rules[0].match["source.devise.managed"]: source.devise is not in the event contract — did you mean "source.device"? (a rule may match fields the contract does not define, but one this close to a defined field is taken for a typo)'],
  ],
  [
    'except-misspelt-path',
    ['except-misspelt-path.yaml:7:11: rules[0].except[0]["resource.sensitvity"]: resource.sensitvity is not in the event contract — did you mean "resource.sensitivity"? (a rule may match fields the contract does not define, but one this close to a defined field is taken for a typo)'],
  ],
  [
    'groupby-misspelt-path',
    ['groupby-misspelt-path.yaml:4:15: rules[0].groupBy[0]: principal.tennant is not in the event contract — did you mean "principal.tenant"? (a rule may match fields the contract does not define, but one this close to a defined field is taken for a typo)'],
  ],
  ['groupby-object', ['groupby-object.yaml:4:15: rules[0].groupBy[0]: principal is an object, so no event has a value to group by and the rule would never fire; group by one of its fields (principal.id, principal.tenant, principal.timezone)']],
  ['match-empty-list', ['match-empty-list.yaml:5:15: rules[0].match.action: an empty list matches nothing (list the values, or remove the key)']],
  ['match-bad-path', ['match-bad-path.yaml:5:7: rules[0].match: "source..network" is not an event path (use dotted names such as resource.sensitivity)']],
  ['match-label-number', ['match-label-number.yaml:5:20: rules[0].match["labels.tier"]: labels are text, so 1 never matches; quote it ("1")']],
  ['except-empty-entry', ['except-empty-entry.yaml:6:9: rules[0].except[0]: an empty entry would suppress every event; give event paths to match or a schedule']],
  ['except-unknown-schedule', ['except-unknown-schedule.yaml:11:19: rules[0].except[0].schedule: no schedule named "quarter-end" (defined: quarter-end-audit)']],
  ['except-misspelt-schedule', ['except-misspelt-schedule.yaml:11:9: rules[0].except[0]: unknown key "shedule" — did you mean "schedule"?']],

  // Schedules
  ['schedule-ends-before-start', ['schedule-ends-before-start.yaml:4:11: schedules.audit[0].to: must be after from (2027-01-05T00:00:00Z)']],
  ['schedule-bad-instant', ['schedule-bad-instant.yaml:3:13: schedules.audit[0].from: "2026-12-28" is not an RFC 3339 instant (e.g. 2026-12-28T00:00:00Z)']],

  // YAML itself, and files without rules
  ['yaml-syntax-error', ['yaml-syntax-error.yaml:4:1: YAML syntax: this line is indented like a list item but has no "- " (check its indentation)']],
  ['yaml-duplicate-key', ['yaml-duplicate-key.yaml:4:5: duplicate key "kind" (a key may appear once per mapping)']],
  ['not-a-mapping', ['not-a-mapping.yaml:2:1: a rule file is a mapping with rules: (a list) and optionally schedules:']],
  ['rules-not-a-list', ['rules-not-a-list.yaml:2:3: rules: must be a list of rules']],
  ['no-rules', ['no-rules.yaml:1:1: no rules: a rule file holds a rules: list (`guardrail schema rules` prints the format)']],
];

describe('each failure mode has its own located sentence', () => {
  it.each(CASES)('%s', async (fixture, expected) => {
    expect(await problemsOf(`${dir}/${fixture}.yaml`)).toEqual(expected.map((line) => `${dir}/${line}`));
  });

  it('a duplicate id in a second file points at it and names the first', async () => {
    expect(await problemsOf(`${dir}/duplicate-id`)).toEqual([
      `${dir}/duplicate-id/b.yaml:6:9: rules[1].id: "exfil" is already the id of the rule at ${dir}/duplicate-id/a.yaml:2 (ids are unique across all files)`,
    ]);
  });

  it('a schedule defined in two files points at the second', async () => {
    expect(await problemsOf(`${dir}/duplicate-schedule`)).toEqual([
      `${dir}/duplicate-schedule/b.yaml:2:3: schedules.audit: a schedule named "audit" is already defined at ${dir}/duplicate-schedule/a.yaml:3 (names are shared by all rule files)`,
    ]);
  });

  it('fields the contract does not define, and labels, may be matched and grouped by, also when their names are near a contract field', () => {
    // Short names one letter from a contract field (ip and id, kid and id) and names two edits away
    // (version and session, tenantId and tenant) are fields of their own, not typos.
    const text = [
      'rules:',
      '  - id: r',
      '    kind: rate',
      '    match: { source.posture: weak, labels.evn: prod, x-trace.sampled: true, version: 2, source.isp: acme, token.kid: k1, principal.tenantId: t1, actor: { exists: true } }',
      '    groupBy: [labels.team, agent.ip]',
      '    window: 1m',
      '    threshold: { count: 5 }',
      '    actions: [alert]',
    ].join('\n');
    expect(compileRuleFiles([{ file: 'r.yaml', text }]).rules.map((r) => r.id)).toEqual(['r']);
  });

  it('never shows Ajv wording', async () => {
    const lines = (await Promise.all(CASES.map(([f]) => problemsOf(`${dir}/${f}.yaml`)))).flat();
    for (const line of lines) expect(line).not.toMatch(/must NOT|must have required|additional propert|must match|must be equal to|must be (string|integer|array|object|boolean)\b/);
  });
});
