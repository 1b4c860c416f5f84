import { describe, expect, it } from 'vitest';
import { decodeEvent, decodeEventObject, type DecodeResult } from '../../src/events/index.js';
import { full, minimal, withFields } from './fixtures.js';

function reasonOf(r: DecodeResult): string {
  if (r.ok) throw new Error('expected the event to be rejected');
  return r.reason;
}

const reasonFor = (e: unknown) => reasonOf(decodeEventObject(e));

describe('decodeEvent: valid events', () => {
  it('decodes a minimal event and parses its time once', () => {
    const r = decodeEvent(JSON.stringify(minimal()));
    expect(r).toEqual({ ok: true, value: { event: minimal(), timeMs: Date.parse('2026-10-20T07:07:12Z') } });
  });

  it('decodes a full event from UTF-8 bytes', () => {
    const r = decodeEvent(new TextEncoder().encode(JSON.stringify(full())));
    expect(r.ok && r.value.event).toEqual(full());
    expect(r.ok && r.value.timeMs).toBe(Date.parse('2026-10-20T07:07:12.345Z'));
  });

  it('decodes bytes that are a view into a larger buffer', () => {
    const text = JSON.stringify(minimal());
    const big = Buffer.from(`xxxx${text}yyyy`);
    const r = decodeEvent(big.subarray(4, 4 + Buffer.byteLength(text)));
    expect(r.ok).toBe(true);
  });

  it('keeps unknown fields at the top level and inside nested objects', () => {
    const e = withFields(full(), {
      tool: { name: 'export_contacts', args: { limit: 5000 } },
      agent: { model: 'gpt-x', tags: ['sales'] },
      source: { device: { os: 'linux' }, asn: 3320 },
      volume: { rows: 3 },
    });
    const r = decodeEvent(JSON.stringify(e));
    expect(r.ok && r.value.event).toEqual(e);
  });

  it('accepts the boundaries of every range', () => {
    for (const patch of [
      { source: { lat: -90, lon: -180 } },
      { source: { lat: 90, lon: 180 } },
      { volume: { bytes: 0, records: 0 } },
      { volume: { bytes: 1.5e12 } },
      { id: 'x'.repeat(128) },
      { id: 'é'.repeat(128) },
      { source: { ip: '::ffff:192.0.2.1' } },
      { source: { ip: '192.0.2.255' } },
      { principal: { timezone: 'UTC' } },
      { principal: { timezone: 'America/Argentina/Buenos_Aires' } },
      { time: '2024-02-29T23:59:59.999999-12:00' },
      { time: '2026-10-20t07:07:12z' },
      { labels: {} },
      { token: { scopes: [] } },
      { outcome: 'denied' },
    ]) {
      expect(decodeEventObject(withFields(full(), patch)).ok, JSON.stringify(patch)).toBe(true);
    }
  });
});

