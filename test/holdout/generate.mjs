#!/usr/bin/env node
// Held-out traffic generator for Guardrail (AgentAccessEvent v1, JSON lines).
//
// Written independently of the project's own simulator, rules and detectors:
// it only knows the event contract and the behaviour descriptions in
// test/holdout/README.md. Standalone: node: built-ins only, no project imports.
//
//   node test/holdout/generate.mjs [--seed N] [--days N] [--agents N] [--start YYYY-MM-DD] --out FILE
//
// Generation runs day by day (local calendar days), keeps a small buffer of
// pending events and flushes everything that can no longer be preceded by a
// later-generated event, so memory stays bounded and output is globally sorted
// by time (ties broken by generation order, i.e. a stable sort).

import { openSync, writeSync, closeSync } from 'node:fs';
import { parseArgs } from 'node:util';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const SEC = 1000;

// ---------------------------------------------------------------- CLI

function cli() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      days: { type: 'string', default: '28' },
      agents: { type: 'string', default: '250' },
      start: { type: 'string', default: '2026-09-07' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const usage = 'usage: node test/holdout/generate.mjs [--seed N] [--days N] [--agents N] [--start YYYY-MM-DD] --out FILE';
  if (values.help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  if (!values.out) {
    process.stderr.write(usage + '\n');
    process.exit(2);
  }
  const seed = Number(values.seed);
  const days = Number(values.days);
  const agents = Number(values.agents);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(values.start);
  if (!Number.isInteger(seed) || !Number.isInteger(days) || days < 2 || !Number.isInteger(agents) || agents < 12 || !m) {
    process.stderr.write(usage + '\n(days >= 2, agents >= 12, integer seed)\n');
    process.exit(2);
  }
  const startMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return { seed, days, agents, startMs, out: values.out };
}

// ---------------------------------------------------------------- PRNG (xoshiro128**, seeded by splitmix32 over hashed keys)

function hashStr(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
function fmix(h) {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
const rotl = (x, k) => (x << k) | (x >>> (32 - k));

class Rng {
  constructor(...keys) {
    let h = 0x243f6a88;
    for (const k of keys) {
      const v = typeof k === 'string' ? hashStr(k) : (k >>> 0) ^ Math.floor(k / 4294967296);
      h = fmix((h ^ v) + 0x9e3779b9);
    }
    let sm = h | 0;
    const next = () => {
      sm = (sm + 0x9e3779b9) | 0;
      return fmix(sm);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }
  u32() {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }
  float() {
    return this.u32() / 4294967296;
  }
  range(a, b) {
    return a + (b - a) * this.float();
  }
  int(a, b) {
    return a + Math.floor(this.float() * (b - a + 1));
  }
  chance(p) {
    return this.float() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.float() * arr.length)];
  }
  weighted(pairs) {
    let tot = 0;
    for (const [, w] of pairs) tot += w;
    let x = this.float() * tot;
    for (const [v, w] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  normal() {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  logn(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }
  poisson(lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const L = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.float();
    } while (p > L);
    return k - 1;
  }
  geometric(mean) {
    // number of failures before success, mean = mean
    if (mean <= 0) return 0;
    const p = 1 / (mean + 1);
    return Math.floor(Math.log(1 - this.float()) / Math.log(1 - p));
  }
  hex(n) {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  alnum(n) {
    const cs = 'abcdefghjmnpqrtuvwyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += cs[Math.floor(this.float() * cs.length)];
    return s;
  }
  shuffle(arr) {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [arr[i], arr[j]] = [arr[j], arr[i]];
    }
    return arr;
  }
}

const clamp = (x, a, b) => Math.min(b, Math.max(a, x));

// ---------------------------------------------------------------- time zones

const dtfs = new Map();
const offCache = new Map();
function tzOffsetMin(tz, utcMs) {
  const hourKey = Math.floor(utcMs / HOUR);
  const key = tz + '|' + hourKey;
  let off = offCache.get(key);
  if (off !== undefined) return off;
  let f = dtfs.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
    dtfs.set(tz, f);
  }
  const probe = hourKey * HOUR;
  const p = {};
  for (const part of f.formatToParts(new Date(probe))) p[part.type] = part.value;
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  off = Math.round((asUtc - probe) / MIN);
  offCache.set(key, off);
  return off;
}
// local wall-clock ms (as if UTC) -> real UTC ms
function localToUtc(tz, localMs) {
  const off1 = tzOffsetMin(tz, localMs);
  let t = localMs - off1 * MIN;
  const off2 = tzOffsetMin(tz, t);
  if (off2 !== off1) t = localMs - off2 * MIN;
  return t;
}

// ---------------------------------------------------------------- geography

// region: amer / emea / apac. w = weight as a principal's home.
const CITIES = {
  nyc: { name: 'New York', cc: 'US', tz: 'America/New_York', lat: 40.713, lon: -74.006, region: 'amer', w: 9 },
  bos: { name: 'Boston', cc: 'US', tz: 'America/New_York', lat: 42.36, lon: -71.059, region: 'amer', w: 3 },
  chi: { name: 'Chicago', cc: 'US', tz: 'America/Chicago', lat: 41.878, lon: -87.63, region: 'amer', w: 4 },
  aus: { name: 'Austin', cc: 'US', tz: 'America/Chicago', lat: 30.267, lon: -97.743, region: 'amer', w: 3 },
  den: { name: 'Denver', cc: 'US', tz: 'America/Denver', lat: 39.739, lon: -104.99, region: 'amer', w: 2 },
  sfo: { name: 'San Francisco', cc: 'US', tz: 'America/Los_Angeles', lat: 37.775, lon: -122.419, region: 'amer', w: 7 },
  sea: { name: 'Seattle', cc: 'US', tz: 'America/Los_Angeles', lat: 47.606, lon: -122.332, region: 'amer', w: 3 },
  tor: { name: 'Toronto', cc: 'CA', tz: 'America/Toronto', lat: 43.653, lon: -79.383, region: 'amer', w: 4 },
  van: { name: 'Vancouver', cc: 'CA', tz: 'America/Vancouver', lat: 49.283, lon: -123.121, region: 'amer', w: 2 },
  mex: { name: 'Mexico City', cc: 'MX', tz: 'America/Mexico_City', lat: 19.433, lon: -99.133, region: 'amer', w: 2 },
  sao: { name: 'Sao Paulo', cc: 'BR', tz: 'America/Sao_Paulo', lat: -23.55, lon: -46.633, region: 'amer', w: 3 },
  bue: { name: 'Buenos Aires', cc: 'AR', tz: 'America/Argentina/Buenos_Aires', lat: -34.604, lon: -58.382, region: 'amer', w: 1 },
  bog: { name: 'Bogota', cc: 'CO', tz: 'America/Bogota', lat: 4.711, lon: -74.072, region: 'amer', w: 1 },
  lon: { name: 'London', cc: 'GB', tz: 'Europe/London', lat: 51.507, lon: -0.128, region: 'emea', w: 8 },
  dub: { name: 'Dublin', cc: 'IE', tz: 'Europe/Dublin', lat: 53.35, lon: -6.26, region: 'emea', w: 2 },
  par: { name: 'Paris', cc: 'FR', tz: 'Europe/Paris', lat: 48.857, lon: 2.352, region: 'emea', w: 4 },
  ber: { name: 'Berlin', cc: 'DE', tz: 'Europe/Berlin', lat: 52.52, lon: 13.405, region: 'emea', w: 4 },
  muc: { name: 'Munich', cc: 'DE', tz: 'Europe/Berlin', lat: 48.137, lon: 11.575, region: 'emea', w: 2 },
  ams: { name: 'Amsterdam', cc: 'NL', tz: 'Europe/Amsterdam', lat: 52.368, lon: 4.904, region: 'emea', w: 3 },
  mad: { name: 'Madrid', cc: 'ES', tz: 'Europe/Madrid', lat: 40.417, lon: -3.704, region: 'emea', w: 2 },
  sto: { name: 'Stockholm', cc: 'SE', tz: 'Europe/Stockholm', lat: 59.329, lon: 18.069, region: 'emea', w: 2 },
  waw: { name: 'Warsaw', cc: 'PL', tz: 'Europe/Warsaw', lat: 52.23, lon: 21.012, region: 'emea', w: 2 },
  zrh: { name: 'Zurich', cc: 'CH', tz: 'Europe/Zurich', lat: 47.377, lon: 8.54, region: 'emea', w: 1 },
  mil: { name: 'Milan', cc: 'IT', tz: 'Europe/Rome', lat: 45.464, lon: 9.19, region: 'emea', w: 1 },
  lis: { name: 'Lisbon', cc: 'PT', tz: 'Europe/Lisbon', lat: 38.722, lon: -9.139, region: 'emea', w: 1 },
  tlv: { name: 'Tel Aviv', cc: 'IL', tz: 'Asia/Jerusalem', lat: 32.085, lon: 34.782, region: 'emea', w: 1, weekend: [5, 6] },
  dxb: { name: 'Dubai', cc: 'AE', tz: 'Asia/Dubai', lat: 25.205, lon: 55.271, region: 'emea', w: 1 },
  jnb: { name: 'Johannesburg', cc: 'ZA', tz: 'Africa/Johannesburg', lat: -26.204, lon: 28.047, region: 'emea', w: 1 },
  tyo: { name: 'Tokyo', cc: 'JP', tz: 'Asia/Tokyo', lat: 35.676, lon: 139.65, region: 'apac', w: 4 },
  sel: { name: 'Seoul', cc: 'KR', tz: 'Asia/Seoul', lat: 37.567, lon: 126.978, region: 'apac', w: 2 },
  sin: { name: 'Singapore', cc: 'SG', tz: 'Asia/Singapore', lat: 1.352, lon: 103.82, region: 'apac', w: 4 },
  blr: { name: 'Bengaluru', cc: 'IN', tz: 'Asia/Kolkata', lat: 12.972, lon: 77.595, region: 'apac', w: 4 },
  bom: { name: 'Mumbai', cc: 'IN', tz: 'Asia/Kolkata', lat: 19.076, lon: 72.878, region: 'apac', w: 2 },
  syd: { name: 'Sydney', cc: 'AU', tz: 'Australia/Sydney', lat: -33.869, lon: 151.209, region: 'apac', w: 4 },
  mel: { name: 'Melbourne', cc: 'AU', tz: 'Australia/Melbourne', lat: -37.814, lon: 144.963, region: 'apac', w: 2 },
  akl: { name: 'Auckland', cc: 'NZ', tz: 'Pacific/Auckland', lat: -36.849, lon: 174.763, region: 'apac', w: 1 },
  hkg: { name: 'Hong Kong', cc: 'HK', tz: 'Asia/Hong_Kong', lat: 22.319, lon: 114.169, region: 'apac', w: 2 },
  mnl: { name: 'Manila', cc: 'PH', tz: 'Asia/Manila', lat: 14.6, lon: 120.984, region: 'apac', w: 1 },
  // not homes (w: 0): VPN exits, datacenters, hubs
  fra: { name: 'Frankfurt', cc: 'DE', tz: 'Europe/Berlin', lat: 50.11, lon: 8.682, region: 'emea', w: 0 },
  iad: { name: 'Ashburn', cc: 'US', tz: 'America/New_York', lat: 39.044, lon: -77.488, region: 'amer', w: 0 },
  dfw: { name: 'Dallas', cc: 'US', tz: 'America/Chicago', lat: 32.777, lon: -96.797, region: 'amer', w: 0 },
  mia: { name: 'Miami', cc: 'US', tz: 'America/New_York', lat: 25.762, lon: -80.192, region: 'amer', w: 0 },
  pdx: { name: 'Boardman', cc: 'US', tz: 'America/Los_Angeles', lat: 45.84, lon: -119.7, region: 'amer', w: 0 },
};
for (const [k, c] of Object.entries(CITIES)) c.key = k;

// attacker origins (hosting / residential proxies / compromised hosts)
const ATTACKER_CITIES = [
  { name: 'Bucharest', cc: 'RO', lat: 44.426, lon: 26.102, region: 'emea' },
  { name: 'Moscow', cc: 'RU', lat: 55.756, lon: 37.617, region: 'emea' },
  { name: 'Kyiv', cc: 'UA', lat: 50.45, lon: 30.523, region: 'emea' },
  { name: 'Istanbul', cc: 'TR', lat: 41.008, lon: 28.978, region: 'emea' },
  { name: 'Lagos', cc: 'NG', lat: 6.524, lon: 3.379, region: 'emea' },
  { name: 'Cairo', cc: 'EG', lat: 30.044, lon: 31.236, region: 'emea' },
  { name: 'Sofia', cc: 'BG', lat: 42.698, lon: 23.322, region: 'emea' },
  { name: 'Hanoi', cc: 'VN', lat: 21.028, lon: 105.834, region: 'apac' },
  { name: 'Jakarta', cc: 'ID', lat: -6.209, lon: 106.846, region: 'apac' },
  { name: 'Shenzhen', cc: 'CN', lat: 22.543, lon: 114.058, region: 'apac' },
  { name: 'Karachi', cc: 'PK', lat: 24.861, lon: 67.01, region: 'apac' },
  { name: 'Bangkok', cc: 'TH', lat: 13.756, lon: 100.502, region: 'apac' },
  { name: 'Almaty', cc: 'KZ', lat: 43.222, lon: 76.851, region: 'apac' },
  { name: 'Lima', cc: 'PE', lat: -12.046, lon: -77.043, region: 'amer' },
  { name: 'Caracas', cc: 'VE', lat: 10.48, lon: -66.904, region: 'amer' },
  { name: 'Santiago', cc: 'CL', lat: -33.449, lon: -70.669, region: 'amer' },
  { name: 'Phoenix', cc: 'US', lat: 33.448, lon: -112.074, region: 'amer' },
  { name: 'Montreal', cc: 'CA', lat: 45.502, lon: -73.567, region: 'amer' },
  { name: 'Helsinki', cc: 'FI', lat: 60.17, lon: 24.938, region: 'emea' },
  { name: 'Vilnius', cc: 'LT', lat: 54.687, lon: 25.28, region: 'emea' },
];

function distKm(a, b) {
  const R = 6371;
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(s));
}

// Public holidays in the default window (2026) that close offices; keyed by date, matched by country or tz.
const HOLIDAYS = {
  '2026-09-07': ['US', 'CA', 'BR'],
  '2026-09-16': ['MX'],
  '2026-09-21': ['JP', 'IL'],
  '2026-09-22': ['JP'],
  '2026-09-23': ['JP'],
  '2026-09-24': ['KR', 'ZA'],
  '2026-09-25': ['KR'],
  '2026-10-01': ['HK'],
  '2026-10-02': ['IN'],
  '2026-10-05': ['Australia/Sydney'],
  '2026-10-09': ['KR'],
  '2026-10-12': ['CA', 'BR', 'ES'],
  '2026-10-26': ['NZ', 'IE'],
};

// ---------------------------------------------------------------- resource catalogue

// sens: [internal, confidential, restricted, public] weights. kb: median KB of a read.
const RTYPES = {
  'mail.message': { sens: [55, 42, 2, 1], kb: 18, code: 'msg' },
  'mail.thread': { sens: [55, 42, 2, 1], kb: 40, code: 'thr' },
  'calendar.event': { sens: [85, 13, 0, 2], kb: 3, code: 'evt' },
  'contacts.person': { sens: [60, 40, 0, 0], kb: 2, code: 'per' },
  'crm.account': { sens: [35, 65, 0, 0], kb: 6, code: 'acc' },
  'crm.contact': { sens: [20, 78, 2, 0], kb: 3, code: 'con' },
  'crm.opportunity': { sens: [20, 80, 0, 0], kb: 5, code: 'opp' },
  'crm.lead': { sens: [40, 60, 0, 0], kb: 3, code: 'lea' },
  'drive.file': { sens: [60, 30, 4, 6], kb: 120, code: 'fil' },
  'drive.folder': { sens: [80, 15, 0, 5], kb: 4, code: 'fld' },
  'wiki.page': { sens: [80, 8, 0, 12], kb: 25, code: 'pag' },
  'slides.deck': { sens: [60, 35, 0, 5], kb: 400, code: 'dck' },
  'support.ticket': { sens: [40, 60, 0, 0], kb: 8, code: 'tkt' },
  'jira.issue': { sens: [90, 10, 0, 0], kb: 6, code: 'iss' },
  'git.repo': { sens: [70, 28, 0, 2], kb: 12, code: 'rep' },
  'git.file': { sens: [75, 23, 0, 2], kb: 9, code: 'src' },
  'git.pull_request': { sens: [90, 10, 0, 0], kb: 20, code: 'pr' },
  'ci.pipeline': { sens: [100, 0, 0, 0], kb: 15, code: 'pip' },
  'finance.invoice': { sens: [10, 85, 5, 0], kb: 30, code: 'inv' },
  'finance.ledger': { sens: [0, 50, 50, 0], kb: 60, code: 'led' },
  'finance.expense': { sens: [30, 70, 0, 0], kb: 10, code: 'exp' },
  'payroll.record': { sens: [0, 10, 90, 0], kb: 5, code: 'pay' },
  'hr.employee': { sens: [5, 40, 55, 0], kb: 4, code: 'emp' },
  'hr.review': { sens: [0, 30, 70, 0], kb: 12, code: 'rev' },
  'warehouse.table': { sens: [40, 50, 10, 0], kb: 200, code: 'tbl' },
  'warehouse.query': { sens: [45, 48, 7, 0], kb: 60, code: 'qry' },
  'bi.dashboard': { sens: [70, 30, 0, 0], kb: 80, code: 'dsh' },
  'bi.report': { sens: [40, 55, 5, 0], kb: 300, code: 'rpt' },
  's3.object': { sens: [45, 45, 10, 0], kb: 500, code: 'obj' },
  'logs.stream': { sens: [85, 15, 0, 0], kb: 90, code: 'log' },
  'metrics.series': { sens: [100, 0, 0, 0], kb: 30, code: 'met' },
  'k8s.deployment': { sens: [90, 10, 0, 0], kb: 8, code: 'dep' },
  'incident.record': { sens: [70, 30, 0, 0], kb: 10, code: 'inc' },
  'runbook.page': { sens: [95, 5, 0, 0], kb: 15, code: 'rbk' },
};
const SENS = ['internal', 'confidential', 'restricted', 'public'];

const DOMAINS = {
  mail: ['mail.message', 'mail.message', 'mail.thread', 'calendar.event', 'contacts.person'],
  crm: ['crm.account', 'crm.contact', 'crm.contact', 'crm.opportunity', 'crm.lead'],
  docs: ['drive.file', 'drive.file', 'drive.folder', 'wiki.page', 'slides.deck'],
  tickets: ['support.ticket', 'support.ticket', 'jira.issue'],
  code: ['git.file', 'git.file', 'git.repo', 'git.pull_request', 'ci.pipeline'],
  finance: ['finance.invoice', 'finance.ledger', 'finance.expense', 'payroll.record'],
  hr: ['hr.employee', 'hr.review'],
  data: ['warehouse.query', 'warehouse.query', 'warehouse.table', 'bi.dashboard', 'bi.report', 's3.object'],
  ops: ['logs.stream', 'logs.stream', 'metrics.series', 'k8s.deployment', 'incident.record', 'runbook.page'],
};
const SCOPES = {
  mail: ['mail.read', 'mail.send', 'calendar.read'],
  crm: ['crm.read', 'crm.write'],
  docs: ['files.read', 'files.write'],
  tickets: ['tickets.read', 'tickets.write'],
  code: ['repo.read', 'repo.write', 'ci.read'],
  finance: ['finance.read'],
  hr: ['hr.read'],
  data: ['warehouse.read', 'bi.read', 'storage.read'],
  ops: ['logs.read', 'metrics.read', 'deploy.write'],
};
const SENSITIVE_TYPES = ['crm.contact', 'crm.account', 'crm.opportunity', 'finance.ledger', 'finance.invoice', 'payroll.record',
  'hr.employee', 'hr.review', 'warehouse.table', 'bi.report', 's3.object', 'drive.file', 'mail.thread', 'support.ticket'];

const TENANTS = [
  { id: 'acme', hq: 'nyc' }, { id: 'globex', hq: 'lon' }, { id: 'initech', hq: 'aus' }, { id: 'umbrella', hq: 'fra' },
  { id: 'hooli', hq: 'sfo' }, { id: 'vandelay', hq: 'ams' }, { id: 'soylent', hq: 'sin' }, { id: 'tyrell', hq: 'tyo' },
];

const FIRST = ['alice', 'bob', 'carmen', 'deepak', 'elena', 'farid', 'grace', 'hiro', 'ines', 'jonas', 'kofi', 'lena', 'mateo',
  'nadia', 'oscar', 'priya', 'quentin', 'rosa', 'sven', 'tomoko', 'umar', 'valeria', 'wei', 'ximena', 'yusuf', 'zofia',
  'arjun', 'beatriz', 'chen', 'dmitri', 'emma', 'fatima', 'gabriel', 'hana', 'ivan', 'julia', 'kenji', 'lucia', 'marcus',
  'noor', 'olivia', 'pablo', 'rahul', 'sara', 'tariq', 'ula', 'vikram', 'wen', 'yara', 'zane', 'aisha', 'bruno', 'chloe'];
const LAST = ['garcia', 'smith', 'nguyen', 'muller', 'rossi', 'tanaka', 'kim', 'patel', 'okafor', 'silva', 'johansson',
  'kowalski', 'dubois', 'oconnor', 'haddad', 'cohen', 'sato', 'lee', 'ivanova', 'fernandez', 'brown', 'wilson', 'martin',
  'schmidt', 'novak', 'singh', 'wang', 'costa', 'lopez', 'yamamoto', 'park', 'chowdhury', 'andersen', 'moreau', 'bianchi'];

// ---------------------------------------------------------------- IPs and places

const BAD_A = new Set([0, 10, 100, 127, 169, 172, 192, 198, 203]);
class Net {
  constructor(seed) {
    this.seed = seed;
    this.prefixes = new Map();
    this.r = new Rng(seed, 'net');
  }
  prefix(key) {
    let p = this.prefixes.get(key);
    if (!p) {
      const r = new Rng(this.seed, 'pfx', key);
      let a;
      do a = r.int(2, 223);
      while (BAD_A.has(a));
      p = [a, r.int(0, 255)];
      this.prefixes.set(key, p);
    }
    return p;
  }
  ipv4(key, r) {
    const [a, b] = this.prefix(key);
    return `${a}.${b}.${r.int(0, 255)}.${r.int(1, 254)}`;
  }
  ipv6(key, r) {
    const [a, b] = this.prefix(key);
    const h = (n) => r.int(0, n).toString(16);
    return `2a0${a % 10}:${(b * 97 + a).toString(16)}:${h(0xffff)}:${h(0xffff)}:${h(0xffff)}:${h(0xffff)}:${h(0xffff)}:${h(0xffff)}`;
  }
}
function place(ip, city, network, jitter = 0, r = null) {
  const jl = jitter && r ? r.range(-jitter, jitter) : 0;
  const jo = jitter && r ? r.range(-jitter, jitter) : 0;
  return {
    ip,
    country: city.cc,
    lat: Math.round((city.lat + jl) * 1e4) / 1e4,
    lon: Math.round((city.lon + jo) * 1e4) / 1e4,
    network,
  };
}

// ---------------------------------------------------------------- event sink

const FORBIDDEN = /eyJ|Bearer |sk-|AKIA|ghp_|xox[a-z]-|-----BEGIN/;

class Sink {
  constructor(fd, seed) {
    this.fd = fd;
    this.pending = [];
    this.seq = 0;
    this.count = 0;
    this.lastT = -Infinity;
    this.idRng = new Rng(seed, 'event-ids');
    this.attacks = new Map();
    this.attackEvents = 0;
  }
  // random v4-style UUIDs (122 random bits) from a generator with 128-bit state: a collision among
  // a few million ids has probability ~1e-24, so no bookkeeping (replay's summary counts duplicates)
  newId() {
    const h = this.idRng.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.idRng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  push(t, obj) {
    const line = JSON.stringify(obj);
    if (FORBIDDEN.test(line)) throw new Error('credential-like text in event: ' + line);
    this.pending.push({ t, s: this.seq++, line });
  }
  flush(before) {
    const pend = this.pending;
    pend.sort((x, y) => x.t - y.t || x.s - y.s);
    let i = 0;
    while (i < pend.length && pend[i].t < before) i++;
    if (i === 0) return;
    if (pend[0].t < this.lastT) throw new Error('internal: event generated behind the flush horizon');
    const chunk = [];
    for (let k = 0; k < i; k++) chunk.push(pend[k].line);
    writeSync(this.fd, chunk.join('\n') + '\n');
    this.count += i;
    this.lastT = pend[i - 1].t;
    this.pending = pend.slice(i);
  }
}

// ---------------------------------------------------------------- world construction

const TRAITS = ['travel', 'vpn-abroad', 'phone', 'new-laptop'];

function buildWorld(cfg) {
  const { seed, days, agents: N, startMs } = cfg;
  const r = new Rng(seed, 'world');
  const net = new Net(seed);
  const nPer = Math.max(3, Math.round((N * days) / 1000));

  // profile counts
  const counts = {
    'nightly-batch': Math.max(nPer, Math.round(0.06 * N)),
    'analytics-heavy': Math.max(4, Math.round(0.04 * N)),
    'weekly-cleanup': Math.max(2, Math.round(0.05 * N)),
    'oncall-ops': Math.max(2, Math.round(0.06 * N)),
    'fresh-agent': Math.max(nPer + 3, Math.round(0.06 * N)),
    'burst-copilot': Math.round(0.25 * N),
  };
  const used = Object.values(counts).reduce((x, y) => x + y, 0);
  counts['work-assistant'] = Math.max(4, N - used);

  // shared corporate infrastructure
  const offices = new Map(); // tenant|city -> {ips, city}
  const officeOf = (tenant, city) => {
    const k = tenant.id + '|' + city.key;
    let o = offices.get(k);
    if (!o) {
      const rr = new Rng(seed, 'office', k);
      const n = rr.weighted([[1, 5], [2, 3], [3, 2]]);
      const ips = [];
      for (let i = 0; i < n; i++) ips.push(place(net.ipv4('corp:' + k, rr), city, 'corporate'));
      o = { city, ips };
      offices.set(k, o);
    }
    return o;
  };
  const vpns = new Map(); // tenant|exitcity -> [places]
  const vpnOf = (tenant, city) => {
    const k = tenant.id + '|' + city.key;
    let v = vpns.get(k);
    if (!v) {
      const rr = new Rng(seed, 'vpn', k);
      v = [];
      const n = rr.int(2, 4);
      for (let i = 0; i < n; i++) v.push(place(net.ipv4('vpn:' + k, rr), city, 'vpn'));
      vpns.set(k, v);
    }
    return v;
  };

  const homeCities = Object.values(CITIES).filter((c) => c.w > 0);
  const VPN_EXITS = ['ams', 'fra', 'lon', 'zrh', 'iad', 'dfw', 'mia', 'sea', 'sin', 'tyo', 'hkg', 'syd'].map((k) => CITIES[k]);

  const principals = [];
  const usedNames = new Set();
  function makePrincipal(role) {
    const i = principals.length;
    const pr = new Rng(seed, 'principal', i);
    const region = pr.weighted([['amer', 38], ['emea', 35], ['apac', 27]]);
    const city = pr.weighted(homeCities.filter((c) => c.region === region).map((c) => [c, c.w]));
    const tenant = pr.pick(TENANTS);
    let name = `${pr.pick(FIRST)}.${pr.pick(LAST)}`;
    while (usedNames.has(name + '@' + tenant.id)) name += pr.int(1, 9);
    usedNames.add(name + '@' + tenant.id);
    const style = pr.weighted([['office', 45], ['hybrid', 40], ['remote', 15]]);
    const wfh = { office: pr.range(0.02, 0.12), hybrid: pr.range(0.3, 0.6), remote: pr.range(0.85, 0.98) }[style];
    const ws = clamp(pr.normal() * 0.7 + 8.6, 6.8, 10.5);
    const p = {
      i, role, city, tenant, region,
      id: `${name}@${tenant.id}.example`,
      tz: city.tz,
      ws,
      we: ws + pr.range(7.6, 9.6),
      lunch: pr.range(11.9, 13.4),
      wfh,
      homeVpn: pr.range(0.2, 0.8),
      weekendProb: pr.range(0.02, 0.2),
      weekendDays: city.weekend || [0, 6],
      laptop: { id: `lt-${tenant.id.slice(0, 3)}-${pr.alnum(8)}`, managed: true },
      homeIpv6: pr.chance(0.12),
      homeRotate: pr.int(6, 40),
      homeJ: [pr.range(-0.12, 0.12), pr.range(-0.12, 0.12)],
      office: officeOf(tenant, city),
      vpnHome: vpnOf(tenant, city),
      traits: new Set(),
      agents: [],
      r: pr,
      plans: [],
    };
    p.officeIp = pr.pick(p.office.ips); // the egress the user usually lands on
    p.field = { id: p.id, tenant: tenant.id, timezone: p.tz };
    // vacation: a few consecutive workdays off
    p.vacation = new Set();
    if (pr.chance(0.12) && days >= 10) {
      const s = pr.int(2, days - 6);
      const len = pr.int(2, 5);
      for (let d = s; d < s + len; d++) p.vacation.add(d);
    }
    principals.push(p);
    return p;
  }
  const homePlaceCache = new Map();
  function homePlace(p, d) {
    const epoch = Math.floor((d + (p.i % p.homeRotate)) / p.homeRotate);
    const k = p.i + '|' + epoch;
    let pl = homePlaceCache.get(k);
    if (!pl) {
      const rr = new Rng(seed, 'home', k);
      const ispKey = 'isp:' + p.city.key + ':' + (p.i % 3);
      const ip = p.homeIpv6 ? net.ipv6(ispKey, rr) : net.ipv4(ispKey, rr);
      pl = place(ip, { ...p.city, lat: p.city.lat + p.homeJ[0], lon: p.city.lon + p.homeJ[1] }, 'home');
      homePlaceCache.set(k, pl);
    }
    return pl;
  }

  // ---- agents
  const agents = [];
  const NAMES = {
    'work-assistant': ['Inbox Assistant', 'Sales Assistant', 'Meeting Prep', 'Account Helper', 'Finance Helper', 'Recruiting Assistant', 'Support Copilot'],
    'burst-copilot': ['Code Copilot', 'Research Agent', 'Repo Navigator', 'Docs Researcher', 'Triage Copilot'],
    'analytics-heavy': ['Report Builder', 'Revenue Analyst', 'BI Autopilot', 'Forecast Agent', 'Churn Analyst'],
    'weekly-cleanup': ['Drive Janitor', 'Ticket Groomer', 'CRM Dedupe', 'Branch Sweeper'],
    'oncall-ops': ['Pager Buddy', 'Incident Copilot', 'Ops Assistant'],
    'fresh-agent': ['Inbox Assistant', 'Notes Agent', 'Deal Desk Helper', 'Code Copilot', 'Research Agent'],
  };
  const SLUG = {
    'work-assistant': 'assist', 'burst-copilot': 'copilot', 'analytics-heavy': 'reports', 'weekly-cleanup': 'janitor',
    'oncall-ops': 'pager', 'fresh-agent': 'agent', 'nightly-batch': 'etl',
  };

  function makeAgent(base, p) {
    const i = agents.length;
    const ar = new Rng(seed, 'agent', i);
    const tenant = p ? p.tenant : ar.pick(TENANTS);
    const a = {
      i, base, p, tenant, r: ar,
      id: `${tenant.id}-${SLUG[base]}-${ar.alnum(6)}`,
      firstDay: 0,
      tokRot: ar.weighted([['static', 35], ['weekly', 35], ['daily', 30]]),
      tokOff: ar.int(0, 6),
      tokens: new Map(),
      sumBytes: 0,
      activeDays: 0,
      denyRate: clamp(ar.logn(0.012, 0.6), 0.002, 0.06),
      errRate: clamp(ar.logn(0.005, 0.6), 0.001, 0.03),
      bytesScale: ar.logn(1, 0.35),
      attacked: false,
    };
    const doms = (spec) => {
      const out = [];
      for (const [dname, prob] of spec) if (ar.chance(prob)) out.push(dname);
      if (!out.length) out.push(spec[0][0]);
      return out;
    };
    if (base === 'work-assistant' || base === 'fresh-agent') {
      const copilotish = base === 'fresh-agent' && ar.chance(0.4);
      a.style = copilotish ? 'copilot' : 'assistant';
      a.mean = clamp(ar.logn(45, 0.55), 10, 320);
      a.domains = copilotish ? doms([['code', 0.9], ['docs', 0.6], ['tickets', 0.5]])
        : doms([['mail', 0.8], ['crm', 0.45], ['docs', 0.5], ['tickets', 0.3], ['finance', 0.15], ['hr', 0.08]]);
      a.bursts = copilotish ? ar.range(0.4, 1.8) : 0;
    } else if (base === 'burst-copilot') {
      a.style = 'copilot';
      a.mean = clamp(ar.logn(38, 0.5), 10, 200);
      a.domains = doms([['code', 0.75], ['docs', 0.6], ['tickets', 0.45], ['data', 0.2], ['crm', 0.15]]);
      a.bursts = ar.range(0.5, 3.2);
    } else if (base === 'analytics-heavy') {
      a.style = 'heavy';
      a.mean = clamp(ar.logn(2500, 0.3), 1400, 4500);
      a.domains = ['data', ...doms([['crm', 0.5], ['finance', 0.4], ['docs', 0.3]])];
      a.runMedian = ar.range(70, 240);
      a.dlRate = ar.range(0.025, 0.045);
      a.dlMedian = ar.logn(6e6, 0.35);
      a.weekendRun = ar.chance(0.3);
    } else if (base === 'weekly-cleanup') {
      a.style = 'assistant';
      a.mean = clamp(ar.logn(25, 0.4), 8, 80);
      a.domains = doms([['docs', 0.6], ['tickets', 0.5], ['crm', 0.4], ['code', 0.3]]);
      a.cleanWd = ar.weighted([[5, 5], [1, 3], [4, 1], [3, 1]]);
      a.cleanH = ar.chance(0.6) ? ar.range(14.5, 17) : ar.range(p.ws + 0.3, p.ws + 1.5);
      a.cleanType = ar.pick(a.domains.flatMap((dn) => DOMAINS[dn]).filter((t) => !t.startsWith('ci.')));
    } else if (base === 'oncall-ops') {
      a.style = 'assistant';
      a.mean = clamp(ar.logn(40, 0.45), 10, 150);
      a.domains = ['ops', ...doms([['code', 0.6], ['tickets', 0.6]])];
      a.oncallWeek = ar.int(0, 3);
      a.pageRate = ar.range(0.8, 2.2);
    } else if (base === 'nightly-batch') {
      a.style = 'batch';
      a.domains = doms([['data', 0.9], ['crm', 0.5], ['finance', 0.4], ['hr', 0.15], ['tickets', 0.2]]);
    }
    if (a.style !== 'batch') {
      a.types = a.domains.flatMap((dn) => DOMAINS[dn]);
      const w = (x) => x * ar.logn(1, 0.3);
      a.actions = a.style === 'heavy'
        ? [['read', w(62)], ['list', w(12)], ['search', w(6)], ['write', w(7)], ['download', a.dlRate * 100], ['export', w(0.6)]]
        : [['read', w(46)], ['list', w(15)], ['search', w(7)], ['write', w(15)], ['download', w(6)], ['export', w(0.8)], ['delete', w(1.6)]];
      if (base === 'oncall-ops') a.actions.push(['admin', w(2)]);
      a.scopes = [...new Set(a.domains.flatMap((dn) => SCOPES[dn]))];
      a.name = ar.pick(NAMES[base]);
      a.agentField = { id: a.id, name: a.name, owner: p.id };
    }
    a.issuer = `https://idp.${tenant.id}.example`;
    a.profile = base;
    agents.push(a);
    if (p) p.agents.push(a);
    return a;
  }

  // human principals per role
  const roleOf = { 'analytics-heavy': 'analyst', 'weekly-cleanup': 'admin', 'oncall-ops': 'sre' };
  for (const base of ['analytics-heavy', 'weekly-cleanup', 'oncall-ops']) {
    for (let k = 0; k < counts[base]; k++) makeAgent(base, makePrincipal(roleOf[base]));
  }
  const general = [];
  for (const base of ['work-assistant', 'burst-copilot']) {
    for (let k = 0; k < counts[base]; k++) {
      // ~30% of agents belong to a principal who already has one (a person with an assistant and a copilot)
      const others = general.filter((p) => p.agents.length === 1 && p.agents[0].profile !== base);
      const p = others.length && r.chance(0.3) ? r.pick(others) : makePrincipal('staff');
      if (!general.includes(p)) general.push(p);
      makeAgent(base, p);
    }
  }
  // principal traits (one at most, for clear attribution)
  const humans = principals.slice();
  r.shuffle(humans);
  const traitShare = { travel: 0.08, 'vpn-abroad': 0.09, phone: 0.11, 'new-laptop': 0.07 };
  let cursor = 0;
  for (const t of TRAITS) {
    const n = Math.max(2, Math.round(traitShare[t] * humans.length));
    for (let k = 0; k < n && cursor < humans.length; k++) humans[cursor++].traits.add(t);
  }
  // fresh agents: new agents of existing principals (general staff, already with history)
  const freshHosts = general.slice();
  r.shuffle(freshHosts);
  for (let k = 0; k < counts['fresh-agent']; k++) {
    const p = freshHosts[k % freshHosts.length];
    makeAgent('fresh-agent', p);
  }
  // service accounts
  const DCS = [
    { city: CITIES.iad, region: 'us-east-1', w: 5 }, { city: CITIES.pdx, region: 'us-west-2', w: 2 },
    { city: CITIES.dub, region: 'eu-west-1', w: 3 }, { city: CITIES.fra, region: 'eu-central-1', w: 3 },
    { city: CITIES.sin, region: 'ap-southeast-1', w: 2 }, { city: CITIES.tyo, region: 'ap-northeast-1', w: 1 },
    { city: CITIES.syd, region: 'ap-southeast-2', w: 1 }, { city: CITIES.sao, region: 'sa-east-1', w: 1 },
  ];
  const JOBS = ['warehouse-nightly-etl', 'crm-sync-nightly', 'ledger-backup', 'ticket-archive-export', 'hr-snapshot', 'search-reindex', 'billing-rollup', 'logs-compaction'];
  for (let k = 0; k < counts['nightly-batch']; k++) {
    const a = makeAgent('nightly-batch', null);
    const ar = a.r;
    const dc = ar.weighted(DCS.map((x) => [x, x.w]));
    a.dc = dc;
    const nIps = ar.weighted([[1, 7], [2, 3]]);
    a.dcPlaces = [];
    for (let q = 0; q < nIps; q++) a.dcPlaces.push(place(net.ipv4('dc:' + dc.region + ':' + a.tenant.id, ar), dc.city, 'datacenter'));
    // cron time: local night at the datacenter, pinned in UTC
    const localStart = ar.range(0.25, 4.75);
    const off = tzOffsetMin(dc.city.tz, startMs) / 60;
    a.schedUtcH = (((localStart - off) % 24) + 24) % 24;
    a.schedMin = Math.round(a.schedUtcH * 60 / 5) * 5; // cron minutes are round
    a.jitterS = ar.chance(0.5) ? ar.range(1, 20) : ar.range(30, 200);
    a.nEvents = Math.round(ar.logn(260, 0.45));
    a.durMin = ar.range(20, 110);
    a.gb = ar.logn(6, 0.7);
    a.weekendFactor = ar.range(0.45, 1.0);
    a.sundayFull = ar.chance(0.3);
    a.hostRotate = ar.int(5, 16);
    a.tokRot = 'static';
    a.tokRotateDay = ar.chance(0.3) ? ar.int(3, days - 2) : -1;
    a.types = a.domains.flatMap((dn) => DOMAINS[dn]);
    a.scopes = [...new Set(a.domains.flatMap((dn) => SCOPES[dn])), 'storage.write'];
    a.name = ar.pick(JOBS);
    a.agentField = { id: a.id, name: a.name, owner: `data-platform@${a.tenant.id}.example` };
    a.failRate = ar.range(0.01, 0.06);
  }
  // profile label (base + principal trait)
  for (const a of agents) {
    const t = a.p ? [...a.p.traits][0] : undefined;
    a.profile = t ? `${a.base}+${t}` : a.base;
    a.labels = { sim_profile: a.profile, env: 'prod' };
  }

  // trait details
  for (const p of principals) {
    const pr = p.r;
    if (p.traits.has('vpn-abroad')) {
      // the tenant's VPN exits abroad: mostly a nearby hub, sometimes HQ on another continent
      const foreign = VPN_EXITS.filter((c) => c.cc !== p.city.cc);
      const near = foreign.filter((c) => c.region === p.region);
      const hq = CITIES[p.tenant.hq];
      let exit;
      if (pr.chance(0.3) && hq.cc !== p.city.cc) exit = hq;
      else exit = near.length ? near.reduce((best, c) => (distKm(c, p.city) < distKm(best, p.city) ? c : best)) : pr.pick(foreign);
      p.vpnAbroad = vpnOf(p.tenant, exit);
      p.wfh = Math.max(p.wfh, pr.range(0.35, 0.75));
      p.homeVpn = pr.range(0.85, 1);
    }
    if (p.traits.has('phone')) {
      p.phone = { id: `ph-${pr.alnum(10)}`, managed: false };
      p.phoneRate = pr.range(0.15, 0.45);
      p.wfh = Math.min(p.wfh, 0.9);
    }
    if (p.traits.has('new-laptop')) {
      p.newLaptop = { day: pr.int(Math.min(8, days - 3), Math.max(Math.min(8, days - 3), days - 4)), id: `lt-${p.tenant.id.slice(0, 3)}-${pr.alnum(8)}`, switchH: pr.range(10.5, 15) };
    }
    if (p.traits.has('travel')) {
      const cands = homeCities.filter((c) => c.region !== p.region && distKm(c, p.city) > 4500 && distKm(c, p.city) < 10200);
      const hubs = cands.filter((c) => c.w >= 3);
      const dest = pr.pick(hubs.length ? hubs : cands.length ? cands : homeCities.filter((c) => c.region !== p.region));
      const km = distKm(dest, p.city);
      const span = Math.max(1, days - 9);
      const dep = clamp(pr.int(3, 3 + span), 2, days - 3);
      const len = pr.int(3, 6);
      p.trip = {
        dest,
        km,
        depart: dep,
        ret: Math.min(days - 1, dep + len),
        mode: pr.weighted([['office', 65], ['hotel', 35]]),
        departH: pr.range(10, 14.5),
        retH: pr.range(9.5, 14),
        // door to door: flight at ~850 km/h plus airports, and a connection on the longest routes (no
        // airliner flies 17,000 km non-stop); the landing check comes 10-40 min after arrival
        gapOut: clamp(km / 850 + pr.range(1.4, 2.4) + (km > 11000 ? pr.range(1.5, 3) : 0), 7.5, 30),
        gapBack: clamp(km / 850 + pr.range(1.4, 2.4) + (km > 11000 ? pr.range(1.5, 3) : 0), 7.5, 30),
        office: officeOf(p.tenant, dest),
        hotel: place(net.ipv4('hotel:' + dest.key, pr), dest, 'public', 0.05, pr),
        airportDest: place(net.ipv4('mobile:' + dest.cc, pr), dest, 'public', 0.2, pr),
        airportHome: place(net.ipv4('mobile:' + p.city.cc, pr), p.city, 'public', 0.2, pr),
      };
    }
    if (p.role === 'sre') p.wfh = Math.max(p.wfh, 0.3);
  }

  const world = { cfg, r, net, principals, agents, nPer, homePlace, counts };
  for (const p of principals) for (let d = 0; d < days; d++) p.plans.push(planDay(world, p, d));
  // fresh agents are set up on a working day of their principal, somewhere after the first ~30% of the period
  for (const a of agents) {
    if (a.base !== 'fresh-agent') continue;
    const lo = Math.max(2, Math.floor(days * 0.3));
    const ok = [];
    for (let d = lo; d <= days - 2; d++) if (a.p.plans[d].kind === 'work' && !(a.p.trip && d >= a.p.trip.depart && d <= a.p.trip.ret + 1)) ok.push(d);
    a.firstDay = ok.length ? r.pick(ok) : r.int(lo, days - 2);
  }
  return world;
}

// ---------------------------------------------------------------- calendar helpers

function dateStr(startMs, d) {
  return new Date(startMs + d * DAY).toISOString().slice(0, 10);
}
function weekday(startMs, d) {
  return new Date(startMs + d * DAY).getUTCDay();
}
function isHoliday(startMs, d, city) {
  const h = HOLIDAYS[dateStr(startMs, d)];
  return !!h && (h.includes(city.cc) || h.includes(city.tz));
}

// ---------------------------------------------------------------- daily plan of a principal

// A plan: kind ('work'|'light'|'off'), segments [{tz, from, to, place|null, dev}] in local hours,
// plus extras (landing check, phone check, on-call pages).
function planDay(world, p, d) {
  const { startMs } = world.cfg;
  const pr = p.r;
  const wd = weekday(startMs, d);
  const weekend = p.weekendDays.includes(wd);
  const holiday = isHoliday(startMs, d, p.city);
  const plan = { d, kind: 'work', segments: [], extras: [] };
  const trip = p.trip;
  const onTrip = trip && d > trip.depart && d < trip.ret;
  const homeCity = onTrip ? trip.dest : p.city;
  if (p.vacation.has(d) && !(trip && d >= trip.depart && d <= trip.ret)) plan.kind = 'off';
  else if (weekend || (holiday && !onTrip)) plan.kind = pr.chance(p.weekendProb) ? 'light' : 'off';
  else if (pr.chance(0.012)) plan.kind = 'off'; // sick day
  let ws = p.ws + pr.normal() * 0.3;
  let we = p.we + pr.normal() * 0.4;
  if (plan.kind === 'light') {
    ws = pr.range(9.5, 17);
    we = ws + pr.range(0.5, 3);
  }
  plan.lunch = p.lunch + pr.normal() * 0.2;
  const tz = onTrip ? trip.dest.tz : p.tz;

  // where is the principal at home base today
  const dayPlace = () => {
    const home = plan.kind === 'light' || pr.chance(p.wfh);
    if (!home) return p.officeIp;
    const vpnAll = p.vpnAbroad || p.vpnHome;
    if (pr.chance(p.homeVpn)) {
      const idx = (p.i + Math.floor(d / 3)) % vpnAll.length;
      return vpnAll[idx];
    }
    return 'HOME';
  };

  if (trip && d === trip.depart) {
    plan.kind = 'work';
    const pl = dayPlace();
    plan.segments.push({ tz: p.tz, from: ws, to: Math.max(ws + 1, trip.departH), place: pl });
    const departUtc = localToUtc(p.tz, startMs + d * DAY + Math.max(ws + 1, trip.departH) * HOUR);
    trip.landOut = departUtc + trip.gapOut * HOUR;
    plan.extras.push({ type: 'landing', t: trip.landOut, place: trip.airportDest });
  } else if (trip && d === trip.ret) {
    plan.kind = 'work';
    const pl = trip.mode === 'office' ? pr.pick(trip.office.ips) : trip.hotel;
    plan.segments.push({ tz: trip.dest.tz, from: ws, to: Math.max(ws + 1, trip.retH), place: pl });
    const departUtc = localToUtc(trip.dest.tz, startMs + d * DAY + Math.max(ws + 1, trip.retH) * HOUR);
    trip.landBack = departUtc + trip.gapBack * HOUR;
    plan.extras.push({ type: 'landing', t: trip.landBack, place: pr.chance(0.5) ? trip.airportHome : 'HOME' });
  } else if (onTrip) {
    if (plan.kind !== 'off') {
      const pl = plan.kind === 'light' || trip.mode === 'hotel' ? trip.hotel : pr.pick(trip.office.ips);
      plan.segments.push({ tz, from: ws, to: we, place: pl });
    }
  } else if (plan.kind !== 'off') {
    const pl = dayPlace();
    if (plan.kind === 'work' && pl === p.officeIp && pr.chance(0.1)) {
      // morning at home, commute, afternoon in the office
      const mid = ws + pr.range(1, 3);
      plan.segments.push({ tz, from: ws, to: mid, place: pr.chance(p.homeVpn) ? (p.vpnAbroad || p.vpnHome)[0] : 'HOME' });
      plan.segments.push({ tz, from: mid + pr.range(0.5, 1), to: we, place: pl });
    } else {
      plan.segments.push({ tz, from: ws, to: we, place: pl });
    }
  }
  // nobody works at the destination before landing, nor at home before coming back
  const notBefore = !trip ? null : d > trip.depart && d <= trip.ret ? trip.landOut + 80 * MIN
    : d > trip.ret && trip.landBack ? trip.landBack + 80 * MIN : null;
  if (notBefore) {
    for (const seg of plan.segments) while (seg.from < seg.to && localToUtc(seg.tz, startMs + d * DAY + seg.from * HOUR) < notBefore) seg.from += 0.25;
    plan.segments = plan.segments.filter((seg) => seg.to - seg.from >= 0.5);
    if (!plan.segments.length && plan.kind !== 'off') plan.kind = 'off';
  }
  // evening check from the personal phone (home country, outside working hours)
  if (p.phone && !(trip && d >= trip.depart && d <= trip.ret + 1) && pr.chance(p.phoneRate)) {
    plan.extras.push({
      type: 'phone',
      h: pr.range(Math.max(19, (plan.kind === 'work' ? we : 18) + 0.7), 23.6),
      n: pr.int(2, 8),
      place: pr.chance(0.65) ? 'HOME' : place(world.net.ipv4('mobile:' + p.city.cc, pr), p.city, 'public', 0.15, pr),
    });
  }
  plan.tz = tz;
  plan.ws = ws;
  plan.we = we;
  plan.homeCity = homeCity;
  return plan;
}

// ---------------------------------------------------------------- event construction

function tokenFor(a, d) {
  let k;
  if (a.tokRot === 'static') k = a.tokRotateDay >= 0 && d >= a.tokRotateDay ? 1 : 0;
  else if (a.tokRot === 'weekly') k = Math.floor((d + a.tokOff) / 7);
  else k = d;
  let t = a.tokens.get(k);
  if (!t) {
    const r = new Rng(a.r.seedKey ?? 0, 'tok', a.id, k);
    t = `tok-${r.alnum(16)}`;
    a.tokens.set(k, t);
  }
  return t;
}

function pickSens(r, rtype) {
  return r.weighted(RTYPES[rtype].sens.map((w, i) => [SENS[i], w]));
}

function resId(r, rtype, pool = 20000) {
  const u = r.float();
  return `${RTYPES[rtype].code}-${Math.floor(pool * u * u * u) + 1000}`;
}

// volume for an access
function volumeFor(r, a, action, rtype) {
  const kb = RTYPES[rtype].kb * a.bytesScale;
  switch (action) {
    case 'read': return { bytes: Math.round(r.logn(kb * 1024, 0.9)), records: rtype === 'warehouse.query' ? Math.round(r.logn(400, 1.4)) : 1 };
    case 'list': { const n = r.int(5, 200); return { bytes: Math.round(n * r.logn(600, 0.5)), records: n }; }
    case 'search': { const n = r.int(0, 50); return { bytes: Math.round(400 + n * r.logn(500, 0.5)), records: n }; }
    case 'write': return { bytes: Math.round(r.logn(3000, 1.1)), records: 1 };
    case 'delete': return r.chance(0.5) ? { records: 1 } : null;
    case 'download': {
      const med = a.style === 'heavy' ? a.dlMedian : 1.0e6 * a.bytesScale;
      return { bytes: Math.round(clamp(r.logn(med, 1.0), 20e3, a.style === 'heavy' ? 900e6 : 120e6)), records: 1 };
    }
    case 'export': {
      const med = a.style === 'heavy' ? 30e6 : 3e6 * a.bytesScale;
      const bytes = Math.round(clamp(r.logn(med, 0.9), 50e3, 2e9));
      return { bytes, records: Math.max(1, Math.round(bytes / r.logn(400, 0.4))) };
    }
    default: return null;
  }
}

function outcomeFor(r, a, action) {
  const x = r.float();
  const deny = action === 'delete' || action === 'admin' ? a.denyRate * 3 : a.denyRate;
  if (x < deny) return 'denied';
  if (x < deny + a.errRate) return 'error';
  return 'allowed';
}

function source(pl, dev) {
  const s = { ip: pl.ip, country: pl.country, lat: pl.lat, lon: pl.lon, network: pl.network };
  if (dev) s.device = dev;
  return s;
}

// emit one event for agent a. o: {t, action, rtype, rid?, sens?, vol?, outcome?, place, dev, token, session, attack?}
function emit(sink, a, o) {
  const ev = {
    id: sink.newId(),
    time: new Date(Math.round(o.t)).toISOString(),
    agent: a.agentField,
    token: { id: o.token, issuer: a.issuer, scopes: a.scopes },
  };
  if (a.p) ev.principal = a.p.field;
  if (o.session) ev.session = { id: o.session };
  ev.action = o.action;
  ev.resource = { type: o.rtype, id: o.rid, sensitivity: o.sens };
  if (o.vol) ev.volume = o.vol;
  ev.source = source(o.place, o.dev);
  ev.outcome = o.outcome;
  if (o.attack) {
    ev.labels = { ...a.labels, sim_attack: o.attack.kind, sim_attack_id: o.attack.id };
    sink.attackEvents++;
  } else {
    ev.labels = a.labels;
    if (o.vol && o.vol.bytes) a.dayBytes += o.vol.bytes;
    a.dayEvents++;
  }
  sink.push(Math.round(o.t), ev);
  return o.t;
}

// ---------------------------------------------------------------- benign day generation (human agents)

function resolvePlace(world, p, d, pl) {
  return pl === 'HOME' ? world.homePlace(p, d) : pl;
}
function laptopAt(p, d, h) {
  const nl = p.newLaptop;
  if (nl && (d > nl.day || (d === nl.day && h >= nl.switchH))) return { id: nl.id, managed: true };
  return p.laptop;
}

function sampleHour(r, from, to, lunch) {
  let h = from;
  for (let k = 0; k < 30; k++) {
    h = r.range(from, to);
    let w = 1 - 0.6 * Math.exp(-((h - lunch) ** 2) / 0.25);
    w *= Math.min(1, 0.35 + (h - from) / 0.8);
    w *= Math.min(1, 0.5 + (to - h) / 1.5);
    if (r.float() < w) return h;
  }
  return h;
}

function newSession(r) {
  return `ses-${r.alnum(12)}`;
}

// a conversational session: a user request fans out into a handful of tool calls
function genSession(world, sink, a, ctx, t0, n, opts = {}) {
  const r = a.r;
  const session = newSession(r);
  let t = t0;
  const types = opts.types || a.types;
  let rtype = r.pick(types);
  const times = [];
  for (let k = 0; k < n; k++) {
    if (k > 0 && r.chance(0.15)) rtype = r.pick(types);
    let action;
    if (opts.actions) action = r.weighted(opts.actions);
    else if (k === 0 && r.chance(0.4)) action = r.chance(0.65) ? 'list' : 'search';
    else action = r.weighted(a.actions);
    if (action === 'delete' && rtype.startsWith('ci.')) action = 'read';
    const vol = volumeFor(r, a, action, rtype);
    times.push(emit(sink, a, {
      t, action, rtype, rid: resId(r, rtype), sens: pickSens(r, rtype), vol,
      outcome: outcomeFor(r, a, action), place: ctx.place, dev: ctx.dev, token: ctx.token, session,
    }));
    t += opts.gap ? opts.gap() : clamp(r.logn(2600, 0.9), 250, 45000);
  }
  return times;
}

function segCtx(world, a, plan, seg, h) {
  const p = a.p;
  return {
    place: resolvePlace(world, p, plan.d, seg.place),
    dev: laptopAt(p, plan.d, h),
    token: tokenFor(a, plan.d),
  };
}

function pickSegment(r, plan) {
  const segs = plan.segments;
  if (segs.length === 1) return segs[0];
  return r.weighted(segs.map((s) => [s, Math.max(0.1, s.to - s.from)]));
}

function utcAt(world, tz, d, h) {
  return localToUtc(tz, world.cfg.startMs + d * DAY + h * HOUR);
}

function genHumanDay(world, sink, a, d) {
  const p = a.p;
  const r = a.r;
  const plan = p.plans[d];
  const times = [];
  a.dayBytes = 0;
  a.dayEvents = 0;
  if (d < a.firstDay) return times;
  const fresh = d === a.firstDay && a.base === 'fresh-agent';

  if (plan.kind !== 'off' && plan.segments.length) {
    const segLen = plan.segments.reduce((s, x) => s + (x.to - x.from), 0);
    const full = plan.kind === 'light' ? r.range(0.05, 0.25) : Math.min(1, segLen / Math.max(1, plan.we - plan.ws));
    const dayFactor = weekday(world.cfg.startMs, d) === 5 ? 0.85 : 1;
    let N = Math.round(a.mean * full * dayFactor * r.logn(1, 0.35));
    if (fresh) N = Math.round(N * r.range(0.5, 1.1)); // first day: set-up, first tries
    if (a.style === 'heavy' && plan.kind === 'light') N = a.weekendRun ? Math.round(a.mean * r.range(0.03, 0.1)) : 0;
    let first = true;
    while (N > 0) {
      const seg = pickSegment(r, plan);
      let from = seg.from;
      if (fresh && first) from = seg.from + (seg.to - seg.from) * r.range(0.1, 0.6);
      const h = sampleHour(r, from, seg.to, plan.lunch);
      first = false;
      const ctx = segCtx(world, a, plan, seg, h);
      const t0 = utcAt(world, seg.tz, d, h);
      let n;
      if (a.style === 'heavy') {
        n = Math.min(N, Math.max(5, Math.round(r.logn(a.runMedian, 0.6))));
        times.push(...genSession(world, sink, a, ctx, t0, n, { gap: () => clamp(r.logn(1300, 0.8), 150, 30000) }));
      } else {
        n = Math.min(N, 1 + r.geometric(4));
        times.push(...genSession(world, sink, a, ctx, t0, n));
      }
      N -= n;
    }
    // bursts of quick tool calls (copilot fan-out), then quiet
    if (a.bursts && plan.kind === 'work') {
      const nb = r.poisson(a.bursts * (fresh ? 0.5 : 1));
      for (let b = 0; b < nb; b++) {
        const seg = pickSegment(r, plan);
        const h = sampleHour(r, seg.from, seg.to, plan.lunch);
        const ctx = segCtx(world, a, plan, seg, h);
        const n = r.int(20, 60);
        const span = r.range(35, 140) * SEC;
        times.push(...genSession(world, sink, a, ctx, utcAt(world, seg.tz, d, h), n, {
          actions: [['read', 70], ['list', 22], ['search', 8]],
          types: a.types.filter((x) => !x.startsWith('ci.')).slice(0, 3).concat(a.types.slice(0, 1)),
          gap: () => (span / n) * r.range(0.3, 1.7),
        }));
      }
    }
    // weekly clean-up: list, then delete dozens of stale items within minutes
    if (a.base === 'weekly-cleanup' && plan.kind === 'work' && weekday(world.cfg.startMs, d) === a.cleanWd) {
      const seg = plan.segments[plan.segments.length - 1];
      const h = clamp(a.cleanH + r.normal() * 0.4, seg.from, seg.to - 0.2);
      const ctx = segCtx(world, a, plan, seg, h);
      let t = utcAt(world, seg.tz, d, h);
      const session = newSession(r);
      const rtype = a.cleanType;
      for (let k = 0; k < r.int(1, 4); k++) {
        emit(sink, a, { t, action: 'list', rtype, rid: resId(r, rtype), sens: pickSens(r, rtype), vol: volumeFor(r, a, 'list', rtype), outcome: 'allowed', ...ctx, session });
        t += r.range(1, 6) * SEC;
      }
      const nDel = r.int(20, 80);
      const span = r.range(2, 8) * MIN;
      let rid = r.int(1000, 90000);
      for (let k = 0; k < nDel; k++) {
        rid += r.int(1, 40);
        times.push(emit(sink, a, { t, action: 'delete', rtype, rid: `${RTYPES[rtype].code}-${rid}`, sens: pickSens(r, rtype), vol: { records: 1 }, outcome: outcomeFor(r, a, 'read'), ...ctx, session }));
        t += (span / nDel) * r.range(0.4, 1.6);
      }
    }
  }
  // on-call: night pages one week in four (and daytime pages on weekends)
  const away = p.trip && d >= p.trip.depart && d <= p.trip.ret + 1;
  if (a.base === 'oncall-ops' && Math.floor(d / 7) % 4 === a.oncallWeek && !p.vacation.has(d) && !away) {
    const np = r.poisson(a.pageRate);
    for (let k = 0; k < np; k++) {
      const h = r.chance(0.7) ? r.range(21.5, 30.5) : r.range(6, 21.5);
      const home = r.chance(0.6) ? world.homePlace(p, d) : (p.vpnAbroad || p.vpnHome)[0];
      const ctx = { place: home, dev: laptopAt(p, d, h), token: tokenFor(a, d) };
      const n = r.int(12, 110);
      const spanMs = r.range(8, 70) * MIN;
      times.push(...genSession(world, sink, a, ctx, utcAt(world, p.tz, d, h), n, {
        types: DOMAINS.ops,
        actions: [['read', 45], ['list', 20], ['search', 10], ['download', 6], ['write', 14], ['admin', 5]],
        gap: () => (spanMs / n) * r.range(0.2, 1.8),
      }));
    }
  }
  // extras: landing check after a flight, evening phone check
  if (a === p.agents[0]) {
    for (const x of plan.extras) {
      if (x.type === 'landing') {
        const pl = resolvePlace(world, p, d, x.place);
        const ctx = { place: pl, dev: laptopAt(p, d, 23), token: tokenFor(a, d) };
        times.push(...genSession(world, sink, a, ctx, x.t + r.range(10, 40) * MIN, r.int(2, 6), {
          actions: [['read', 60], ['list', 30], ['search', 10]],
        }));
      } else if (x.type === 'phone') {
        const pl = resolvePlace(world, p, d, x.place);
        const ctx = { place: pl, dev: p.phone, token: tokenFor(a, d) };
        const types = a.types.filter((tp) => tp.startsWith('mail') || tp.startsWith('calendar') || tp.startsWith('crm') || tp.startsWith('support') || tp.startsWith('jira') || tp.startsWith('wiki'));
        times.push(...genSession(world, sink, a, ctx, utcAt(world, p.tz, d, x.h), x.n, {
          actions: [['read', 75], ['list', 20], ['search', 5]],
          types: types.length ? types : a.types,
          gap: () => clamp(r.logn(15000, 0.8), 2000, 120000),
        }));
      }
    }
  }
  if (a.dayEvents > 0) {
    a.sumBytes += a.dayBytes;
    a.activeDays++;
  }
  return times;
}

// ---------------------------------------------------------------- nightly batch jobs (service accounts)

function batchHost(a, d) {
  const k = Math.floor(d / a.hostRotate);
  return { id: `i-0${new Rng(a.id, 'host', k).hex(16)}`, managed: true };
}

function genBatchNight(world, sink, a, d) {
  const r = a.r;
  a.dayBytes = 0;
  a.dayEvents = 0;
  const wd = weekday(world.cfg.startMs, d);
  const weekend = wd === 0 || wd === 6;
  let f = weekend ? a.weekendFactor : 1;
  if (a.sundayFull && wd === 0) f = 2.2;
  const n = Math.max(20, Math.round(a.nEvents * f * r.logn(1, 0.12)));
  const totalBytes = a.gb * 1e9 * f * r.logn(1, 0.18);
  const dur = a.durMin * MIN * Math.sqrt(f) * r.logn(1, 0.12);
  const start = world.cfg.startMs + d * DAY + a.schedMin * MIN + r.range(0, a.jitterS) * SEC;
  const pl = a.dcPlaces[r.int(0, a.dcPlaces.length - 1)];
  const dev = batchHost(a, d);
  const token = tokenFor(a, d);
  const session = `run-${dateStr(world.cfg.startMs, d).replaceAll('-', '')}-${r.alnum(6)}`;
  const nList = Math.max(2, Math.round(n * 0.04));
  const nExport = Math.round(n * r.range(0.55, 0.7));
  const nWrite = n - nList - nExport;
  const failAt = r.chance(a.failRate) ? r.int(Math.round(n * 0.3), n - 1) : -1;
  const perExport = totalBytes / nExport;
  const srcTypes = a.types.filter((x) => x !== 'warehouse.query');
  for (let k = 0; k < n; k++) {
    const t = start + (dur * k) / n + r.range(0, dur / n);
    let action;
    let rtype;
    let vol;
    if (k < nList) {
      action = 'list';
      rtype = r.pick(srcTypes);
      vol = volumeFor(r, a, 'list', rtype);
    } else if (k < nList + nExport) {
      action = r.chance(0.8) ? 'export' : 'download';
      rtype = r.pick(srcTypes);
      const bytes = Math.round(perExport * r.logn(1, 0.5));
      vol = { bytes, records: Math.round(bytes / r.logn(350, 0.3)) };
    } else {
      action = 'write';
      rtype = r.chance(0.7) ? 's3.object' : 'warehouse.table';
      const bytes = Math.round((totalBytes / Math.max(1, nWrite)) * 0.4 * r.logn(1, 0.4));
      vol = { bytes, records: Math.round(bytes / r.logn(350, 0.3)) };
    }
    const failed = failAt >= 0 && k >= failAt;
    emit(sink, a, { t, action, rtype, rid: resId(r, rtype, 400), sens: pickSens(r, rtype), vol: failed ? { bytes: 0, records: 0 } : vol, outcome: failed ? 'error' : 'allowed', place: pl, dev, token, session });
    if (failed && k > failAt + r.int(2, 6)) break;
  }
  if (failAt >= 0) {
    // retry the failed part from the same host after a back-off
    const rs = start + dur + r.range(15, 60) * MIN;
    const m = Math.round(n * r.range(0.2, 0.5));
    for (let k = 0; k < m; k++) {
      const rtype = r.pick(srcTypes);
      const bytes = Math.round((totalBytes / n) * r.logn(1, 0.5));
      emit(sink, a, { t: rs + (dur * 0.5 * k) / m, action: r.chance(0.75) ? 'export' : 'write', rtype, rid: resId(r, rtype, 400), sens: pickSens(r, rtype), vol: { bytes, records: Math.round(bytes / 350) }, outcome: 'allowed', place: pl, dev, token, session });
    }
  }
  a.sumBytes += a.dayBytes;
  a.activeDays++;
}

// ---------------------------------------------------------------- attacks

const KINDS = ['offhours_exfil', 'delete_loop', 'token_replay', 'scrape_flood', 'bulk_export', 'svc_offschedule', 'slow_exfil', 'new_agent_stolen'];

function usedCountries(p) {
  const s = new Set([p.city.cc]);
  for (const v of p.vpnHome) s.add(v.country);
  if (p.vpnAbroad) for (const v of p.vpnAbroad) s.add(v.country);
  if (p.trip) s.add(p.trip.dest.cc);
  return s;
}

function attackerPlace(world, r, victimCity, used, far) {
  let cands = ATTACKER_CITIES.filter((c) => !used.has(c.cc));
  if (far) cands = cands.filter((c) => c.region !== victimCity.region && distKm(c, victimCity) > 5000);
  const c = r.pick(cands);
  const network = far ? r.weighted([['hosting', 50], ['public', 40], ['vpn', 10]]) : r.weighted([['hosting', 45], ['public', 35], ['vpn', 20]]);
  return place(world.net.ipv4(`atk:${c.cc}:${r.int(0, 3)}`, r), c, network, 0.05, r);
}
function attackerDevice(r) {
  const x = r.float();
  if (x < 0.35) return null;
  if (x < 0.8) return { id: `dev-${r.alnum(10)}`, managed: false };
  return { id: `desktop-${r.alnum(7).toUpperCase()}` };
}
function sensitiveTypes(a) {
  const own = a.types.filter((t) => SENSITIVE_TYPES.includes(t));
  return own.length ? own : ['drive.file', 'crm.contact'];
}
function sensitiveSens(r, rtype) {
  const s = pickSens(r, rtype);
  return s === 'internal' || s === 'public' ? r.weighted([['confidential', 70], ['restricted', 30]]) : s;
}
function avgDailyBytes(a) {
  return Math.max(2e6, a.activeDays ? a.sumBytes / a.activeDays : 5e6);
}
function avgDailyEvents(a) {
  return a.mean || 50;
}

// pick a working-hours context for the victim on day d
function workCtx(world, a, d, r, hFrac = null) {
  const plan = a.p.plans[d];
  const seg = plan.segments[plan.segments.length - 1];
  const h = hFrac === null ? r.range(seg.from + 0.3, Math.max(seg.from + 0.4, seg.to - 0.8)) : seg.from + (seg.to - seg.from) * hFrac;
  return { seg, h, t: utcAt(world, seg.tz, d, h), ctx: segCtx(world, a, plan, seg, h) };
}

function genAttack(world, sink, atk, dayTimes) {
  const { kind, a, d } = atk;
  const r = new Rng(world.cfg.seed, 'attack', atk.id);
  const lab = { kind, id: atk.id };
  const heavy = a.style === 'heavy';
  const E = (o) => emit(sink, a, { ...o, attack: lab });
  const st = sensitiveTypes(a);
  atk.info = {};

  if (kind === 'offhours_exfil') {
    const p = a.p;
    const h = r.range(2.4, 3.8);
    let t = utcAt(world, p.tz, d, h);
    const pl = attackerPlace(world, r, p.city, usedCountries(p), r.chance(0.6));
    const dev = attackerDevice(r);
    const token = tokenFor(a, Math.max(0, d - 1));
    const session = newSession(r);
    const nRecon = r.int(3, 15);
    const n = heavy ? r.int(150, 500) : r.int(40, 320);
    const span = r.range(25, 85) * MIN;
    for (let k = 0; k < nRecon; k++) {
      const rtype = r.pick(st);
      E({ t, action: r.chance(0.7) ? 'list' : 'search', rtype, rid: resId(r, rtype), sens: sensitiveSens(r, rtype), vol: volumeFor(r, a, 'list', rtype), outcome: 'allowed', place: pl, dev, token, session });
      t += r.range(2, 20) * SEC;
    }
    const med = heavy ? r.range(30e6, 90e6) : r.range(4e6, 40e6);
    let total = 0;
    for (let k = 0; k < n; k++) {
      const rtype = r.pick(st);
      const bytes = Math.round(clamp(r.logn(med, 0.7), 2e5, 2e9));
      total += bytes;
      E({ t, action: r.chance(0.65) ? 'download' : 'export', rtype, rid: resId(r, rtype, 60000), sens: sensitiveSens(r, rtype), vol: { bytes, records: Math.round(bytes / r.logn(500, 0.3)) }, outcome: r.chance(0.03) ? 'denied' : 'allowed', place: pl, dev, token, session });
      t += (span / n) * r.range(0.3, 1.7);
    }
    atk.info = { country: pl.country, network: pl.network, events: n + nRecon, gb: +(total / 1e9).toFixed(2) };
  } else if (kind === 'delete_loop') {
    const { t: t0, ctx } = workCtx(world, a, d, r);
    let t = t0;
    const n = r.chance(0.3) ? r.int(1200, 3500) : r.int(250, 1200);
    const perMin = r.range(50, 350);
    const rtype = a.cleanType || r.pick(a.types.filter((x) => !x.startsWith('ci.') && !x.startsWith('warehouse.query')));
    const session = r.chance(0.5) ? newSession(r) : `ses-${r.alnum(12)}`;
    let rid = r.int(1000, 50000);
    const denyFrom = r.chance(0.4) ? r.int(Math.round(n * 0.3), n) : n + 1;
    for (let k = 0; k < n; k++) {
      const isList = r.chance(0.03);
      rid += r.int(1, 3);
      E({ t, action: isList ? 'list' : 'delete', rtype, rid: `${RTYPES[rtype].code}-${rid}`, sens: pickSens(r, rtype), vol: isList ? volumeFor(r, a, 'list', rtype) : { records: 1 }, outcome: k >= denyFrom ? (r.chance(0.8) ? 'denied' : 'error') : r.chance(0.01) ? 'error' : 'allowed', ...ctx, session });
      t += (MIN / perMin) * r.range(0.2, 1.8);
    }
    atk.info = { events: n, minutes: +((t - t0) / MIN).toFixed(1), rtype };
  } else if (kind === 'token_replay') {
    const p = a.p;
    const plan = p.plans[d];
    const seg = plan.segments[plan.segments.length - 1];
    const lo = utcAt(world, seg.tz, d, seg.from + 0.5);
    const hi = utcAt(world, seg.tz, d, seg.to - 0.5);
    const cands = dayTimes.filter((x) => x >= lo && x <= hi);
    const ownerT = cands.length ? r.pick(cands) : utcAt(world, seg.tz, d, (seg.from + seg.to) / 2);
    const delay = r.range(2, 20) * MIN;
    let t = ownerT + delay;
    const pl = attackerPlace(world, r, plan.homeCity, usedCountries(p), true);
    const dev = attackerDevice(r);
    const token = tokenFor(a, d);
    const session = newSession(r);
    const n = r.int(8, 90);
    const span = r.range(3, 45) * MIN;
    for (let k = 0; k < n; k++) {
      const rtype = r.chance(0.6) ? r.pick(st) : r.pick(a.types);
      const action = r.weighted([['read', 45], ['list', 20], ['search', 10], ['download', 20], ['export', 5]]);
      E({ t, action, rtype, rid: resId(r, rtype), sens: action === 'download' || action === 'export' ? sensitiveSens(r, rtype) : pickSens(r, rtype), vol: volumeFor(r, a, action, rtype), outcome: r.chance(0.04) ? 'denied' : 'allowed', place: pl, dev, token, session });
      t += (span / n) * r.range(0.3, 1.7);
    }
    atk.info = { country: pl.country, delayMin: +(delay / MIN).toFixed(1), events: n };
  } else if (kind === 'scrape_flood') {
    const { t: t0, ctx } = workCtx(world, a, d, r);
    let t = t0;
    const n = heavy ? r.int(9000, 20000) : r.int(1500, 6500);
    const span = r.range(10, 45) * MIN;
    const rtype = r.pick(a.types.filter((x) => !x.startsWith('ci.')));
    const session = newSession(r);
    let rid = r.int(1000, 20000);
    for (let k = 0; k < n; k++) {
      const action = r.weighted([['read', 72], ['list', 23], ['search', 5]]);
      rid += 1;
      const limited = k > n * 0.6 && r.chance(0.06);
      E({ t, action, rtype, rid: `${RTYPES[rtype].code}-${rid}`, sens: pickSens(r, rtype), vol: volumeFor(r, a, action, rtype), outcome: limited ? 'error' : r.chance(0.01) ? 'denied' : 'allowed', ...ctx, session });
      t += (span / n) * r.range(0.2, 1.8);
    }
    atk.info = { events: n, minutes: +((t - t0) / MIN).toFixed(1), normalPerDay: Math.round(avgDailyEvents(a)) };
  } else if (kind === 'bulk_export') {
    const { t: t0, ctx } = workCtx(world, a, d, r);
    let t = t0;
    const base = avgDailyBytes(a);
    const mult = heavy ? r.range(7, 22) : r.range(15, 70);
    const total = base * mult;
    const n = heavy ? r.int(40, 160) : r.int(15, 120);
    const span = r.range(20, 140) * MIN;
    const session = newSession(r);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const rtype = r.pick(st);
      const bytes = Math.round((total / n) * r.logn(1, 0.4));
      sum += bytes;
      E({ t, action: r.chance(0.7) ? 'export' : 'download', rtype, rid: resId(r, rtype, 50000), sens: sensitiveSens(r, rtype), vol: { bytes, records: Math.round(bytes / r.logn(450, 0.3)) }, outcome: r.chance(0.02) ? 'error' : 'allowed', ...ctx, session });
      t += (span / n) * r.range(0.3, 1.7);
    }
    atk.info = { events: n, gb: +(sum / 1e9).toFixed(2), xDaily: +(sum / base).toFixed(1) };
  } else if (kind === 'svc_offschedule') {
    const wd = weekday(world.cfg.startMs, d);
    const weekend = wd === 0 || wd === 6;
    const localH = weekend ? r.range(9.5, 22.5) : r.range(13, 17.5);
    let t = utcAt(world, a.dc.city.tz, d, localH);
    const used = new Set([a.dc.city.cc]);
    const pl = attackerPlace(world, r, a.dc.city, used, r.chance(0.5));
    const dev = r.chance(0.5) ? null : { id: `host-${r.alnum(8)}`, managed: false };
    const token = tokenFor(a, d);
    const session = newSession(r);
    const exfil = r.chance(0.7);
    const n = exfil ? r.int(40, 300) : r.int(15, 60);
    const span = r.range(10, 90) * MIN;
    const srcTypes = a.types.filter((x) => x !== 'warehouse.query');
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const rtype = r.pick(srcTypes);
      const action = k < n * 0.15 ? r.weighted([['list', 70], ['admin', 10], ['read', 20]]) : exfil ? r.weighted([['export', 55], ['download', 35], ['read', 10]]) : r.weighted([['read', 50], ['list', 40], ['admin', 10]]);
      let vol;
      if (action === 'export' || action === 'download') {
        const bytes = Math.round(clamp(r.logn(40e6, 0.8), 1e6, 2e9));
        vol = { bytes, records: Math.round(bytes / 400) };
      } else vol = volumeFor(r, { bytesScale: 1, style: 'batch' }, action, rtype);
      if (vol && vol.bytes) sum += vol.bytes;
      E({ t, action, rtype, rid: resId(r, rtype, 400), sens: sensitiveSens(r, rtype), vol, outcome: action === 'admin' && r.chance(0.4) ? 'denied' : 'allowed', place: pl, dev, token, session });
      t += (span / n) * r.range(0.3, 1.7);
    }
    atk.info = { country: pl.country, localH: +localH.toFixed(1), weekend, events: n, gb: +(sum / 1e9).toFixed(2) };
  } else if (kind === 'slow_exfil') {
    const { seg, ctx } = workCtx(world, a, d, r, 0);
    const hours = Math.min(r.range(6, 9), Math.max(5, seg.to - seg.from + 0.5));
    const startH = seg.from + r.range(0, 0.6);
    const t0 = utcAt(world, seg.tz, d, startH);
    const base = avgDailyBytes(a);
    const mult = heavy ? r.range(5, 12) : r.range(12, 40);
    const total = base * mult;
    const n = r.int(70, 240);
    const session = newSession(r);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const t = t0 + (hours * HOUR * (k + r.range(0, 0.8))) / n;
      const rtype = r.pick(st);
      const bytes = Math.round((total / n) * r.logn(1, 0.25));
      sum += bytes;
      E({ t, action: r.chance(0.75) ? 'download' : 'export', rtype, rid: resId(r, rtype, 80000), sens: sensitiveSens(r, rtype), vol: { bytes, records: Math.round(bytes / r.logn(450, 0.3)) }, outcome: 'allowed', ...ctx, session });
    }
    atk.info = { events: n, hours: +hours.toFixed(1), gb: +(sum / 1e9).toFixed(2), xDaily: +(sum / base).toFixed(1) };
  } else if (kind === 'new_agent_stolen') {
    const p = a.p;
    const first = dayTimes.length ? Math.min(...dayTimes) : utcAt(world, p.tz, d, 12);
    const ta = first + r.range(3, 20) * HOUR;
    let t = ta;
    const pl = attackerPlace(world, r, p.city, usedCountries(p), true);
    const dev = r.chance(0.7) ? { id: `dev-${r.alnum(10)}`, managed: false } : { id: `pc-${r.alnum(8)}` };
    const token = tokenFor(a, d);
    const session = newSession(r);
    const n = r.int(15, 150);
    const span = r.range(10, 70) * MIN;
    for (let k = 0; k < n; k++) {
      const rtype = r.chance(0.6) ? r.pick(st) : r.pick(a.types);
      const action = r.weighted([['read', 35], ['list', 20], ['search', 10], ['download', 28], ['export', 7]]);
      E({ t, action, rtype, rid: resId(r, rtype), sens: action === 'download' || action === 'export' ? sensitiveSens(r, rtype) : pickSens(r, rtype), vol: volumeFor(r, a, action, rtype), outcome: r.chance(0.05) ? 'denied' : 'allowed', place: pl, dev, token, session });
      t += (span / n) * r.range(0.3, 1.7);
    }
    atk.info = { country: pl.country, hoursAfterFirst: +((ta - first) / HOUR).toFixed(1), events: n };
  }
}

