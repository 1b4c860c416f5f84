/*
 * Geo context derived from source.ip (DESIGN.md, AgentAccessEvent v1: "source.country, source.lat,
 * source.lon ... otherwise derived from source.ip where a GeoIP database is configured"). Reads
 * MaxMind DB files (GeoLite2 / GeoIP2 City or Country, DB-IP's MMDB editions): country from
 * country.iso_code, position from location.latitude and location.longitude.
 *
 * What the emitter sent always wins. The database only fills what is missing, and never mixes:
 * - country, lat and lon all sent, or a position sent: nothing is looked up (a position the
 *   emitter knows is better than the address's; its country is not guessed from an address that
 *   may be a VPN exit);
 * - a country sent without a position: the position is filled from the database when the
 *   database puts the address in the same country, and left out when it does not (a conflict);
 * - nothing sent: country and position both come from the database.
 */
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { Reader, type CityResponse } from 'mmdb-lib';
import { GeoIpError } from '../errors/index.js';
import { isCountryCode } from './countries.js';
import type { AgentAccessEvent } from './types.js';

export interface GeoLocation {
  country?: string;
  lat?: number;
  lon?: number;
}

export interface GeoLookup {
  /** Where the database puts an address; undefined when it does not know it. */
  locate(ip: string): GeoLocation | undefined;
}

/**
 * What derivation did for one event: `derived` filled at least one field; `unknown` the address
 * is not in the database (or gives nothing usable); `conflict` the emitter's country and the
 * database's differ, so no position was added. Events with nothing to look up are not counted.
 */
export type GeoOutcome = 'derived' | 'unknown' | 'conflict';

/** Events per derivation outcome, as a batch, a replay or the processor adds them up. */
export type GeoCounts = Record<GeoOutcome, number>;

export function noGeoCounts(): GeoCounts {
  return { derived: 0, unknown: 0, conflict: 0 };
}

export function addGeoCounts(into: GeoCounts, from: GeoCounts): void {
  into.derived += from.derived;
  into.unknown += from.unknown;
  into.conflict += from.conflict;
}

export interface GeoIpInfo {
  path: string;
  databaseType: string;
  builtAt: string;
  ipVersion: number;
}

/** What is read of a record, checked field by field: a database is input like any other. */
interface MmdbRecord {
  country?: { iso_code?: unknown };
  location?: { latitude?: unknown; longitude?: unknown };
}

const MAX_CACHED = 10_000;

/** One MaxMind DB file loaded in memory, with a bounded cache of recent addresses. */
export class GeoIpDatabase implements GeoLookup {
  readonly info: GeoIpInfo;
  private readonly reader: Reader<CityResponse>;
  private readonly cache = new Map<string, GeoLocation | null>();

  private constructor(reader: Reader<CityResponse>, info: GeoIpInfo) {
    this.reader = reader;
    this.info = info;
  }

  /** Loads the file; a GeoIpError says what is wrong with it, naming `setting` (the option or variable it came from). */
  static open(path: string, setting: string): GeoIpDatabase {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new GeoIpError(`${setting}: cannot read the GeoIP database ${path} (${code ?? (err as Error).message})`);
    }
    let reader: Reader<CityResponse>;
    try {
      reader = new Reader<CityResponse>(bytes);
    } catch (err) {
      throw new GeoIpError(`${setting}: ${path} is not a MaxMind DB file (.mmdb) (${(err as Error).message})`);
    }
    const m = reader.metadata;
    const type = String(m.databaseType ?? '');
    if (!/city|country/i.test(type)) {
      throw new GeoIpError(`${setting}: ${path} is a ${type || 'untyped'} database; Guardrail needs a City or Country database (GeoLite2-City, GeoIP2-Country, DB-IP City Lite, ...)`);
    }
    return new GeoIpDatabase(reader, { path, databaseType: type, builtAt: m.buildEpoch.toISOString(), ipVersion: m.ipVersion });
  }

  locate(ip: string): GeoLocation | undefined {
    const cached = this.cache.get(ip);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.read(ip);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(ip, found ?? null);
    return found;
  }

  private read(ip: string): GeoLocation | undefined {
    const family = isIP(ip);
    // An IPv4-only database cannot answer for IPv6 addresses (the reader would walk off its tree).
    if (family === 0 || (family === 6 && this.info.ipVersion === 4)) return undefined;
    let record: MmdbRecord | null;
    try {
      record = this.reader.get(ip) as MmdbRecord | null;
    } catch {
      return undefined;
    }
    if (!record) return undefined;
    const loc: GeoLocation = {};
    const iso = record.country?.iso_code;
    if (typeof iso === 'string' && isCountryCode(iso)) loc.country = iso;
    const lat = record.location?.latitude;
    const lon = record.location?.longitude;
    if (typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      loc.lat = lat;
      loc.lon = lon;
    }
    return loc.country === undefined && loc.lat === undefined ? undefined : loc;
  }
}

/**
 * A database file that may be replaced while the processor runs (a weekly GeoLite2 update, a
 * ConfigMap swap): `refresh()` loads the file again when its size or modification time changed,
 * and keeps the database it has when the new file does not load.
 */
export class GeoIpFile implements GeoLookup {
  private db: GeoIpDatabase;
  private stamp: string;
  /** The file as it was when it last failed to load: not tried again until it changes. */
  private failedStamp: string | undefined;

  constructor(
    readonly path: string,
    private readonly setting: string,
  ) {
    this.stamp = stampOf(path);
    this.db = GeoIpDatabase.open(path, setting);
  }

  get info(): GeoIpInfo {
    return this.db.info;
  }

  locate(ip: string): GeoLocation | undefined {
    return this.db.locate(ip);
  }

  /**
   * Reloads a changed file: 'reloaded' when a new database is in use; 'restored' when, after a
   * replacement failed, the file in place is again the one in use (the bad file moved back out);
   * 'unchanged' otherwise. Throws a GeoIpError (the old database stays) when a changed file does
   * not load, once per change of the file.
   */
  refresh(): 'reloaded' | 'restored' | 'unchanged' {
    const stamp = stampOf(this.path);
    if (stamp === this.stamp) {
      if (this.failedStamp === undefined) return 'unchanged';
      this.failedStamp = undefined;
      return 'restored';
    }
    if (stamp === this.failedStamp) return 'unchanged';
    let db: GeoIpDatabase;
    try {
      db = GeoIpDatabase.open(this.path, this.setting);
    } catch (err) {
      this.failedStamp = stamp;
      throw err;
    }
    this.db = db;
    this.stamp = stamp;
    this.failedStamp = undefined;
    return 'reloaded';
  }
}

function stampOf(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return 'missing';
  }
}

/** Fills the event's missing geo fields from its source.ip (see the top of this file); undefined when there was nothing to look up. */
export function deriveGeo(event: AgentAccessEvent, geo: GeoLookup): GeoOutcome | undefined {
  const source = event.source;
  const ip = source?.ip;
  if (source === undefined || ip === undefined) return undefined;
  const hasPosition = source.lat !== undefined || source.lon !== undefined;
  if (hasPosition) return undefined;
  const loc = geo.locate(ip);
  if (loc === undefined) return 'unknown';
  if (source.country !== undefined) {
    if (loc.country !== undefined && loc.country !== source.country) return 'conflict';
    if (loc.lat === undefined) return 'unknown';
  } else if (loc.country !== undefined) {
    source.country = loc.country;
  }
  if (loc.lat !== undefined && loc.lon !== undefined) {
    source.lat = loc.lat;
    source.lon = loc.lon;
  }
  return 'derived';
}
