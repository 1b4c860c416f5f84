/* Valid rule files compile to the Ruleset the engine runs: units converted, defaults applied, composites ordered. */
import { describe, expect, it } from 'vitest';
import { compileRuleFiles, loadRules, type CompiledRule, type Ruleset } from '../../src/rules/index.js';
import { FIXTURES } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function compile(text: string): Ruleset {
  return compileRuleFiles([{ file: 'rules/test.yaml', text }]);
}

function byId(ruleset: Ruleset): Record<string, CompiledRule> {
  return Object.fromEntries(ruleset.rules.map((r) => [r.id, r]));
}

describe('the DESIGN.md example, exactly as written there', () => {
  const file = `${FIXTURES}/valid/design-example.yaml`;

  it('loads every rule with its units converted', async () => {
    const ruleset = await loadRules(file);
    const rules = byId(ruleset);
    expect(ruleset.files).toEqual([file]);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['bulk-download-spike', 'destructive-burst', 'off-hours', 'new-country', 'impossible-travel', 'untrusted-device', 'new-country-untrusted-device']);

    const audit = { name: 'quarter-end-audit', ranges: [{ fromMs: Date.parse('2026-12-28T00:00:00Z'), toMs: Date.parse('2027-01-05T00:00:00Z') }] };
    expect(ruleset.schedules.get('quarter-end-audit')).toEqual(audit);

    const bulk = rules['bulk-download-spike']!;
    expect(bulk).toMatchObject({
      kind: 'bulk_download',
      description: 'An agent moves far more data than it usually does.',
      severity: 'critical',
      mode: 'enforce',
      groupBy: ['agent.id'],
      windowMs: 5 * MIN,
      threshold: { bytes: 2_000_000_000 },
      baseline: { metric: 'bytes', historyMs: 14 * DAY, bucketMs: HOUR, above: 6, minHistoryMs: 3 * DAY, minObserved: 100_000_000, minRatio: 1, overPeak: 0 },
      actions: ['revoke_token', 'quarantine_agent', 'alert'],
      cooldownMs: 15 * MIN,
      source: { file, line: 7, column: 5 },
    });
    expect(bulk.match.conditions.map((c) => [c.path, c.values])).toEqual([
      ['action', ['download', 'export']],
      ['resource.sensitivity', ['confidential', 'restricted']],
    ]);
    expect(bulk.except).toHaveLength(2);
    expect(bulk.except[0]!.matcher.conditions).toEqual([{ path: 'principal.id', segments: ['principal', 'id'], op: 'in', values: ['svc-backup'] }]);
    expect(bulk.except[0]!.schedule).toBeUndefined();
    expect(bulk.except[1]!.matcher.conditions).toEqual([]);
    expect(bulk.except[1]!.schedule).toBe(ruleset.schedules.get('quarter-end-audit'));

    expect(rules['destructive-burst']).toMatchObject({ kind: 'rate', severity: 'medium', windowMs: MIN, threshold: { count: 50 }, actions: ['revoke_token', 'require_approval', 'alert'] });
    expect(rules['destructive-burst']).not.toHaveProperty('baseline');
    expect(rules['off-hours']).toMatchObject({
      kind: 'time_of_day',
      timezone: 'principal',
      fallbackTimezone: 'UTC',
      allow: [{ days: [1, 2, 3, 4, 5], fromMinute: 6 * 60, toMinute: 21 * 60 }],
      learned: { historyMs: 14 * DAY, minEvents: 200, rareBelow: 0.01 },
      actions: ['signal'],
    });
    expect(rules['new-country']).toMatchObject({ kind: 'geo', check: 'new_location', on: 'country', historyMs: 30 * DAY, minHistoryMs: 3 * DAY });
    expect(rules['impossible-travel']).toMatchObject({ kind: 'geo', check: 'impossible_travel', maxSpeedKmh: 900, minDistanceKm: 500 });
    expect(rules['untrusted-device']!.match.conditions).toEqual([{ path: 'source.device.managed', segments: ['source', 'device', 'managed'], op: 'in', values: [false] }]);
    expect(rules['new-country-untrusted-device']).toMatchObject({ kind: 'composite', allOf: ['new-country'], anyOf: ['untrusted-device', 'off-hours'], withinMs: 30 * MIN });
  });
});

