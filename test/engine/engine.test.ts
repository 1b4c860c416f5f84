import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import type { Detection } from '../../src/engine/index.js';
import type { DecodedEvent } from '../../src/events/types.js';
import { MemoryStore } from '../../src/state/index.js';
import { event, rules, T0 } from './helpers.js';

const DELETE_BURST = `
rules:
  - id: destructive-burst
    kind: rate
    severity: critical
    match: { action: [delete] }
    window: 1m
    threshold: { count: 5 }
    actions: [revoke_token, require_approval, alert]
    cooldown: 10m
`;

async function run(yaml: string, events: DecodedEvent[], batchSize = events.length): Promise<{ detections: Detection[]; engine: Engine }> {
  const engine = new Engine({ ruleset: rules(yaml), store: new MemoryStore(), now: () => T0 + 123 });
  const detections: Detection[] = [];
  for (let i = 0; i < events.length; i += batchSize) detections.push(...(await engine.process(events.slice(i, i + batchSize))).detections);
  return { detections, engine };
}

const deletes = (count: number, from = T0, everyMs = 1000, extra: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, i) => event({ action: 'delete', resource: { type: 'db.row' }, t: from + i * everyMs, ...extra }));

describe('engine', () => {
  it('gives the same detections whatever the batch size, also when the store sweeps idle keys in between', async () => {
    // Agent A once, then 20,010 other agents 12 minutes later (enough opens for the memory store to
    // sweep, and A's 1-minute window idle past its retention), then A four times: a sweep in the
    // middle of a batch dropped A's state the batch held open, and the burst went unseen.
    const events = [
      event({ t: T0, action: 'delete', agent: { id: 'A' } }),
      ...Array.from({ length: 20_010 }, (_, i) => event({ t: T0 + 12 * 60_000, action: 'delete', agent: { id: `other-${i}` } })),
      ...[1, 2, 3, 10].map((s) => event({ t: T0 + 12 * 60_000 + s * 1000, action: 'delete', agent: { id: 'A' } })),
    ];
    const burst = DELETE_BURST.replace('count: 5', 'count: 3');
    // All but A's last event in one batch (the sweep falls inside it), then that event.
    const whole = await run(burst, events, events.length - 1);
    const single = await run(burst, events, 1);
    expect(whole.detections.map((d) => d.id)).toEqual(single.detections.map((d) => d.id));
    expect(whole.detections.map((d) => d.subject.agentId)).toEqual(['A']);
  });

  it('turns a rate over its ceiling into one detection shaped as DESIGN.md says', async () => {
    const events = deletes(8);
    const { detections } = await run(DELETE_BURST, events);
    expect(detections).toHaveLength(1);
    const d = detections[0]!;
    expect(Object.keys(d).sort()).toEqual(['actions', 'detectedAt', 'eventIds', 'evidence', 'groupKey', 'id', 'mode', 'reason', 'rule', 'subject', 'suppressed', 'time'].sort());
    expect(d).toMatchObject({
      time: events[5]!.event.time,
      detectedAt: new Date(T0 + 123).toISOString(),
      rule: { id: 'destructive-burst', kind: 'rate', severity: 'critical' },
      mode: 'enforce',
      subject: { agentId: 'a-1', principalId: 'u-7', tokenId: 't-1', sessionId: null },
      groupKey: { 'agent.id': 'a-1' },
      actions: ['revoke_token', 'require_approval', 'alert'],
      reason: '6 events in 1m (ceiling 5 events)',
      eventIds: [events[5]!.event.id],
      suppressed: 0,
    });
    expect(d.id).toMatch(/^det-[0-9a-f]{24}$/);
  });

  it('gives the same detection ids however the stream is batched', async () => {
    const events = [...deletes(30), ...deletes(30, T0 + 20 * 60_000)];
    const whole = await run(DELETE_BURST, events);
    const small = await run(DELETE_BURST, events, 7);
    expect(small.detections.map((d) => d.id)).toEqual(whole.detections.map((d) => d.id));
    expect(whole.detections).toHaveLength(2);
  });

  it('holds repeats back during the cooldown and reports how many it held', async () => {
    const events = [...deletes(30), ...deletes(30, T0 + 11 * 60_000)];
    const { detections } = await run(DELETE_BURST, events);
    expect(detections.map((d) => d.suppressed)).toEqual([0, 24]);
  });

  it('does not count a redelivered event twice', async () => {
    const events = deletes(5);
    const engine = new Engine({ ruleset: rules(DELETE_BURST), store: new MemoryStore() });
    const first = await engine.process(events);
    const again = await engine.process(events);
    expect(first.detections).toHaveLength(0);
    expect(again).toMatchObject({ duplicates: 5, processed: 0, detections: [] });
    const more = await engine.process(deletes(1, T0 + 5000));
    expect(more.detections).toHaveLength(1);
  });

  it('counts events beyond the lateness bound as late, and out-of-order ones in their own window', async () => {
    const engine = new Engine({ ruleset: rules(DELETE_BURST), store: new MemoryStore(), latenessMs: 60_000 });
    await engine.process(deletes(1, T0 + 10 * 60_000));
    const out = await engine.process([...deletes(1, T0), ...deletes(6, T0 + 9.5 * 60_000)]);
    expect(out.late).toBe(1);
    expect(out.detections).toHaveLength(1);
  });

  it('judges a late event by the rules that need no state, and keeps it out of every window and composite', async () => {
    const yaml = `
rules:
  - id: delete-burst-30m
    kind: rate
    match: { action: [delete] }
    window: 30m
    threshold: { count: 5 }
    actions: [revoke_token]
  - id: unmanaged-device
    kind: match
    severity: high
    match: { source.device.managed: false }
    actions: [revoke_token, alert]
  - id: deleting
    kind: match
    match: { action: [delete] }
    actions: [signal]
  - id: unmanaged-deleting
    kind: composite
    allOf: [unmanaged-device, deleting]
    within: 1h
    actions: [quarantine_agent]
`;
    const engine = new Engine({ ruleset: rules(yaml), store: new MemoryStore(), latenessMs: 60_000 });
    expect((await engine.process(deletes(2, T0 + 10 * 60_000))).detections).toEqual([]);
    // Five minutes behind the partition, past its one-minute lateness: late. The unmanaged device
    // still revokes. Its two signals (unmanaged-device, deleting) would complete the composite, and
    // its four deletes are inside the 30-minute window of the deletes that follow.
    const unmanaged = deletes(1, T0 + 5 * 60_000, 1000, { source: { device: { managed: false } } });
    const out = await engine.process([...unmanaged, ...deletes(3, T0 + 5 * 60_000 + 1000)]);
    expect(out).toMatchObject({ late: 4, processed: 0, duplicates: 0 });
    expect(out.detections.map((d) => [d.rule.id, d.eventIds])).toEqual([['unmanaged-device', [unmanaged[0]!.event.id]]]);
    // Three more on time: five in the window, not over the ceiling (nine with the late ones); and no
    // composite from the late unmanaged-device signal.
    expect((await engine.process(deletes(3, T0 + 10 * 60_000 + 5000))).detections).toEqual([]);
    // Redelivered, the late event is a duplicate, not a second firing.
    expect(await engine.process(unmanaged)).toMatchObject({ late: 0, duplicates: 1, detections: [] });
  });

  it('decides the cooldowns of late and on-time events in arrival order, whatever the batch size', async () => {
    const yaml = `
rules:
  - id: unmanaged-device
    kind: match
    match: { source.device.managed: false }
    actions: [alert]
    cooldown: 15m
`;
    const unmanaged = { source: { device: { managed: false } } };
    const minutes = (m: number, extra: Record<string, unknown> = {}) => event({ t: T0 + m * 60_000, ...extra });
    // 80 is late (20 minutes behind 100); 94 is inside its cooldown, 96 past it.
    const events = [minutes(100), minutes(80, unmanaged), minutes(94, unmanaged), minutes(96, unmanaged)];
    const whole = await run(yaml, events);
    const single = await run(yaml, events, 1);
    expect(whole.detections.map((d) => d.time)).toEqual(single.detections.map((d) => d.time));
    expect(whole.detections.map((d) => (Date.parse(d.time) - T0) / 60_000)).toEqual([80, 96]);
  });

  it('does not hold back a rule promoted from shadow to enforce with the cooldown its shadow firings started', async () => {
    const shadow = DELETE_BURST.replace('kind: rate', 'kind: rate\n    mode: shadow');
    const { engine, detections } = await run(shadow, deletes(8));
    expect(detections.map((d) => d.mode)).toEqual(['shadow']);
    // Promoted (a rules reload), and the loop comes back two minutes later, inside the 10m cooldown.
    engine.setRuleset(rules(DELETE_BURST));
    const out = await engine.process(deletes(8, T0 + 120_000));
    expect(out.detections.map((d) => [d.mode, d.actions])).toEqual([['enforce', ['revoke_token', 'require_approval', 'alert']]]);
    // An enforcing rule still keeps its own cooldown.
    expect((await engine.process(deletes(8, T0 + 240_000))).detections).toEqual([]);
  });

  it('in shadow mode reports what it would have done', async () => {
    const { detections } = await run(DELETE_BURST.replace('kind: rate', 'kind: rate\n    mode: shadow'), deletes(8));
    expect(detections[0]).toMatchObject({ mode: 'shadow', actions: ['revoke_token', 'require_approval', 'alert'] });
  });

  it('skips events an except entry or a schedule covers', async () => {
    const yaml = `
schedules:
  cleanup-window:
    - { from: 2026-11-02T09:00:00Z, to: 2026-11-02T11:00:00Z }
${DELETE_BURST}
    except:
      - schedule: cleanup-window
      - principal.id: [svc-backup]
`;
    expect((await run(yaml, deletes(8))).detections).toHaveLength(0);
    expect((await run(yaml, deletes(8, T0 + 2 * 3_600_000))).detections).toHaveLength(1);
    expect((await run(yaml, deletes(8, T0 + 2 * 3_600_000, 1000, { principal: { id: 'svc-backup' } }))).detections).toHaveLength(0);
  });

  it('leaves a rule out for events that lack a groupBy field', async () => {
    const yaml = DELETE_BURST.replace('window: 1m', 'groupBy: [session.id]\n    window: 1m');
    expect((await run(yaml, deletes(8))).detections).toHaveLength(0);
    expect((await run(yaml, deletes(8, T0, 1000, { session: { id: 's-1' } }))).detections[0]!.groupKey).toEqual({ 'session.id': 's-1' });
  });

  it('combines signals of one subject within the span, and names the events behind them', async () => {
    const yaml = `
rules:
  - id: untrusted-device
    kind: match
    match: { source.device.managed: false }
    actions: [signal]
  - id: export
    kind: match
    match: { action: [export] }
    actions: [signal]
  - id: stolen-token
    kind: composite
    allOf: [untrusted-device]
    anyOf: [export]
    within: 30m
    actions: [revoke_token]
`;
    const a = event({ source: { device: { managed: false } }, t: T0 });
    const b = event({ action: 'export', t: T0 + 10 * 60_000 });
    const other = event({ agent: { id: 'a-2' }, action: 'export', t: T0 + 11 * 60_000 });
    const late = event({ action: 'export', t: T0 + 50 * 60_000, agent: { id: 'a-3' } });
    const { detections } = await run(yaml, [a, b, other, late]);
    expect(detections).toHaveLength(1);
    expect(detections[0]).toMatchObject({ rule: { id: 'stolen-token', kind: 'composite' }, eventIds: [a.event.id, b.event.id], time: b.event.time, reason: 'untrusted-device + export within 30m' });
    // Each input's own reason (with its numbers, for rules that measure) is in the evidence.
    expect(detections[0]!.evidence['signals']).toEqual({
      'untrusted-device': { time: a.event.time, eventId: a.event.id, reason: 'matched' },
      export: { time: b.event.time, eventId: b.event.id, reason: 'matched' },
    });
  });

  it('passes the numbers of a composite input one level up, after its own reason', async () => {
    const yaml = `
rules:
  - id: burst
    kind: rate
    match: { action: [delete] }
    window: 1m
    threshold: { count: 5 }
    actions: [signal]
  - id: unmanaged
    kind: match
    match: { source.device.managed: false }
    actions: [signal]
  - id: inner
    kind: composite
    allOf: [burst]
    actions: [signal]
  - id: outer
    kind: composite
    allOf: [inner, unmanaged]
    within: 30m
    actions: [revoke_token]
`;
    const { detections } = await run(yaml, deletes(6, T0, 1000, { source: { device: { managed: false } } }));
    expect(detections).toHaveLength(1);
    const signals = detections[0]!.evidence['signals'] as Record<string, { reason: string }>;
    expect(signals['inner']!.reason).toBe('burst within 30m (burst: 6 events in 1m (ceiling 5 events))');
    expect(signals['unmanaged']!.reason).toBe('matched');
  });

  it('keeps state of unchanged rules across a rules reload', async () => {
    const engine = new Engine({ ruleset: rules(DELETE_BURST), store: new MemoryStore() });
    await engine.process(deletes(4));
    engine.setRuleset(rules(DELETE_BURST.replace('severity: critical', 'severity: high')));
    const out = await engine.process(deletes(2, T0 + 4000));
    expect(out.detections[0]?.rule.severity).toBe('high');
  });

  it("keeps what a baseline learned when its growth changes, and starts afresh when its history does", async () => {
    const learned = (extra: string, history = '2d') => `
rules:
  - id: deletes-over-usual
    kind: rate
    match: { action: [delete] }
    window: 1h
    baseline: { metric: count, history: ${history}, bucket: 1h, minHistory: 6h, above: 3, minRatio: 5${extra} }
    actions: [alert]
    cooldown: 1h
`;
    // One delete an hour for ten hours, then 20 in twenty minutes: fires only on a trusted baseline.
    const afterReload = async (extra: string, history?: string) => {
      const engine = new Engine({ ruleset: rules(learned('')), store: new MemoryStore() });
      await engine.process(deletes(10, T0, 3_600_000));
      engine.setRuleset(rules(learned(extra, history)));
      return (await engine.process(deletes(20, T0 + 10 * 3_600_000 + 5 * 60_000, 60_000))).detections.map((d) => d.rule.id);
    };
    expect(await afterReload(', growth: off')).toEqual(['deletes-over-usual']);
    expect(await afterReload(', growth: 3')).toEqual(['deletes-over-usual']);
    expect(await afterReload('')).toEqual(['deletes-over-usual']);
    expect(await afterReload('', '3d')).toEqual([]);
  });

  it('tests a rule only on the actions its match names, and every rule without an action list on any action', async () => {
    const yaml = `
rules:
  - id: deletes
    kind: match
    match: { action: [delete, purge] }
    actions: [alert]
  - id: not-reads
    kind: match
    match: { action: { not: [read] } }
    actions: [alert]
  - id: any
    kind: match
    match: { resource.type: db.row }
    actions: [alert]
  - id: absent-or-delete
    kind: match
    match: { action: [delete, null] }
    actions: [alert]
`;
    const fired = async (action: string) => (await run(yaml, [event({ action, resource: { type: 'db.row' } })])).detections.map((d) => d.rule.id);
    expect(await fired('delete')).toEqual(['deletes', 'not-reads', 'any', 'absent-or-delete']);
    expect(await fired('purge')).toEqual(['deletes', 'not-reads', 'any']);
    expect(await fired('read')).toEqual(['any']);
    // An action no rule names: only the rules that do not restrict the action.
    expect(await fired('export')).toEqual(['not-reads', 'any']);
  });
});