describe('decodeEvent: each failure names the field and the fault', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing agent.id', { agent: { id: undefined } }, 'agent.id: required field is missing'],
    ['missing token', { token: undefined }, 'token: required field is missing'],
    ['bytes as a string', { volume: { bytes: '12' } }, 'volume.bytes: must be a number >= 0 (got "12")'],
    ['negative bytes', { volume: { bytes: -1 } }, 'volume.bytes: must be a number >= 0 (got -1)'],
    ['fractional records', { volume: { records: 1.5 } }, 'volume.records: must be an integer >= 0 (got 1.5)'],
    ['negative records', { volume: { records: -3 } }, 'volume.records: must be an integer >= 0 (got -3)'],
    ['time in words', { time: 'yesterday' }, 'time: "yesterday" is not an RFC 3339 timestamp'],
    ['time without offset', { time: '2026-10-20T07:07:12' }, 'time: "2026-10-20T07:07:12" is not an RFC 3339 timestamp (it needs Z or an offset such as +02:00)'],
    ['impossible date', { time: '2026-02-29T07:07:12Z' }, 'time: "2026-02-29T07:07:12Z" is not an RFC 3339 timestamp (no such date or time)'],
    ['impossible hour', { time: '2026-10-20T24:00:00Z' }, 'time: "2026-10-20T24:00:00Z" is not an RFC 3339 timestamp (no such date or time)'],
    ['time as a number', { time: 1_792_480_032_000 }, 'time: must be a string (got 1792480032000)'],
    ['country name', { source: { country: 'Germany' } }, 'source.country: "Germany" is not an ISO 3166-1 alpha-2 code'],
    ['unassigned country code', { source: { country: 'ZZ' } }, 'source.country: "ZZ" is not an ISO 3166-1 alpha-2 code'],
    ['lower-case country', { source: { country: 'de' } }, 'source.country: "de" is not an ISO 3166-1 alpha-2 code (use upper case: DE)'],
    ['bad IPv4', { source: { ip: '999.1.1.1' } }, 'source.ip: "999.1.1.1" is not an IPv4 or IPv6 address'],
    ['host name as ip', { source: { ip: 'example.com' } }, 'source.ip: "example.com" is not an IPv4 or IPv6 address'],
    ['latitude out of range', { source: { lat: 91 } }, 'source.lat: must be a number from -90 to 90 (got 91)'],
    ['longitude out of range', { source: { lon: -180.5 } }, 'source.lon: must be a number from -180 to 180 (got -180.5)'],
    ['unknown sensitivity', { resource: { sensitivity: 'secret' } }, 'resource.sensitivity: "secret" is not one of public, internal, confidential, restricted'],
    ['sensitivity as a number', { resource: { sensitivity: 3 } }, 'resource.sensitivity: must be one of public, internal, confidential, restricted (got 3)'],
    ['unknown outcome', { outcome: 'maybe' }, 'outcome: "maybe" is not one of allowed, denied, error'],
    ['unknown time zone', { principal: { timezone: 'Mars/Base' } }, 'principal.timezone: "Mars/Base" is not an IANA time zone'],
    ['offset as time zone', { principal: { timezone: '+05:00' } }, 'principal.timezone: "+05:00" is not an IANA time zone'],
    ['empty id', { id: '' }, 'id: must be 1-128 characters'],
    ['long id', { id: 'x'.repeat(129) }, 'id: must be 1-128 characters'],
    ['id as a number', { id: 7 }, 'id: must be a string of 1-128 characters (got 7)'],
    ['empty agent.id', { agent: { id: '' } }, 'agent.id: must be 1-1024 characters'],
    // Subject ids key Kafka messages and every detection, revocation and quarantine repeats them.
    ['long agent.id', { agent: { id: 'a'.repeat(1025) } }, 'agent.id: must be 1-1024 characters'],
    ['long token.id', { token: { id: 't'.repeat(600_000) } }, 'token.id: must be 1-1024 characters'],
    ['long principal.id', { principal: { id: 'p'.repeat(1025) } }, 'principal.id: must be at most 1024 characters'],
    ['long session.id', { session: { id: 's'.repeat(1025) } }, 'session.id: must be at most 1024 characters'],
    ['principal.id as a number', { principal: { id: 7 } }, 'principal.id: must be a string of at most 1024 characters (got 7)'],
    ['agent as a string', { agent: 'a-1' }, 'agent: must be an object (got "a-1")'],
    ['scopes as a string', { token: { scopes: 'crm.read' } }, 'token.scopes: must be an array of strings (got "crm.read")'],
    ['scope not a string', { token: { scopes: ['crm.read', 5] } }, 'token.scopes[1]: must be a string (got 5)'],
    ['label not a string', { labels: { tier: 1 } }, 'labels.tier: must be a string (got 1)'],
    ['label with an odd name', { labels: { 'team name': null } }, 'labels["team name"]: must be a string (got null)'],
    ['managed as a string', { source: { device: { managed: 'yes' } } }, 'source.device.managed: must be true or false (got "yes")'],
    ['action as an array', { action: ['read'] }, 'action: must be a non-empty string (got array)'],
  ];
  it.each(cases)('%s', (_name, patch, reason) => {
    expect(reasonFor(withFields(full(), patch))).toBe(reason);
    // The same sentence whichever way the event arrives.
    expect(reasonOf(decodeEvent(JSON.stringify(withFields(full(), patch))))).toBe(reason);
  });

  it('clips long values in reasons', () => {
    expect(reasonFor(withFields(full(), { time: `${'9'.repeat(100)}` }))).toBe(`time: "${'9'.repeat(32)}…" is not an RFC 3339 timestamp`);
  });

  it('rejects anything but a JSON object', () => {
    expect(reasonOf(decodeEvent('[1,2]'))).toBe('the event must be a JSON object (got array)');
    expect(reasonOf(decodeEvent('null'))).toBe('the event must be a JSON object (got null)');
    expect(reasonOf(decodeEvent('"evt"'))).toBe('the event must be a JSON object (got string)');
    expect(reasonOf(decodeEvent('42'))).toBe('the event must be a JSON object (got number)');
  });

  it('says where JSON breaks without quoting the input', () => {
    expect(reasonOf(decodeEvent('{"id":"evt-1", "x": }'))).toBe('not valid JSON: Unexpected token } at position 20');
    expect(reasonOf(decodeEvent('{"id":"evt-1"'))).toBe("not valid JSON: Expected ',' or '}' after property value at position 13");
    expect(reasonOf(decodeEvent(''))).toBe('not valid JSON: Unexpected end of JSON input');
    expect(reasonOf(decodeEvent('{"id": "evt-1}'))).toBe('not valid JSON: Unterminated string at position 14');
    expect(reasonOf(decodeEvent('{"a": tru}'))).toBe('not valid JSON: Unexpected token } at position 9');
    expect(reasonOf(decodeEvent('{"a": 1}\n{"b": 2}'))).toBe('not valid JSON: Unexpected non-whitespace character after JSON at position 9');
    expect(reasonOf(decodeEvent('hunter2-is-my-password'))).toBe('not valid JSON: Unexpected token h at position 0');
    expect(reasonOf(decodeEvent('{"a":\u0001}'))).toBe('not valid JSON: Unexpected token "\\u0001" at position 5');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(reasonOf(decodeEvent(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))).toBe('not valid UTF-8');
  });

  it('rejects nesting deeper than 32 levels, even in unknown fields', () => {
    const deep = `{"x":${'['.repeat(40)}${']'.repeat(40)}}`;
    expect(reasonOf(decodeEvent(deep))).toBe(`x${'[0]'.repeat(31)}: nested deeper than 32 levels`);
  });

  it('rejects values JSON cannot carry when given an object', () => {
    expect(reasonFor(withFields(full(), { volume: { bytes: Number.POSITIVE_INFINITY } }))).toBe('volume.bytes: must be a finite number (got Infinity)');
    expect(reasonFor(withFields(full(), { extra: Number.NaN }))).toBe('extra: must be a finite number (got NaN)');
    expect(reasonFor(withFields(full(), { extra: 10n }))).toBe('extra: must be a JSON value (got bigint)');
    expect(reasonFor({ ...full(), at: new Date(0) })).toBe('at: must be a JSON value (got Date)');
    const cyclic: Record<string, unknown> = full();
    cyclic.self = cyclic;
    expect(reasonFor(cyclic)).toMatch(/^self(\.self)+\.token\.scopes: nested deeper than 32 levels$/);
  });

  it('reports a throwing getter instead of throwing', () => {
    const e = full();
    Object.defineProperty(e, 'boom', { enumerable: true, get: () => { throw new TypeError('secret stuff'); } });
    expect(reasonFor(e)).toBe('the event could not be read (TypeError)');
  });
});