// ---------------------------------------------------------------- attack planning

function planAttacks(world) {
  const { days } = world.cfg;
  const r = new Rng(world.cfg.seed, 'attack-plan');
  // victims get at least ~2 weeks of history (day 0 may be a public holiday in some countries)
  const minDay = days >= 22 ? 15 : Math.max(1, Math.floor(days / 2));
  const n = world.nPer;
  const usedPrincipals = new Set();
  const attacks = [];
  let seq = 0;
  const human = world.agents.filter((a) => a.p && a.base !== 'fresh-agent');
  const isWorkday = (a, d) => {
    const pl = a.p.plans[d];
    const trip = a.p.trip;
    return pl.kind === 'work' && pl.segments.length === 1 && !(trip && d >= trip.depart - 1 && d <= trip.ret + 1)
      && pl.segments[0].to - pl.segments[0].from > 6;
  };
  const pickDay = (a, ok) => {
    const ds = [];
    for (let d = minDay; d < days; d++) if (ok(a, d)) ds.push(d);
    return ds.length ? r.pick(ds) : -1;
  };
  const take = (kind, pool, count, ok) => {
    const cands = r.shuffle(pool.filter((a) => !a.attacked && !(a.p && usedPrincipals.has(a.p))));
    let got = 0;
    for (const a of cands) {
      if (got >= count) break;
      const d = pickDay(a, ok);
      if (d < 0) continue;
      a.attacked = true;
      if (a.p) usedPrincipals.add(a.p);
      attacks.push({ kind, a, d, id: `atk-${++seq}` });
      got++;
    }
    return got;
  };
  const by = (...bases) => human.filter((a) => bases.includes(a.base));
  const noTravel = (arr) => arr.filter((a) => !a.p.trip);
  const small = ['work-assistant', 'burst-copilot'];
  const quota = {};
  const heavyQ = { offhours_exfil: 1, token_replay: 1, scrape_flood: 1, bulk_export: Math.max(1, Math.round(n / 3)), slow_exfil: 1, delete_loop: 0 };
  const night = (a, d) => {
    const pl = a.p.plans[d];
    const trip = a.p.trip;
    return pl.kind !== 'off' && !(trip && d >= trip.depart - 1 && d <= trip.ret + 1);
  };
  // brand-new agents: token stolen within a day of the agent's first appearance
  {
    const fresh = r.shuffle(world.agents.filter((a) => a.base === 'fresh-agent' && !a.p.trip && a.p.plans[a.firstDay].kind === 'work'
      && !usedPrincipals.has(a.p)));
    let got = 0;
    for (const a of fresh) {
      if (got >= n) break;
      a.attacked = true;
      usedPrincipals.add(a.p);
      attacks.push({ kind: 'new_agent_stolen', a, d: a.firstDay, id: `atk-${++seq}` });
      got++;
    }
    quota.new_agent_stolen = got;
  }
  const plans = [
    ['offhours_exfil', night, (a) => noTravel(a)],
    ['delete_loop', isWorkday, (a) => a],
    ['token_replay', isWorkday, (a) => noTravel(a)],
    ['scrape_flood', isWorkday, (a) => a],
    ['bulk_export', isWorkday, (a) => a],
    ['slow_exfil', isWorkday, (a) => a],
  ];
  for (const [kind, ok, filt] of plans) {
    let got = take(kind, filt(by('analytics-heavy')), heavyQ[kind], ok);
    if (kind === 'delete_loop') got += take(kind, by('weekly-cleanup'), Math.max(1, Math.round(n / 4)), ok);
    if (kind === 'scrape_flood') got += take(kind, filt(by('burst-copilot')), Math.max(1, Math.round(n / 3)), ok);
    got += take(kind, filt(by(...small)), n - got, ok);
    if (got < n) got += take(kind, filt(by(...small, 'oncall-ops', 'weekly-cleanup')), n - got, ok);
    quota[kind] = got;
  }
  // service accounts used off schedule
  {
    const batch = r.shuffle(world.agents.filter((a) => a.base === 'nightly-batch'));
    let got = 0;
    const weekendDays = [];
    const weekDays = [];
    for (let d = minDay; d < days; d++) ([0, 6].includes(weekday(world.cfg.startMs, d)) ? weekendDays : weekDays).push(d);
    for (const a of batch.slice(0, n)) {
      a.attacked = true;
      const wkend = weekendDays.length && (got % 5 === 1 || got % 5 === 3 || !weekDays.length);
      attacks.push({ kind: 'svc_offschedule', a, d: r.pick(wkend ? weekendDays : weekDays), id: `atk-${++seq}` });
      got++;
    }
    quota.svc_offschedule = got;
  }
  for (const k of KINDS) if ((quota[k] || 0) < 3) process.stderr.write(`warning: only ${quota[k] || 0} instances of ${k} (population too small)\n`);
  return attacks;
}

