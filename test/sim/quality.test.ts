/* The quality scorer on hand-made events and detections: restricted, detected, leaked, false restrictions. */
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/engine/types.js';
import type { Action, Mode } from '../../src/rules/types.js';
import { formatDuration, formatQualityReport, scoreQuality, type ScoredEvent } from '../../src/sim/index.js';

const T0 = Date.parse('2026-10-12T09:00:00Z');
const MIN = 60_000;

function ev(id: string, minute: number, agent: string, bytes: number, labels: Record<string, string>, token = `tok-${agent}`): ScoredEvent {
  return { id, time: new Date(T0 + minute * MIN).toISOString(), agent: { id: agent }, token: { id: token }, volume: { bytes }, labels };
}

const attack = (profile: string, kind: string, id: string) => ({ sim_profile: profile, sim_attack: kind, sim_attack_id: id });

let n = 0;
function det(rule: string, minute: number, eventIds: string[], opts: { agent?: string; token?: string; mode?: Mode; actions?: Action[]; evidence?: Record<string, unknown> } = {}): Detection {
  const agent = opts.agent ?? 'a-x';
  return {
    id: `det-${++n}`,
    time: new Date(T0 + minute * MIN).toISOString(),
    detectedAt: new Date(T0 + minute * MIN + 3).toISOString(),
    rule: { id: rule, kind: 'rate', severity: 'high' },
    mode: opts.mode ?? 'enforce',
    subject: { agentId: agent, principalId: null, tokenId: opts.token ?? `tok-${agent}`, sessionId: null },
    groupKey: { 'agent.id': agent },
    actions: opts.actions ?? ['revoke_token', 'alert'],
    reason: 'test',
    evidence: opts.evidence ?? {},
    eventIds,
    suppressed: 0,
  };
}

// Benign traffic of three agents, and four attacks.
const events: ScoredEvent[] = [
  ev('b1', 0, 'a-office', 1_000, { sim_profile: 'office_assistant' }),
  ev('b2', 1, 'a-batch', 5_000, { sim_profile: 'nightly_batch' }),
  ev('b3', 2, 'a-phone', 2_000, { sim_profile: 'evening_phone' }),
  // A bulk export restricted at its second event.
  ev('x1', 10, 'a-office', 100, attack('office_assistant', 'bulk_export', 'atk-bulk-1')),
  ev('x2', 12, 'a-office', 200, attack('office_assistant', 'bulk_export', 'atk-bulk-1')),
  ev('x3', 14, 'a-office', 400, attack('office_assistant', 'bulk_export', 'atk-bulk-1')),
  // A scrape flood only seen by a shadow rule.
  ev('s1', 20, 'a-crm', 10, attack('crm_support', 'scrape_flood', 'atk-scrape-1')),
  ev('s2', 21, 'a-crm', 20, attack('crm_support', 'scrape_flood', 'atk-scrape-1')),
  // A delete loop that raised an alert and nothing more.
  ev('d1', 30, 'a-code', 0, attack('coding_agent', 'delete_loop', 'atk-delete-1')),
  // A replayed token: the owner's next use of it is what gets it revoked.
  ev('r1', 40, 'a-sales', 50, attack('office_assistant', 'token_replay', 'atk-replay-1'), 'tok-stolen'),
  ev('r2', 41, 'a-sales', 70, attack('office_assistant', 'token_replay', 'atk-replay-1'), 'tok-stolen'),
  ev('b4', 45, 'a-sales', 10, { sim_profile: 'office_assistant' }, 'tok-stolen'),
  // The thief tries the token again after the revocation: stopped, not leaked.
  ev('r3', 50, 'a-sales', 90, attack('office_assistant', 'token_replay', 'atk-replay-1'), 'tok-stolen'),
];

