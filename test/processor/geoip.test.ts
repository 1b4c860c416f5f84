/*
 * `guardrail run` with GUARDRAIL_GEOIP_DB: events that carry only source.ip get their country and
 * position from the database, so a token replayed from another continent is revoked; the database
 * file replaced on disk is loaded without a restart, and a broken replacement keeps the old one.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationMessage } from '../../src/actions/index.js';
import type { Processor } from '../../src/kafka/index.js';
import { cityRecord, writeMmdb } from '../geoip/mmdb.js';
import { BROKERS, PLACES, addressOnly, event, produce, startWithReader, testNames, waitCommitted, type Harness, type TopicReader } from './helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const n = testNames('geoip');
const dir = mkdtempSync(join(tmpdir(), 'guardrail-geoip-run-'));
const dbPath = join(dir, 'GeoLite2-City.mmdb');

/** A fixture event with only the address of its place. */
const located = (spec: Parameters<typeof event>[0]) => addressOnly(event(spec));

async function metric(processor: Processor, name: string): Promise<string> {
  return processor.metrics.registry.getSingleMetricAsString(name);
}

describe.skipIf(!BROKERS)('guardrail run with a GeoIP database', () => {
  let harness: Harness;
  let processor: Processor;
  let reader: TopicReader;

  beforeAll(async () => {
    writeFileSync(
      dbPath,
      writeMmdb([
        { cidr: `${PLACES.nyc.ip}/32`, record: cityRecord('US', PLACES.nyc.lat, PLACES.nyc.lon) },
        { cidr: `${PLACES.tokyo.ip}/32`, record: cityRecord('JP', PLACES.tokyo.lat, PLACES.tokyo.lon) },
      ]),
    );
    harness = await startWithReader(n, [n.revocations], { GUARDRAIL_GEOIP_DB: dbPath, GUARDRAIL_RULES_POLL_INTERVAL: '1h' });
    ({ processor, reader } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('revokes a token used in New York and then Tokyo when the events carry only addresses', async () => {
    expect(await metric(processor, 'guardrail_geoip_database_build_timestamp_seconds')).toContain(`guardrail_geoip_database_build_timestamp_seconds ${Date.UTC(2026, 10, 1) / 1000}`);
    await produce(n.events, [
      located({ id: 'geo-1', timeMs: T0, agent: 'a-geo', place: 'nyc' }),
      located({ id: 'geo-2', timeMs: T0 + 5 * 60_000, agent: 'a-geo', place: 'tokyo' }),
      // An address the database does not know: counted, judged without geo.
      located({ id: 'geo-3', timeMs: T0 + 6 * 60_000, agent: 'a-other', place: 'paris' }),
    ]);
    await reader.waitFor(() => reader.json<RevocationMessage>(n.revocations).some((m) => m.type === 'revoke_token' && m.tokenId === 'tok-a-geo'), 'the revocation');
    await waitCommitted(n.group, n.events);
    const revocation = reader.json<RevocationMessage>(n.revocations).find((m) => m.type === 'revoke_token')!;
    expect(revocation).toMatchObject({ ruleId: 'token-travel', agentId: 'a-geo' });
    expect(revocation.reason).toMatch(/^US to JP: /);
    const lookups = await metric(processor, 'guardrail_geoip_lookups_total');
    expect(lookups).toContain('guardrail_geoip_lookups_total{outcome="derived"} 2');
    expect(lookups).toContain('guardrail_geoip_lookups_total{outcome="unknown"} 1');
  });

  it('loads a replaced database without a restart, and keeps it when the next file is broken', async () => {
    writeFileSync(`${dbPath}.new`, writeMmdb([{ cidr: `${PLACES.paris.ip}/32`, record: cityRecord('FR', PLACES.paris.lat, PLACES.paris.lon) }]));
    renameSync(`${dbPath}.new`, dbPath);
    processor.checkGeoIp();
    expect(await metric(processor, 'guardrail_geoip_reload_total')).toContain('guardrail_geoip_reload_total{outcome="success"} 1');
    await produce(n.events, [located({ id: 'geo-4', timeMs: T0 + 7 * 60_000, agent: 'a-other', place: 'paris' })]);
    await waitCommitted(n.group, n.events);
    expect(await metric(processor, 'guardrail_geoip_lookups_total')).toContain('guardrail_geoip_lookups_total{outcome="derived"} 3');

    expect(await metric(processor, 'guardrail_geoip_last_reload_successful')).toContain('guardrail_geoip_last_reload_successful 1');
    writeFileSync(dbPath, 'half a download');
    processor.checkGeoIp();
    processor.checkGeoIp();
    expect(await metric(processor, 'guardrail_geoip_reload_total')).toContain('guardrail_geoip_reload_total{outcome="failure"} 1');
    expect(await metric(processor, 'guardrail_geoip_last_reload_successful')).toContain('guardrail_geoip_last_reload_successful 0');
    await produce(n.events, [located({ id: 'geo-5', timeMs: T0 + 8 * 60_000, agent: 'a-other', place: 'paris' })]);
    await waitCommitted(n.group, n.events);
    expect(await metric(processor, 'guardrail_geoip_lookups_total')).toContain('guardrail_geoip_lookups_total{outcome="derived"} 4');
  });
});