// ---------------------------------------------------------------- main

function main() {
  const t0 = Date.now();
  const cfg = cli();
  const world = buildWorld(cfg);
  for (const a of world.agents) a.r.seedKey = cfg.seed;
  const attacks = planAttacks(world);
  const byDay = new Map();
  for (const atk of attacks) {
    if (!byDay.has(atk.d)) byDay.set(atk.d, []);
    byDay.get(atk.d).push(atk);
  }
  const fd = openSync(cfg.out, 'w');
  const sink = new Sink(fd, cfg.seed);
  for (let d = 0; d < cfg.days; d++) {
    const times = new Map();
    for (const a of world.agents) {
      if (a.style === 'batch') genBatchNight(world, sink, a, d);
      else times.set(a, genHumanDay(world, sink, a, d));
    }
    for (const atk of byDay.get(d) || []) genAttack(world, sink, atk, times.get(atk.a) || []);
    // nothing generated for later days can fall before local midnight of day d+1 in UTC+14
    sink.flush(cfg.startMs + (d + 1) * DAY - 36 * HOUR);
  }
  sink.flush(Infinity);
  closeSync(fd);

  const perKind = {};
  for (const k of KINDS) perKind[k] = attacks.filter((x) => x.kind === k).length;
  const profiles = {};
  for (const a of world.agents) profiles[a.profile] = (profiles[a.profile] || 0) + 1;
  if (process.env.HOLDOUT_VERBOSE) {
    process.stderr.write(JSON.stringify(profiles) + '\n');
    for (const atk of attacks) process.stderr.write(`${atk.id} ${atk.kind} ${atk.a.profile} day=${atk.d} ${JSON.stringify(atk.info)}\n`);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  process.stderr.write(`holdout: ${sink.count} events (${sink.attackEvents} attack), ${world.agents.length} agents, ${attacks.length} attacks: `
    + KINDS.map((k) => `${k}=${perKind[k]}`).join(' ') + `, seed=${cfg.seed} days=${cfg.days}, ${secs}s\n`);
}

main();
