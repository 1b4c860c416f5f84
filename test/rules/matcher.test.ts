/* Match semantics: dotted paths, any-of lists, null as absent, not/exists, arrays, typed values. */
import { describe, expect, it } from 'vitest';
import type { DecodedEvent } from '../../src/events/types.js';
import { compileMatcher, type MatchSpec } from '../../src/rules/index.js';

function event(fields: Record<string, unknown> = {}): DecodedEvent {
  const e = {
    id: 'e1',
    time: '2026-11-02T10:00:00Z',
    agent: { id: 'a-1' },
    token: { id: 't-1', scopes: ['crm.read', 'crm.export'] },
    action: 'download',
    resource: { type: 'crm.contact', sensitivity: 'confidential' },
    source: { country: 'DE', network: 'corporate', device: { id: 'd-1', managed: false } },
    volume: { bytes: 1200, records: 0 },
    ...fields,
  };
  return { event: e as DecodedEvent['event'], timeMs: Date.parse(e.time) };
}

const matches = (match: MatchSpec, e = event()) => compileMatcher(match).test(e);

describe('compileMatcher', () => {
  it('matches every event when empty or absent', () => {
    expect(matches({})).toBe(true);
    expect(compileMatcher(undefined).test(event())).toBe(true);
  });

  it('needs every key to match; a list means any of', () => {
    expect(matches({ action: ['download', 'export'], 'resource.sensitivity': 'confidential' })).toBe(true);
    expect(matches({ action: ['download', 'export'], 'resource.sensitivity': 'restricted' })).toBe(false);
    expect(matches({ action: 'read' })).toBe(false);
  });

  it('follows dotted paths, and treats a missing branch as absent', () => {
    expect(matches({ 'source.device.id': 'd-1' })).toBe(true);
    expect(matches({ 'principal.id': 'u-1' })).toBe(false);
    expect(matches({ 'principal.id': null })).toBe(true);
    expect(matches({ 'principal.id': [null, 'u-1'] })).toBe(true);
    expect(matches({ 'principal.id': [null] }, event({ principal: { id: 'u-1' } }))).toBe(false);
  });

  it('compares numbers and booleans by type and value', () => {
    expect(matches({ 'source.device.managed': false })).toBe(true);
    expect(matches({ 'source.device.managed': 'false' })).toBe(false);
    expect(matches({ 'source.device.managed': true })).toBe(false);
    expect(matches({ 'volume.records': 0 })).toBe(true);
    expect(matches({ 'volume.bytes': '1200' })).toBe(false);
    // An absent device is not an unmanaged one; say so with null.
    expect(matches({ 'source.device.managed': false }, event({ source: {} }))).toBe(false);
    expect(matches({ 'source.device.managed': [false, null] }, event({ source: {} }))).toBe(true);
  });

  it('matches an array-valued field when any element matches', () => {
    expect(matches({ 'token.scopes': 'crm.export' })).toBe(true);
    expect(matches({ 'token.scopes': ['admin', 'crm.read'] })).toBe(true);
    expect(matches({ 'token.scopes': 'admin' })).toBe(false);
    expect(matches({ 'token.scopes': null }, event({ token: { id: 't', scopes: [] } }))).toBe(true);
    expect(matches({ 'items.kind': 'b' }, event({ items: [{ kind: 'a' }, { kind: 'b' }] }))).toBe(true);
  });

  it('not: is the negation of the list form, so an absent field is "not vpn"', () => {
    expect(matches({ 'source.network': { not: 'vpn' } })).toBe(true);
    expect(matches({ 'source.network': { not: ['vpn', 'corporate'] } })).toBe(false);
    expect(matches({ 'source.network': { not: 'vpn' } }, event({ source: {} }))).toBe(true);
    expect(matches({ 'principal.id': { not: null } })).toBe(false);
    expect(matches({ 'token.scopes': { not: 'crm.export' } })).toBe(false);
  });

  it('exists: true needs the field present, false needs it absent', () => {
    expect(matches({ 'principal.id': { exists: false } })).toBe(true);
    expect(matches({ 'principal.id': { exists: true } })).toBe(false);
    expect(matches({ 'principal.id': { exists: true } }, event({ principal: { id: 'u-1' } }))).toBe(true);
    expect(matches({ 'volume.records': { exists: true } })).toBe(true);
  });

  it('matches unknown fields the emitter added', () => {
    expect(matches({ 'labels.team': 'finance', 'x-trace.sampled': true }, event({ labels: { team: 'finance' }, 'x-trace': { sampled: true } }))).toBe(true);
  });

  it('exposes its conditions for the engine and for messages', () => {
    expect(compileMatcher({ 'source.network': { not: ['vpn'] }, 'principal.id': { exists: false }, action: 'read' }).conditions).toEqual([
      { path: 'source.network', segments: ['source', 'network'], op: 'not_in', values: ['vpn'] },
      { path: 'principal.id', segments: ['principal', 'id'], op: 'exists', values: [], exists: false },
      { path: 'action', segments: ['action'], op: 'in', values: ['read'] },
    ]);
  });
});