describe('defaults', () => {
  it('fill in everything a rule leaves out', async () => {
    const rules = byId(await loadRules(`${FIXTURES}/valid/defaults.yaml`));
    const common = { severity: 'medium', mode: 'enforce', groupBy: ['agent.id'], cooldownMs: 15 * MIN, except: [] };
    for (const r of Object.values(rules)) {
      expect(r).toMatchObject(common);
      expect(r.match.conditions).toEqual([]);
      expect(r).not.toHaveProperty('description');
    }
    const baseline = { historyMs: 14 * DAY, bucketMs: HOUR, above: 6, minHistoryMs: 3 * DAY, minObserved: 0, minRatio: 1, overPeak: 0 };
    expect(rules['rate-min']).toMatchObject({ threshold: {}, baseline: { ...baseline, metric: 'count' } });
    expect(rules['bulk-min']).toMatchObject({ threshold: {}, baseline: { ...baseline, metric: 'bytes' } });
    expect(rules['tod-min']).toMatchObject({ timezone: 'principal', fallbackTimezone: 'UTC', learned: { historyMs: 14 * DAY, minEvents: 200, rareBelow: 0.01 } });
    expect(rules['tod-min']).not.toHaveProperty('allow');
    expect(rules['new-location-min']).toMatchObject({ on: 'country', historyMs: 30 * DAY, minHistoryMs: 3 * DAY });
    expect(rules['travel-min']).toMatchObject({ maxSpeedKmh: 900, minDistanceKm: 500 });
    expect(rules['composite-min']).toMatchObject({ allOf: ['new-location-min'], anyOf: [], withinMs: 30 * MIN });
  });
});

