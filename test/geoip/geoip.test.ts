/*
 * Geo derived from source.ip with a MaxMind DB (GUARDRAIL_GEOIP_DB, replay --geoip): lookups,
 * what the emitter sent winning over the database, a replaced file, and the default rules catching
 * a replayed token when events carry only addresses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay, type Detection } from '../../src/engine/index.js';
import { deriveGeo, GeoIpDatabase, GeoIpFile, type AgentAccessEvent, type GeoLookup } from '../../src/events/index.js';
import { GeoIpError } from '../../src/errors/index.js';
import { loadRules } from '../../src/rules/index.js';
import { cityRecord, writeMmdb } from './mmdb.js';

const dir = mkdtempSync(join(tmpdir(), 'guardrail-geoip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NYC = '198.51.100.7';
const TOKYO = '203.0.113.9';
const BERLIN6 = '2001:db8:1::5';

function dbFile(name: string, networks: Parameters<typeof writeMmdb>[0], type?: string): string {
  const path = join(dir, name);
  writeFileSync(path, writeMmdb(networks, type));
  return path;
}

const WORLD = [
  { cidr: '198.51.100.0/24', record: cityRecord('US', 40.71, -74.01) },
  { cidr: '203.0.113.0/24', record: cityRecord('JP', 35.68, 139.69) },
  { cidr: '2001:db8:1::/48', record: cityRecord('DE', 52.52, 13.4) },
  // A country database's record: no location.
  { cidr: '192.0.2.0/24', record: { country: { iso_code: 'FR' } } },
];
const worldPath = dbFile('world.mmdb', WORLD);

function sourceOf(source: AgentAccessEvent['source']): AgentAccessEvent {
  return { id: 'e', time: '2026-11-02T10:00:00Z', agent: { id: 'a' }, token: { id: 't' }, action: 'read', resource: { type: 'crm.contact' }, ...(source ? { source } : {}) };
}

describe('GeoIpDatabase', () => {
  const db = GeoIpDatabase.open(worldPath, 'GUARDRAIL_GEOIP_DB');

  it('finds IPv4 and IPv6 addresses, and knows when it does not know one', () => {
    expect(db.locate(NYC)).toEqual({ country: 'US', lat: 40.71, lon: -74.01 });
    expect(db.locate(TOKYO)).toEqual({ country: 'JP', lat: 35.68, lon: 139.69 });
    expect(db.locate(BERLIN6)).toEqual({ country: 'DE', lat: 52.52, lon: 13.4 });
    expect(db.locate('192.0.2.1')).toEqual({ country: 'FR' });
    expect(db.locate('10.1.2.3')).toBeUndefined();
    expect(db.locate('2001:db8:2::1')).toBeUndefined();
    expect(db.locate('not an address')).toBeUndefined();
    // Answered from the cache the second time, the same.
    expect(db.locate(NYC)).toEqual({ country: 'US', lat: 40.71, lon: -74.01 });
    expect(db.info).toMatchObject({ path: worldPath, databaseType: 'GeoLite2-City', builtAt: '2026-11-01T00:00:00.000Z', ipVersion: 6 });
  });

  it('ignores what a record holds that is not a country code or a position', () => {
    const odd = GeoIpDatabase.open(
      dbFile('odd.mmdb', [
        { cidr: '198.51.100.0/24', record: { country: { iso_code: 'EU' }, location: { latitude: 123, longitude: 5 } } },
        { cidr: '203.0.113.0/24', record: { country: { iso_code: 'JP' }, location: { latitude: 'north', longitude: 5 } } },
      ]),
      'x',
    );
    expect(odd.locate(NYC)).toBeUndefined();
    expect(odd.locate(TOKYO)).toEqual({ country: 'JP' });
  });

  it('refuses a missing file, a file that is not a MaxMind DB and a database of another kind, naming the setting', () => {
    const fail = (path: string) => {
      try {
        GeoIpDatabase.open(path, 'GUARDRAIL_GEOIP_DB');
      } catch (err) {
        expect(err).toBeInstanceOf(GeoIpError);
        return (err as Error).message;
      }
      throw new Error('opened');
    };
    expect(fail(join(dir, 'none.mmdb'))).toBe(`GUARDRAIL_GEOIP_DB: cannot read the GeoIP database ${join(dir, 'none.mmdb')} (ENOENT)`);
    writeFileSync(join(dir, 'text.mmdb'), 'country,lat,lon\n');
    expect(fail(join(dir, 'text.mmdb'))).toMatch(/^GUARDRAIL_GEOIP_DB: .*text\.mmdb is not a MaxMind DB file \(\.mmdb\)/);
    const asn = dbFile('asn.mmdb', [{ cidr: '198.51.100.0/24', record: { autonomous_system_number: 64500 } }], 'GeoLite2-ASN');
    expect(fail(asn)).toBe(`GUARDRAIL_GEOIP_DB: ${asn} is a GeoLite2-ASN database; Guardrail needs a City or Country database (GeoLite2-City, GeoIP2-Country, DB-IP City Lite, ...)`);
  });
});

describe('deriveGeo', () => {
  const db = GeoIpDatabase.open(worldPath, 'x');

  it('fills country and position when the event has only an address', () => {
    const e = sourceOf({ ip: TOKYO, network: 'public' });
    expect(deriveGeo(e, db)).toBe('derived');
    expect(e.source).toEqual({ ip: TOKYO, network: 'public', country: 'JP', lat: 35.68, lon: 139.69 });
  });

  it('adds the position to the country the event gave when the database agrees, and nothing when it does not', () => {
    const agree = sourceOf({ ip: NYC, country: 'US' });
    expect(deriveGeo(agree, db)).toBe('derived');
    expect(agree.source).toEqual({ ip: NYC, country: 'US', lat: 40.71, lon: -74.01 });
    // A corporate VPN exit: the emitter knows the user is in France; the address says Japan.
    const vpn = sourceOf({ ip: TOKYO, country: 'FR' });
    expect(deriveGeo(vpn, db)).toBe('conflict');
    expect(vpn.source).toEqual({ ip: TOKYO, country: 'FR' });
  });

  it('leaves a position the emitter sent alone, and counts nothing without an address', () => {
    const known = sourceOf({ ip: TOKYO, lat: 48.86, lon: 2.35 });
    expect(deriveGeo(known, db)).toBeUndefined();
    expect(known.source).toEqual({ ip: TOKYO, lat: 48.86, lon: 2.35 });
    expect(deriveGeo(sourceOf({ country: 'US' }), db)).toBeUndefined();
    expect(deriveGeo(sourceOf(undefined), db)).toBeUndefined();
  });

  it('reports an address the database does not place', () => {
    const e = sourceOf({ ip: '10.0.0.8' });
    expect(deriveGeo(e, db)).toBe('unknown');
    expect(e.source).toEqual({ ip: '10.0.0.8' });
    // A country database knows no position: a country the event gave stays as it was.
    const fr = sourceOf({ ip: '192.0.2.1', country: 'FR' });
    expect(deriveGeo(fr, db)).toBe('unknown');
    const bare = sourceOf({ ip: '192.0.2.1' });
    expect(deriveGeo(bare, db)).toBe('derived');
    expect(bare.source).toEqual({ ip: '192.0.2.1', country: 'FR' });
  });
});

describe('GeoIpFile', () => {
  it('loads a replaced file, and keeps the database it has when the replacement does not load', () => {
    const path = dbFile('live.mmdb', WORLD);
    const file = new GeoIpFile(path, 'GUARDRAIL_GEOIP_DB');
    expect(file.refresh()).toBe('unchanged');
    expect(file.locate(TOKYO)?.country).toBe('JP');
    // Replaced the way a deployment replaces it: a new file renamed over the old one.
    writeFileSync(`${path}.new`, writeMmdb([{ cidr: '203.0.113.0/24', record: cityRecord('KR', 37.57, 126.98) }]));
    renameSync(`${path}.new`, path);
    expect(file.refresh()).toBe('reloaded');
    expect(file.locate(TOKYO)?.country).toBe('KR');
    expect(file.locate(NYC)).toBeUndefined();
    // A broken file renamed in, then the good one moved back: nothing is failing any more.
    renameSync(path, `${path}.good`);
    writeFileSync(path, 'truncated download');
    expect(() => file.refresh()).toThrow(GeoIpError);
    renameSync(`${path}.good`, path);
    expect(file.refresh()).toBe('restored');
    expect(file.refresh()).toBe('unchanged');
    writeFileSync(path, 'truncated download');
    expect(() => file.refresh()).toThrow(GeoIpError);
    expect(file.locate(TOKYO)?.country).toBe('KR');
    // The same broken file is not tried (and reported) again; the next replacement is.
    expect(file.refresh()).toBe('unchanged');
    writeFileSync(`${path}.new`, writeMmdb(WORLD));
    renameSync(`${path}.new`, path);
    expect(file.refresh()).toBe('reloaded');
    expect(file.locate(TOKYO)?.country).toBe('JP');
  });
});

describe('replay with a GeoIP database', async () => {
  const rules = await loadRules('rules');
  // A token used in New York, then in Tokyo ten minutes later; the events carry addresses only.
  const lines = [
    { id: 'g-1', time: '2026-11-02T10:00:00Z', ip: NYC },
    { id: 'g-2', time: '2026-11-02T10:10:00Z', ip: TOKYO },
  ].map(({ id, time, ip }) =>
    JSON.stringify({
      id,
      time,
      agent: { id: 'agent-geo' },
      token: { id: 'tok-geo' },
      principal: { id: 'u-geo', timezone: 'America/New_York' },
      action: 'read',
      resource: { type: 'crm.contact' },
      source: { ip, device: { id: 'dev-geo', managed: true } },
    }),
  );

  async function replay(geo?: GeoLookup): Promise<{ detections: Detection[]; geo: Record<string, number> }> {
    const detections: Detection[] = [];
    const summary = await runReplay({ ruleset: rules, lines, onDetection: (d) => void detections.push(d), ...(geo ? { geo } : {}) });
    return { detections, geo: summary.geo };
  }

  it('catches the replayed token from the addresses alone, and cannot without the database', async () => {
    const withDb = await replay(GeoIpDatabase.open(worldPath, '--geoip'));
    expect(withDb.geo).toEqual({ derived: 2, unknown: 0, conflict: 0 });
    const travel = withDb.detections.find((d) => d.rule.id === 'token-replay');
    expect(travel?.reason).toMatch(/^US to JP: 10\d{3} km in 10 min/);
    expect(travel?.actions).toContain('revoke_token');
    const without = await replay();
    expect(without.detections.map((d) => d.rule.id)).not.toContain('token-replay');
    expect(without.geo).toEqual({ derived: 0, unknown: 0, conflict: 0 });
  });

  it('guardrail replay --geoip FILE reports what it derived; a bad file stops it with a sentence', () => {
    const events = join(dir, 'events.jsonl');
    writeFileSync(events, lines.join('\n') + '\n');
    const ok = spawnSync(process.execPath, ['bin/guardrail.js', 'replay', '--events', events, '--geoip', worldPath], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('"token-replay"');
    expect(ok.stderr).toContain('geoip: GeoLite2-City built 2026-11-01: geo derived from source.ip for 2 events, 0 addresses not in the database, 0 kept the sender');
    const bad = spawnSync(process.execPath, ['bin/guardrail.js', 'replay', '--events', events, '--geoip', events], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`guardrail replay: --geoip: ${events} is not a MaxMind DB file (.mmdb)`);
  });
});