describe('scoreQuality', () => {
  const detections = [
    det('bulk-late', 14, ['x3'], { agent: 'a-office' }),
    det('bulk-first', 12, ['x1', 'x2'], { agent: 'a-office', actions: ['quarantine_agent', 'alert'] }),
    det('scrape-shadow', 21, ['s2'], { agent: 'a-crm', mode: 'shadow', actions: ['revoke_token', 'alert'] }),
    det('delete-alert', 30, ['d1'], { agent: 'a-code', actions: ['alert'] }),
    det('token-replay', 45, ['b4'], { agent: 'a-sales', token: 'tok-stolen' }),
    det('noisy-revoke', 1, ['b2'], { agent: 'a-batch' }),
    det('noisy-revoke', 2, ['b3'], { agent: 'a-phone', actions: ['quarantine_agent'] }),
    det('noisy-approval', 0, ['b1'], { agent: 'a-office', actions: ['require_approval', 'alert'] }),
    det('noisy-shadow', 2, ['b3'], { agent: 'a-phone', mode: 'shadow', actions: ['revoke_token'] }),
  ];
  const r = scoreQuality(events, detections);
  const inst = (id: string) => r.instances.find((i) => i.id === id);
  const kind = (k: string) => r.kinds.find((x) => x.kind === k);

  it('counts an attack restricted from its earliest restricting detection, with what leaked until then', () => {
    const bulk = inst('atk-bulk-1');
    expect(bulk?.restricted).toBe(true);
    expect(bulk?.restrictedAt).toBe(new Date(T0 + 12 * MIN).toISOString());
    expect(bulk?.restrictedBy).toEqual(['bulk-first', 'bulk-late']);
    expect(bulk?.leakedEvents).toBe(2);
    expect(bulk?.leakedBytes).toBe(300);
    expect(bulk?.bytes).toBe(700);
    expect(bulk?.timeToRestrictMs).toBe(2 * MIN);
    expect(kind('bulk_export')).toMatchObject({ attacks: 1, restricted: 1, detected: 1, leakedEvents: 2, leakedBytes: 300, medianTimeToRestrictMs: 2 * MIN });
  });

  it('counts shadow and alert-only detections as detected but not restricted, and everything as leaked', () => {
    expect(inst('atk-scrape-1')).toMatchObject({ restricted: false, detected: true, detectedBy: ['scrape-shadow'], leakedEvents: 2, leakedBytes: 30, timeToRestrictMs: null });
    expect(inst('atk-delete-1')).toMatchObject({ restricted: false, detected: true, leakedEvents: 1 });
    expect(kind('delete_loop')?.missed).toEqual(['atk-delete-1']);
  });

  it('credits a revocation of a stolen token triggered by its owner, without calling it false', () => {
    expect(inst('atk-replay-1')).toMatchObject({ restricted: true, restrictedBy: ['token-replay (same token)'], leakedEvents: 2, leakedBytes: 120 });
    expect(r.sameTokenRestrictions).toBe(1);
    expect(r.falseRestrictions.list.map((f) => f.detectionId)).not.toContain(detections[4]?.id);
  });

  it('lists restricting enforce detections on benign traffic as false restrictions, by rule and profile', () => {
    expect(r.falseRestrictions.total).toBe(2);
    expect(r.falseRestrictions.byRule).toEqual({ 'noisy-revoke': 2 });
    expect(r.falseRestrictions.byProfile).toEqual({ nightly_batch: 1, evening_phone: 1 });
  });

  it('counts non-restricting detections on benign traffic as benign alerts', () => {
    expect(r.benignAlerts.total).toBe(2);
    expect(r.benignAlerts.byRule).toEqual({ 'noisy-approval': 1, 'noisy-shadow': 1 });
  });

  it('sums the kinds into an overall line and fails when anything was missed or falsely restricted', () => {
    expect(r.overall).toMatchObject({ attacks: 4, restricted: 2, detected: 4, events: 9, leakedEvents: 7 });
    expect(r.overall.missed).toEqual(['atk-delete-1', 'atk-scrape-1']);
    expect(r.pass).toBe(false);
    expect(kind('offhours_exfil')).toMatchObject({ attacks: 0, restricted: 0 });
    const table = formatQualityReport(r);
    expect(table).toMatch(/bulk_export\s+1\s+1\/1\s+1\/1\s+2\/3/);
    expect(table).toContain('noisy-revoke');
    expect(table).toContain('FAIL');
  });

  it('passes when every attack is restricted and nothing benign is', () => {
    const ok = scoreQuality(events.slice(0, 6), [det('bulk', 10, ['x1'], { agent: 'a-office' }), det('alert', 0, ['b1'], { actions: ['alert'] })]);
    expect(ok.pass).toBe(true);
    expect(ok.overall).toMatchObject({ attacks: 1, restricted: 1, leakedEvents: 1, leakedBytes: 100 });
  });

  it('attributes a composite to the attack events behind its signals', () => {
    const composite = det('combo', 50, ['b4'], { agent: 'a-sales', token: 'tok-other', evidence: { within: '30m', signals: { 'new-place': { time: 'x', eventId: 'r1' } } } });
    const c = scoreQuality(events, [composite]);
    expect(c.instances.find((i) => i.id === 'atk-replay-1')?.restrictedBy).toEqual(['combo']);
    expect(c.falseRestrictions.total).toBe(0);
  });

  it('credits a window rule fired by a benign event while attack traffic is in its window, and only then', () => {
    const inWindow = det('slow', 44, ['b4'], { agent: 'a-sales', token: 'tok-new', evidence: { window: '12h' } });
    const tooLate = det('slow', 60 * 14, ['b4'], { agent: 'a-sales', token: 'tok-new', evidence: { window: '12h' } });
    const c = scoreQuality(events, [inWindow, tooLate]);
    expect(c.instances.find((i) => i.id === 'atk-replay-1')?.restrictedBy).toEqual(['slow (in window)']);
    expect(c.inWindowRestrictions).toBe(1);
    expect(c.falseRestrictions.total).toBe(1);
  });

  it('credits a composite whose earliest signal looked back over attack traffic, and only then', () => {
    // Signals at 09:44 and 11:50, within 2h of each other: the earlier one looked back over the
    // replay at 09:40-09:41, which the detection's own last 2h no longer hold.
    const at = (minute: number) => new Date(T0 + minute * MIN).toISOString();
    const signals = (first: number) => ({ within: '2h', signals: { a: { time: at(first), eventId: 'b4' }, b: { time: at(170), eventId: 'b4' } } });
    const covered = det('day-combo', 170, ['b4'], { agent: 'a-sales', token: 'tok-new', evidence: signals(44) });
    const uncovered = det('day-combo', 170, ['b4'], { agent: 'a-sales', token: 'tok-new', evidence: signals(170) });
    const c = scoreQuality(events, [covered]);
    expect(c.instances.find((i) => i.id === 'atk-replay-1')?.restrictedBy).toEqual(['day-combo (in window)']);
    expect(c.falseRestrictions.total).toBe(0);
    expect(scoreQuality(events, [uncovered]).falseRestrictions.total).toBe(1);
  });

  it('counts a restriction after the attack\'s last event as detected, not restricted', () => {
    const late = scoreQuality(events.slice(9, 11), [det('token-replay', 45, ['b4'], { agent: 'a-sales', token: 'tok-stolen' })]);
    expect(late.instances[0]).toMatchObject({ id: 'atk-replay-1', restricted: false, detected: true, restrictedAt: null, timeToRestrictMs: null, leakedEvents: 2 });
    expect(late.pass).toBe(false);
  });

  it('counts as leaked what a restriction did not stop: another token, or after the quarantine ended', () => {
    const a = (id: string, minute: number, token: string) => ev(id, minute, 'a-exfil', 100, attack('data_analyst', 'slow_exfil', 'atk-exfil-1'), token);
    const stream = [a('e1', 0, 'tok-1'), a('e2', 10, 'tok-1'), a('e3', 20, 'tok-2'), a('e4', 30, 'tok-1'), a('e5', 200, 'tok-1')];
    // tok-1 revoked at e2: e4 and e5 on tok-1 are stopped; e3 on a new token is not.
    const revoked = scoreQuality(stream, [det('exfil', 10, ['e2'], { agent: 'a-exfil', token: 'tok-1' })]);
    expect(revoked.instances[0]).toMatchObject({ restricted: true, leakedEvents: 3, leakedBytes: 300 });
    // The agent quarantined at e2 for an hour: e3 and e4 are stopped, e5 (three hours later) is not.
    const quarantined = scoreQuality(stream, [det('exfil', 10, ['e2'], { agent: 'a-exfil', token: 'tok-1', actions: ['quarantine_agent'] })]);
    expect(quarantined.instances[0]).toMatchObject({ restricted: true, leakedEvents: 3 });
    expect(quarantined.overall.leakedEvents).toBe(3);
    // A rule cooling down for 12 hours quarantines for 12 hours (guardrail run's quarantineMs): e5 is
    // stopped too; a cooldown shorter than the hour changes nothing.
    const quarantine = [det('exfil', 10, ['e2'], { agent: 'a-exfil', token: 'tok-1', actions: ['quarantine_agent'] })];
    expect(scoreQuality(stream, quarantine, { cooldownMsOf: (id) => (id === 'exfil' ? 12 * 60 * MIN : undefined) }).instances[0]).toMatchObject({ leakedEvents: 2 });
    expect(scoreQuality(stream, quarantine, { cooldownMsOf: () => 15 * MIN }).instances[0]).toMatchObject({ leakedEvents: 3 });
  });

  it('does not pass a file with no labelled attack, and skips an attack event whose time does not parse', () => {
    const none = scoreQuality(events.slice(0, 3), []);
    expect(none.pass).toBe(false);
    expect(formatQualityReport(none)).toContain('result: FAIL (no labelled attack events: nothing was scored');
    const bad = scoreQuality([...events.slice(0, 6), { ...ev('x9', 16, 'a-office', 1, attack('office_assistant', 'bulk_export', 'atk-bulk-1')), time: 'soon' }], [det('bulk', 10, ['x1'], { agent: 'a-office' })]);
    expect(bad.instances[0]).toMatchObject({ id: 'atk-bulk-1', events: 3, restricted: true });
  });

  it('rounds durations before splitting them', () => {
    expect(formatDuration(119_600)).toBe('2m00s');
    expect(formatDuration(59_700)).toBe('1m00s');
    expect(formatDuration(7_199_000)).toBe('2h00m');
    expect(formatDuration(3_569_000)).toBe('59m29s');
    expect(formatDuration(12_300)).toBe('12s');
  });

  it('scores an attack event delivered twice, and a detection published twice, once', () => {
    const twice = scoreQuality([...events.slice(0, 6), events[4]!], [det('bulk', 12, ['x2'], { agent: 'a-office' }), det('noisy', 1, ['b2'], { agent: 'a-batch' })]);
    expect(twice.instances[0]).toMatchObject({ id: 'atk-bulk-1', events: 3, leakedEvents: 2 });
    const d = det('noisy', 1, ['b2'], { agent: 'a-batch' });
    expect(scoreQuality(events.slice(0, 6), [d, { ...d }]).falseRestrictions.total).toBe(1);
  });
});