describe('units and extensions', () => {
  it('converts sizes and counts, and keeps explicit settings', () => {
    const rules = byId(
      compile(`
rules:
  - id: big
    kind: bulk_download
    mode: shadow
    failMode: open
    severity: high
    groupBy: [principal.id, resource.type]
    window: 12h
    threshold: { bytes: 512MiB, records: 10000, count: 40 }
    baseline: { metric: records, history: 7d, bucket: 1d, minHistory: 0s, minObserved: 5000, above: 4.5, minRatio: 3, overPeak: 2 }
    cooldown: 0s
    actions: [require_approval]
  - id: plain-bytes
    kind: bulk_download
    window: 1h
    threshold: { bytes: 1048576 }
    baseline: { minObserved: 20MB }
    actions: [alert]
`),
    );
    expect(rules['plain-bytes']!.failMode).toBeUndefined();
    expect(rules['big']).toMatchObject({
      mode: 'shadow',
      failMode: 'open',
      severity: 'high',
      groupBy: ['principal.id', 'resource.type'],
      windowMs: 12 * HOUR,
      threshold: { bytes: 536_870_912, records: 10_000, count: 40 },
      baseline: { metric: 'records', historyMs: 7 * DAY, bucketMs: DAY, minHistoryMs: 0, minObserved: 5000, above: 4.5, minRatio: 3, overPeak: 2 },
      cooldownMs: 0,
    });
    expect(rules['plain-bytes']).toMatchObject({ threshold: { bytes: 1_048_576 }, baseline: { metric: 'bytes', minObserved: 20_000_000 } });
  });

  it('compiles hours that wrap midnight, all-day spans, days without a list, and fixed zones', () => {
    const rule = compile(`
rules:
  - id: night-shift
    kind: time_of_day
    timezone: America/New_York
    allow:
      - { days: [sun, sat], hours: "22:00-06:00" }
      - { hours: "00:00-24:00" }
    actions: [signal]
`).rules[0]!;
    expect(rule).toMatchObject({
      timezone: 'America/New_York',
      allow: [
        { days: [0, 6], fromMinute: 22 * 60, toMinute: 6 * 60 },
        { days: [0, 1, 2, 3, 4, 5, 6], fromMinute: 0, toMinute: 24 * 60 },
      ],
    });
    expect(rule).not.toHaveProperty('learned');
  });

  it('compiles geo checks with their own keys', () => {
    const rules = byId(
      compile(`
rules:
  - id: eu-only
    kind: geo
    check: country_allowlist
    countries: [DE, FR, NL]
    actions: [alert]
  - id: new-network
    kind: geo
    check: new_location
    on: network
    history: 7d
    minHistory: 1d
    actions: [signal]
  - id: far
    kind: geo
    check: impossible_travel
    groupBy: [token.id]
    maxSpeedKmh: 1000
    minDistanceKm: 300
    actions: [revoke_token]
  - id: with-fallback
    kind: time_of_day
    fallbackTimezone: Europe/Berlin
    allow: [{ hours: "07:00-19:00" }]
    actions: [signal]
`),
    );
    expect(rules['eu-only']).toMatchObject({ check: 'country_allowlist', countries: ['DE', 'FR', 'NL'] });
    expect(rules['new-network']).toMatchObject({ check: 'new_location', on: 'network', historyMs: 7 * DAY, minHistoryMs: DAY });
    expect(rules['far']).toMatchObject({ check: 'impossible_travel', groupBy: ['token.id'], maxSpeedKmh: 1000, minDistanceKm: 300 });
    expect(rules['with-fallback']).toMatchObject({ timezone: 'principal', fallbackTimezone: 'Europe/Berlin' });
  });

  it('lets rules share settings through YAML anchors and merge keys', () => {
    const rules = compile(`
rules:
  - &signal
    id: first
    kind: match
    match: { source.network: { not: [corporate, vpn] } }
    actions: [signal]
  - <<: *signal
    id: second
    severity: low
`).rules;
    expect(rules.map((r) => [r.id, r.severity, r.match.conditions[0]?.op])).toEqual([
      ['first', 'medium', 'not_in'],
      ['second', 'low', 'not_in'],
    ]);
    expect(rules[1]!.source).toEqual({ file: 'rules/test.yaml', line: 8, column: 5 });
  });

  it('takes schedules from any file, and a file of schedules alone', () => {
    const ruleset = compileRuleFiles([
      { file: 'rules/schedules.yaml', text: 'schedules:\n  freeze:\n    - { from: "2026-12-24T00:00:00+01:00", to: "2026-12-27T00:00:00+01:00" }\n    - { from: 2027-03-01T00:00:00Z, to: 2027-03-02T00:00:00Z }\n' },
      { file: 'rules/deletes.yaml', text: 'rules:\n  - id: deletes\n    kind: rate\n    window: 1m\n    threshold: { count: 5 }\n    except: [{ schedule: freeze, action: delete }]\n    actions: [alert]\n' },
    ]);
    expect(ruleset.files).toEqual(['rules/schedules.yaml', 'rules/deletes.yaml']);
    const freeze = ruleset.schedules.get('freeze')!;
    expect(freeze.ranges).toEqual([
      { fromMs: Date.parse('2026-12-23T23:00:00Z'), toMs: Date.parse('2026-12-26T23:00:00Z') },
      { fromMs: Date.parse('2027-03-01T00:00:00Z'), toMs: Date.parse('2027-03-02T00:00:00Z') },
    ]);
    const except = ruleset.rules[0]!.except[0]!;
    expect(except.schedule).toBe(freeze);
    expect(except.matcher.conditions.map((c) => c.path)).toEqual(['action']);
  });
});

describe('evaluation order', () => {
  it('puts every composite after the rules it reads, keeping file order otherwise', () => {
    const ruleset = compileRuleFiles([
      {
        file: 'rules/combined.yaml',
        text: `
rules:
  - id: worst
    kind: composite
    allOf: [bad-place, exfil]
    actions: [revoke_token]
  - id: bad-place
    kind: composite
    anyOf: [new-country, travel]
    actions: [signal]
  - id: lonely
    kind: match
    actions: [alert]
`,
      },
      {
        file: 'rules/signals.yaml',
        text: `
rules:
  - { id: new-country, kind: geo, check: new_location, actions: [signal] }
  - { id: exfil, kind: bulk_download, window: 1h, threshold: { bytes: 1GB }, actions: [signal] }
  - { id: travel, kind: geo, check: impossible_travel, actions: [signal] }
`,
      },
    ]);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['lonely', 'new-country', 'exfil', 'travel', 'bad-place', 'worst']);
  });
});
