#!/usr/bin/env node
// Independent traffic generator for reviewing Guardrail's default rules.
// Written from the event contract and the list of behaviours; it shares no parameters with src/sim or
// test/holdout. Deterministic per seed.
//
//   node gen.mjs [--seed N] [--out FILE] [--manifest FILE] [--only SCN-PREFIX,...]
//   (--only writes just those scenarios' events, e.g. --only A2b or --only B9a; the rest is generated identically)
//
// Period: 21 days from Mon 2026-10-19 00:00Z (EU DST ends 2026-10-25, US DST ends 2026-11-01,
// month end on Sat 2026-10-31). Every event carries labels.rq_scn (scenario of its agent) and
// labels.rq_role (benign|victim|attack); attacker events carry labels.rq_attack (attack id).
// The manifest lists every attack (victim agent, start, end, parameters) for score.mjs.
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const SEED = Number(opt('seed', '5'));
const OUT = opt('out', 'review-traffic.jsonl');
const ONLY = opt('only', '') ? opt('only', '').split(',') : null; // keep only scenarios whose id starts with one of these
const MANIFEST = opt('manifest', OUT.replace(/\.jsonl$/, '') + '.manifest.json');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
const START = Date.UTC(2026, 9, 19);
const DAYS = 21;
const END = START + DAYS * DAY;

// ---------------------------------------------------------------- randomness
function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function hashStr(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
class R {
  constructor(key) { this.r = mulberry32(hashStr(`${SEED}:${key}`)); }
  u() { return this.r(); }
  range(a, b) { return a + (b - a) * this.r(); }
  int(a, b) { return Math.floor(this.range(a, b + 1)); }
  pick(xs) { return xs[Math.floor(this.r() * xs.length)]; }
  chance(p) { return this.r() < p; }
  normal() { return Math.sqrt(-2 * Math.log(1 - this.r())) * Math.cos(2 * Math.PI * this.r()); }
  logn(median, sigma) { return median * Math.exp(sigma * this.normal()); }
  exp(mean) { return -Math.log(1 - this.r()) * mean; }
  poisson(l) { let k = 0, p = 1; const L = Math.exp(-l); do { k++; p *= this.r(); } while (p > L); return k - 1; }
  weighted(obj) { let x = this.r() * Object.values(obj).reduce((a, b) => a + b, 0); for (const [k, w] of Object.entries(obj)) { x -= w; if (x <= 0) return k; } return Object.keys(obj)[0]; }
}

// ---------------------------------------------------------------- time zones
const dtfCache = new Map();
function tzOffsetMs(tz, utcMs) {
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    dtfCache.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}
/** UTC ms of local wall time (dayIndex from START's calendar date, hour as a fraction) in tz. */
function localToUtc(tz, dayIndex, hour) {
  const guess = START + dayIndex * DAY + hour * HOUR;
  const o1 = tzOffsetMs(tz, guess);
  let t = guess - o1;
  const o2 = tzOffsetMs(tz, t);
  if (o2 !== o1) t = guess - o2;
  return t;
}
const dowOf = (dayIndex) => new Date(START + dayIndex * DAY).getUTCDay(); // 0 Sun .. 6 Sat (local calendar day)
const localHour = (tz, t) => { const d = new Date(t + tzOffsetMs(tz, t)); return d.getUTCHours() + d.getUTCMinutes() / 60; };

// ---------------------------------------------------------------- places
const P = {
  pune: { c: 'IN', lat: 18.52, lon: 73.86, tz: 'Asia/Kolkata' },
  bengaluru: { c: 'IN', lat: 12.97, lon: 77.59, tz: 'Asia/Kolkata' },
  honolulu: { c: 'US', lat: 21.31, lon: -157.86, tz: 'Pacific/Honolulu' },
  losangeles: { c: 'US', lat: 34.05, lon: -118.24 },
  lakeforest: { c: 'US', lat: 33.65, lon: -117.69 }, // in-flight Wi-Fi provider gateway
  anchorage: { c: 'US', lat: 61.22, lon: -149.9, tz: 'America/Anchorage' },
  seattle: { c: 'US', lat: 47.61, lon: -122.33 },
  denver: { c: 'US', lat: 39.74, lon: -104.99, tz: 'America/Denver' },
  chicago: { c: 'US', lat: 41.88, lon: -87.63, tz: 'America/Chicago' },
  ashburn: { c: 'US', lat: 39.04, lon: -77.49 },
  toronto: { c: 'CA', lat: 43.65, lon: -79.38, tz: 'America/Toronto' },
  mexico: { c: 'MX', lat: 19.43, lon: -99.13, tz: 'America/Mexico_City' },
  santiago: { c: 'CL', lat: -33.45, lon: -70.67, tz: 'America/Santiago' },
  saopaulo: { c: 'BR', lat: -23.55, lon: -46.63, tz: 'America/Sao_Paulo' },
  lisbon: { c: 'PT', lat: 38.72, lon: -9.14, tz: 'Europe/Lisbon' },
  dublin: { c: 'IE', lat: 53.35, lon: -6.26 },
  warsaw: { c: 'PL', lat: 52.23, lon: 21.01, tz: 'Europe/Warsaw' },
  frankfurt: { c: 'DE', lat: 50.11, lon: 8.68, tz: 'Europe/Berlin' },
  nairobi: { c: 'KE', lat: -1.29, lon: 36.82, tz: 'Africa/Nairobi' },
  adelaide: { c: 'AU', lat: -34.93, lon: 138.6, tz: 'Australia/Adelaide' },
  seoul: { c: 'KR', lat: 37.57, lon: 126.98, tz: 'Asia/Seoul' },
  tokyo: { c: 'JP', lat: 35.68, lon: 139.69, tz: 'Asia/Tokyo' },
  singapore: { c: 'SG', lat: 1.35, lon: 103.82, tz: 'Asia/Singapore' },
  // attacker origins
  lagos: { c: 'NG', lat: 6.52, lon: 3.38 },
  bucharest: { c: 'RO', lat: 44.43, lon: 26.1 },
  hochiminh: { c: 'VN', lat: 10.82, lon: 106.63 },
  jakarta: { c: 'ID', lat: -6.2, lon: 106.85 },
  amsterdam: { c: 'NL', lat: 52.37, lon: 4.9 },
  vilnius: { c: 'LT', lat: 54.69, lon: 25.28 },
  manila: { c: 'PH', lat: 14.6, lon: 120.98 },
  bogota: { c: 'CO', lat: 4.71, lon: -74.07 },
  cairo: { c: 'EG', lat: 30.04, lon: 31.24 },
};
const OCTETS = [23, 31, 45, 62, 77, 81, 89, 91, 103, 109, 117, 125, 139, 151, 176, 185, 188, 201];
function ipFor(key) {
  const h = hashStr(`${SEED}/ip/${key}`);
  return `${OCTETS[h % OCTETS.length]}.${(h >>> 5) & 255}.${(h >>> 13) & 255}.${((h >>> 21) % 250) + 2}`;
}
/** A source block: place, network, device; key makes a stable address. */
function src(place, network, device, key, opts = {}) {
  const s = { ip: ipFor(key), country: place.c, network };
  if (!opts.noCoords) { s.lat = place.lat; s.lon = place.lon; }
  if (device) s.device = { ...device };
  return s;
}

// ---------------------------------------------------------------- resources and actions
const DOMAINS = {
  sales: [['crm.account', 'confidential'], ['crm.opportunity', 'internal'], ['mail.message', 'internal'], ['docs.sheet', 'internal'], ['crm.contact', 'confidential']],
  eng: [['code.file', 'internal'], ['code.repo', 'internal'], ['ticket.issue', 'internal'], ['ci.log', 'internal'], ['wiki.page', 'public']],
  finance: [['ledger.entry', 'restricted'], ['fin.invoice', 'confidential'], ['docs.sheet', 'confidential'], ['mail.message', 'internal']],
  people: [['hr.record', 'restricted'], ['hr.review', 'confidential'], ['calendar.event', 'internal'], ['mail.message', 'internal']],
  data: [['warehouse.table', 'confidential'], ['bi.report', 'internal'], ['lake.object', 'confidential'], ['docs.sheet', 'internal']],
  ops: [['metrics.series', 'internal'], ['logs.stream', 'internal'], ['k8s.deployment', 'internal'], ['ticket.incident', 'internal']],
};
const ASSIST_MIX = { read: 42, list: 14, search: 10, write: 16, download: 9, export: 2, delete: 3, comment: 4 };

// ---------------------------------------------------------------- events
const events = [];
let seq = 0;
const agents = [];
const attacks = [];

function tokenAt(a, t) {
  if (a.rot === 'static') return `tk-${a.n}`;
  if (a.rot === 'weekly') return `tk-${a.n}-w${Math.floor((t - START) / (7 * DAY))}`;
  return `tk-${a.n}-d${Math.floor((t - START) / DAY)}`;
}
function emit(a, t, action, res, o = {}) {
  if (t < START || t >= END) return;
  if (a.activeFrom !== undefined && t < a.activeFrom && !o.attack) return;
  const e = {
    id: `q${SEED}-${(seq++).toString(36)}`,
    time: '',
    agent: { id: a.id, name: a.name },
    token: { id: o.token ?? tokenAt(a, t) },
    action,
    resource: { type: res[0], id: res[2] ?? `${res[0].split('.')[1]}-${(hashStr(a.id + t) % 90000) + 1000}`, sensitivity: res[1] },
    outcome: o.outcome ?? 'allowed',
    labels: { rq_scn: a.scn, rq_role: o.attack ? 'attack' : a.role },
  };
  if (a.principal) e.principal = { ...a.principal };
  if (o.session) e.session = { id: o.session };
  if (o.bytes !== undefined || o.records !== undefined) e.volume = { bytes: Math.round(o.bytes ?? 0), records: Math.round(o.records ?? 0) };
  if (o.src) e.source = o.src;
  if (o.attack) e.labels.rq_attack = o.attack;
  e._t = Math.round(t);
  events.push(e);
  return e;
}
function volumeFor(r, a, action) {
  const k = a.byteScale ?? 1;
  switch (action) {
    case 'read': return { bytes: r.logn(5e3, 1.0) * k, records: 1 };
    case 'list': return { bytes: r.logn(2e3, 0.7) * k, records: r.int(5, 50) };
    case 'search': return { bytes: r.logn(3e3, 0.8) * k, records: r.int(0, 20) };
    case 'write': case 'comment': return { bytes: r.logn(2e3, 1.0) * k, records: 1 };
    case 'download': return { bytes: r.logn(a.dlMed ?? 220e3, 1.3) * k, records: 1 };
    case 'export': return { bytes: r.logn(a.exMed ?? 1.5e6, 1.0) * k, records: r.int(50, 4000) };
    default: return { bytes: 0, records: 0 };
  }
}

// ---------------------------------------------------------------- agents
let agentN = 0;
function agent(spec) {
  const n = ++agentN;
  const a = {
    n, rot: 'weekly', role: 'benign', workdays: [1, 2, 3, 4, 5], startH: 8.6, endH: 17.4, lambda: 1.2, callsPerTask: 5,
    domain: 'sales', officeDays: [2, 3, 4], vpnHome: 0.3, mix: ASSIST_MIX, ...spec,
  };
  a.id = a.id ?? `ag-${a.scn.toLowerCase()}-${n}`;
  a.name = a.name ?? a.scn;
  a.r = new R(`agent:${a.id}`);
  a.device = a.device ?? { id: `lap-${n}-${hashStr(a.id) % 9973}`, managed: true };
  a.office = a.office ?? a.home;
  agents.push(a);
  return a;
}
function person(pid, place, tenant = 'acme') {
  return { id: pid, tenant, timezone: place.tz };
}

/** Where a person's agent acts from on a given local day (and, per event, VPN splits). */
function whereFor(a, dayIndex, t, r) {
  if (a.whereOverride) { const w = a.whereOverride(a, dayIndex, t, r); if (w) return w; }
  const office = a.officeDays.includes(dowOf(dayIndex));
  const noCoords = a.noCoords;
  if (office) return src(a.office, 'corporate', a.deviceAt(t), `${a.id}/office`, { noCoords });
  if (a.vpnExit && r.chance(a.vpnAbroadShare ?? 0.8)) return src(a.vpnExit, 'vpn', a.deviceAt(t), `${a.id}/vpnx/${dayIndex % 3}`, { noCoords });
  if (r.chance(a.vpnHome)) return src(a.home, 'vpn', a.deviceAt(t), `${a.id}/vpnhome`, { noCoords });
  return src(a.home, 'home', a.deviceAt(t), `${a.id}/home/${Math.floor(dayIndex / 9)}`, { noCoords });
}

/** One working day of an interactive assistant: tasks of tool calls a few seconds apart. */
function assistantDay(a, dayIndex, o = {}) {
  const r = a.r;
  const tz = o.tz ?? a.principal?.timezone ?? a.tz;
  const scale = (o.scale ?? 1) * (a.growth ? a.growth(dayIndex) : 1);
  const s = a.startH + r.normal() * 0.4 + (o.shift ?? 0);
  const e = Math.max(s + 3, a.endH + r.normal() * 0.6 + (o.shift ?? 0));
  const from = localToUtc(tz, dayIndex, s);
  const to = localToUtc(tz, dayIndex, e);
  const res = DOMAINS[a.domain];
  let t = from;
  let last = from;
  while (true) {
    const lunch = localHour(tz, t);
    const rate = a.lambda * scale * (lunch >= 12 && lunch < 13 ? 0.35 : 1);
    t += r.exp(HOUR / rate);
    if (t >= to) break;
    const n = 1 + Math.floor(r.exp(a.callsPerTask - 1));
    const session = `ss-${a.n}-${Math.floor(t / 1000) % 1e7}`;
    let c = t;
    const where = o.where ? o.where(t) : whereFor(a, dayIndex, t, r);
    for (let i = 0; i < n; i++) {
      const action = r.weighted(a.mix);
      emit(a, c, action, r.pick(res), { ...volumeFor(r, a, action), src: where, session });
      c += 2000 + r.exp(5000);
    }
    last = c;
    t = c;
  }
  if (a.bursts) {
    const k = r.poisson(a.bursts * scale);
    for (let b = 0; b < k; b++) {
      const bt = r.range(from, to);
      const n = r.int(40, 160);
      const dur = r.range(30, 120) * 1000;
      const where = o.where ? o.where(bt) : whereFor(a, dayIndex, bt, r);
      for (let i = 0; i < n; i++) {
        const action = r.chance(0.8) ? 'read' : 'list';
        emit(a, bt + (i * dur) / n, action, r.pick(res), { ...volumeFor(r, a, action), src: where, session: `bu-${a.n}-${dayIndex}-${b}` });
      }
    }
  }
  return { from, to, last };
}
function isWorkday(a, dayIndex) {
  const d = dowOf(dayIndex);
  if (a.workdays.includes(d)) return !a.r.chance(0.04);
  if (a.extraWorkdays && a.extraWorkdays(dayIndex)) return true;
  return false;
}
function runPerson(a) {
  a.deviceAt = a.deviceAt ?? (() => a.device);
  for (let d = -1; d <= DAYS; d++) {
    if (a.firstDay !== undefined && d < a.firstDay) continue;
    if (a.skipDay && a.skipDay(d)) continue;
    if (!isWorkday(a, d)) continue;
    const info = assistantDay(a, d, a.dayOpts ? a.dayOpts(d) : {});
    if (a.afterDay) a.afterDay(a, d, info);
  }
}

/** A heavy analytics agent: report jobs of many calls a second or two apart, a few percent transfers. */
function heavyDay(a, dayIndex) {
  const r = a.r;
  const tz = a.principal.timezone;
  const g = a.growth ? a.growth(dayIndex) : 1;
  const jobs = Math.round(r.int(6, 12) * g);
  const res = DOMAINS.data;
  for (let j = 0; j < jobs; j++) {
    const t0 = localToUtc(tz, dayIndex, r.range(8.2, 18.3));
    const n = r.int(60, 160);
    const where = whereFor(a, dayIndex, t0, r);
    let c = t0;
    for (let i = 0; i < n; i++) {
      const action = r.weighted({ read: 64, list: 13, download: 10, export: 3, write: 6, search: 4 });
      emit(a, c, action, r.pick(res), { ...volumeFor(r, a, action), src: where, session: `job-${a.n}-${dayIndex}-${j}` });
      c += 300 + r.exp(1200);
    }
  }
}

/** A nightly service account: one run at a fixed local time of its datacenter. */
function batchNight(a, dayIndex) {
  const r = a.r;
  let mult = 1;
  if (a.sundayMult && dowOf(dayIndex) === 0) mult = a.sundayMult;
  if (a.monthEnd && dayIndex === a.monthEnd.day) mult = a.monthEnd.mult;
  const t0 = localToUtc(a.dcTz, dayIndex, a.runAt + r.range(0, a.jitterMin ?? 4) / 60);
  const n = Math.round(r.int(a.calls[0], a.calls[1]) * Math.sqrt(mult));
  const dur = r.range(a.durMin[0], a.durMin[1]) * MIN * Math.sqrt(mult);
  const where = src(a.dc, 'datacenter', { id: a.host, managed: true }, `${a.id}/dc`);
  const res = DOMAINS[a.domain];
  let bytesLeft = r.logn(a.nightBytes, 0.35) * mult;
  const transfers = [];
  for (let i = 0; i < n; i++) {
    const action = r.weighted({ export: 50, download: 12, write: 24, list: 10, read: 4 });
    transfers.push(action);
  }
  const nT = transfers.filter((x) => x === 'export' || x === 'download').length;
  for (let i = 0; i < n; i++) {
    const action = transfers[i];
    const t = t0 + (i * dur) / n + r.range(0, 3000);
    const v = action === 'export' || action === 'download' ? { bytes: (bytesLeft / nT) * r.range(0.5, 1.5), records: r.int(1e3, 2e5) } : volumeFor(r, a, action);
    emit(a, t, action, r.pick(res), { ...v, src: where, session: `run-${a.n}-${dayIndex}` });
  }
}

// ================================================================ BENIGN POPULATION
const benignScn = {};
function scn(id, desc) { benignScn[id] = desc; return id; }

// B1 small and medium assistants in many zones (the baseline population)
const B1 = scn('B1-assistants', 'small/medium assistants, 10 zones incl. UTC+5:30, UTC-10, UTC+10:30');
const b1Homes = ['pune', 'honolulu', 'adelaide', 'santiago', 'warsaw', 'toronto', 'mexico', 'nairobi', 'lisbon', 'chicago', 'seoul', 'denver'];
b1Homes.forEach((h, i) => {
  const a = agent({ scn: B1, home: P[h], principal: person(`u-b1-${i}`, P[h]), lambda: [0.7, 1.2, 2.5][i % 3], domain: ['sales', 'eng', 'finance', 'people'][i % 4], rot: ['weekly', 'daily', 'static'][i % 3] });
  runPerson(a);
});

// B2 heavy analytics agents (~50x a small agent's bytes); one grows 3x over the period
const B2 = scn('B2-heavy', 'heavy analytics agents, ~50-100x a small agent, one growing 3x over 3 weeks');
for (const [i, h] of [['pune', 0], ['chicago', 1]].map(([h, i]) => [i, h])) {
  const a = agent({ scn: B2, home: P[h], principal: person(`u-b2-${i}`, P[h], 'globex'), dlMed: 1.4e6, exMed: 3e6, officeDays: [1, 2, 3, 4] });
  if (i === 1) a.growth = (d) => 1 + (2 * Math.max(0, d)) / (DAYS - 1);
  a.deviceAt = () => a.device;
  for (let d = -1; d <= DAYS; d++) if (isWorkday(a, d)) heavyDay(a, d);
}

// B3 heavy indexer: one sync run a workday, 1,800-4,200 reads at ~11/s (50x a small agent's busiest 5 minutes)
const B3 = scn('B3-heavy-indexer', 'heavy knowledge-sync agent: one 1.8k-4.2k read sync a workday at ~11 reads/s');
{
  const a = agent({ scn: B3, home: P.lisbon, principal: person('u-b3', P.lisbon, 'globex'), domain: 'eng', lambda: 2 });
  a.afterDay = (a, d, info) => {
    const r = a.r;
    const t0 = r.range(info.from + HOUR, info.to - HOUR);
    const n = r.int(1800, 4200);
    const where = whereFor(a, d, t0, r);
    for (let i = 0; i < n; i++) emit(a, t0 + i * (1000 / r.range(9, 13)), r.chance(0.9) ? 'read' : 'list', r.pick(DOMAINS.eng), { bytes: r.logn(9e3, 0.8), records: 1, src: where, session: `sync-${d}` });
  };
  runPerson(a);
}

// B4 nightly batch service accounts (no principal): gigabytes a night
const B4 = scn('B4-batch', 'nightly batch service accounts moving GBs; local-time schedules across DST; Sunday snapshot');
const B4Q = scn('B4q-batch-month-end-12x', 'nightly batch whose month-end full re-extract on Oct 31 moves ~12x a usual night');
const B4M = scn('B4m-batch-month-end', 'nightly batch with a month-end close run (~6x a usual night) on Oct 31');
const batches = [
  { scn: B4, dc: P.frankfurt, dcTz: 'Europe/Berlin', runAt: 1.5, calls: [180, 320], durMin: [35, 70], nightBytes: 4e9, domain: 'finance' },
  { scn: B4, dc: P.ashburn, dcTz: 'America/New_York', runAt: 23.25, calls: [150, 260], durMin: [30, 55], nightBytes: 9e9, domain: 'data', sundayMult: 2.5 },
  { scn: B4, dc: P.singapore, dcTz: 'UTC', runAt: 19.0, calls: [200, 360], durMin: [40, 80], nightBytes: 2.5e9, domain: 'sales' },
  { scn: B4M, dc: P.dublin, dcTz: 'Europe/Dublin', runAt: 2.0, calls: [120, 200], durMin: [25, 45], nightBytes: 1.2e9, domain: 'finance', monthEnd: { day: 12, mult: 6 } },
  { scn: B4Q, dc: P.toronto, dcTz: 'America/Toronto', runAt: 1.0, calls: [100, 160], durMin: [20, 40], nightBytes: 0.8e9, domain: 'finance', monthEnd: { day: 12, mult: 12 } },
];
for (const b of batches) {
  const a = agent({ ...b, principal: null, rot: 'daily', host: `host-${agentN + 1}` });
  for (let d = -1; d <= DAYS; d++) batchNight(a, d);
}

// B5 coding agents with bursts of quick tool calls (40-160 reads in 30-120 s, 1-4 a day)
const B5 = scn('B5-bursty-coders', 'coding agents with bursts of 40-160 quick reads in 30-120 s');
for (const [i, h] of ['bengaluru', 'warsaw', 'honolulu', 'santiago'].entries()) {
  const a = agent({ scn: B5, home: P[h], principal: person(`u-b5-${i}`, P[h], 'initech'), domain: 'eng', lambda: 2.2, bursts: [1, 2.5, 4, 2][i], rot: 'daily' });
  runPerson(a);
}

// B5x a coding agent that, twice in three weeks, reads a whole directory tree (550-700 reads in 2-3 min)
const B5X = scn('B5x-coder-rare-big-burst', 'coding agent with usual bursts plus two one-off 550-700-read bursts in 2-3 min (reading a whole repo)');
{
  const a = agent({ scn: B5X, home: P.tokyo, principal: person('u-b5x', P.tokyo, 'initech'), domain: 'eng', lambda: 2.0, bursts: 2, rot: 'daily' });
  a.afterDay = (a, d, info) => {
    if (d !== 9 && d !== 16) return;
    const r = a.r;
    const t0 = r.range(info.from + HOUR, info.to - HOUR);
    const n = r.int(550, 700);
    const dur = r.range(120, 180) * 1000;
    const where = whereFor(a, d, t0, r);
    for (let i = 0; i < n; i++) emit(a, t0 + (i * dur) / n, 'read', ['code.file', 'internal', `src-${i}`], { bytes: r.logn(6e3, 0.8), records: 1, src: where, session: `tree-${d}` });
  };
  runPerson(a);
}

// B6 weekly clean-ups: 24-96 deletes in 3-10 minutes, fixed weekday and hour
const B6 = scn('B6-weekly-cleanup', 'weekly clean-up of 24-96 deletes in 3-10 min');
for (const [i, h] of ['toronto', 'pune', 'adelaide'].entries()) {
  const a = agent({ scn: B6, home: P[h], principal: person(`u-b6-${i}`, P[h], 'initech'), domain: 'ops', lambda: 0.8 });
  const cleanDow = [5, 1, 3][i];
  const cleanH = [16.5, 10.0, 14.25][i];
  a.afterDay = (a, d) => {
    if (dowOf(d) !== cleanDow) return;
    const r = a.r;
    const t0 = localToUtc(a.principal.timezone, d, cleanH + r.range(-0.2, 0.2));
    const n = r.int(24, 96);
    const dur = r.range(3, 10) * MIN;
    const where = whereFor(a, d, t0, r);
    emit(a, t0 - 20_000, 'list', ['ticket.incident', 'internal'], { bytes: 4e3, records: n, src: where });
    for (let k = 0; k < n; k++) emit(a, t0 + (k * dur) / n, 'delete', ['ci.artifact', 'internal', `art-${d}-${k}`], { src: where, session: `clean-${d}` });
  };
  runPerson(a);
}

// B7 travellers: plausible door-to-door times, usual managed laptop, profile time zone unchanged
const B7 = scn('B7-travellers', 'long-haul travellers (Pune->Frankfurt, Denver->Tokyo, Lisbon->Sao Paulo), usual laptop');
const B7W = scn('B7w-traveller-inflight-wifi', 'traveller Warsaw->Singapore who checks twice on in-flight Wi-Fi (gateway geolocates to California)');
function traveller(scnId, homeKey, destKey, legs, opts = {}) {
  const home = P[homeKey];
  const dest = P[destKey];
  const a = agent({ scn: scnId, home, principal: person(`u-${scnId}-${homeKey}`, home, 'umbrella'), lambda: 1.4, domain: 'sales' });
  const [outLast, landing, backLast, backFirst] = legs.map((s) => Date.parse(s));
  a.skipDay = () => false;
  const away = (t) => t > outLast && t < backFirst;
  a.whereOverride = (a, d, t) => (t >= landing && t <= backLast ? src(dest, a.r.chance(0.6) ? 'corporate' : 'public', a.device, `${a.id}/dest/${Math.floor((t - landing) / DAY)}`) : undefined);
  a.deviceAt = () => a.device;
  // home days, minus the trip
  for (let d = -1; d <= DAYS; d++) {
    if (!isWorkday(a, d)) continue;
    const before = events.length;
    assistantDay(a, d);
    for (let k = events.length - 1; k >= before; k--) if (away(events[k]._t)) events.splice(k, 1);
  }
  // landing check from the airport (mobile), then destination-hours work days
  for (let k = 0; k < 4; k++) emit(a, landing + k * 40_000, 'read', ['mail.message', 'internal'], { bytes: 3e3, src: src(dest, 'mobile', a.device, `${a.id}/airport`) });
  for (let d = -1; d <= DAYS; d++) {
    const dow = dowOf(d);
    if (dow === 0 || dow === 6) continue;
    const before = events.length;
    assistantDay(a, d, { tz: dest.tz });
    for (let k = events.length - 1; k >= before; k--) if (!(events[k]._t > landing + 30 * MIN && events[k]._t < backLast)) events.splice(k, 1);
  }
  for (const t of opts.inflight ?? []) for (let k = 0; k < 3; k++) emit(a, Date.parse(t) + k * 50_000, 'read', ['mail.message', 'internal'], { bytes: 2e3, src: src(P.lakeforest, 'inflight', a.device, `${a.id}/inflight`) });
  return a;
}
traveller(B7, 'pune', 'frankfurt', ['2026-10-27T13:30:00Z', '2026-10-28T05:40:00Z', '2026-10-30T16:00:00Z', '2026-10-31T06:30:00Z']);
traveller(B7, 'denver', 'tokyo', ['2026-10-28T15:00:00Z', '2026-10-29T08:30:00Z', '2026-11-05T01:00:00Z', '2026-11-05T16:00:00Z']);
traveller(B7, 'lisbon', 'saopaulo', ['2026-11-02T18:00:00Z', '2026-11-03T09:30:00Z', '2026-11-06T19:00:00Z', '2026-11-07T11:00:00Z']);
traveller(B7W, 'warsaw', 'singapore', ['2026-10-29T06:00:00Z', '2026-10-29T20:30:00Z', '2026-11-03T10:00:00Z', '2026-11-04T08:00:00Z'], { inflight: ['2026-10-29T10:05:00Z', '2026-10-29T13:40:00Z'] });

// B8 corporate VPN whose exit is in another country (managed laptop); one split-tunnel
const B8 = scn('B8-vpn-abroad', 'corporate VPN exits abroad (Toronto->Ashburn, Pune->Singapore split tunnel, Honolulu->Los Angeles)');
for (const [i, [h, x, share]] of [['toronto', 'ashburn', 0.85], ['pune', 'singapore', 0.55], ['honolulu', 'losangeles', 0.9]].entries()) {
  const a = agent({ scn: B8, home: P[h], vpnExit: P[x], vpnAbroadShare: share, officeDays: [3], principal: person(`u-b8-${i}`, P[h], 'umbrella'), lambda: 1.6 });
  // split tunnel: the exit is chosen per call, not per day
  if (i === 1) a.whereOverride = (a, d, t, r) => (a.officeDays.includes(dowOf(d)) ? undefined : r.chance(0.55) ? src(P.singapore, 'vpn', a.device, `${a.id}/vpnx`) : src(a.home, 'home', a.device, `${a.id}/home`));
  runPerson(a);
}

// B9 evening check from a personal (unmanaged) phone at home
const B9 = scn('B9-evening-phone', 'evening check, 2-7 reads from a personal unmanaged phone at home (Warsaw, Santiago: home Wi-Fi)');
const B9A = scn('B9a-evening-phone-alaska', 'evening phone check in Anchorage; on mobile data the carrier egress geolocates to Seattle');
for (const [i, h] of ['warsaw', 'santiago', 'anchorage'].entries()) {
  const sid = h === 'anchorage' ? B9A : B9;
  const a = agent({ scn: sid, home: P[h], principal: person(`u-b9-${i}`, P[h], 'hooli'), lambda: 1.0, officeDays: [1, 2, 3, 4, 5] });
  const phone = { id: `ph-${a.n}-own`, managed: false };
  a.afterDay = (a, d, info) => {
    const r = a.r;
    if (!r.chance(0.45)) return;
    const t0 = info.last + r.range(1.6, 4.0) * HOUR;
    const mobile = h === 'anchorage' && r.chance(0.5);
    const where = mobile ? src(P.seattle, 'mobile', phone, `${a.id}/carrier`) : src(a.home, 'home', phone, `${a.id}/homewifi`);
    const n = r.int(2, 7);
    for (let k = 0; k < n; k++) emit(a, t0 + k * r.range(15, 70) * 1000, r.chance(0.7) ? 'read' : 'list', ['mail.message', 'internal'], { bytes: r.logn(4e3, 0.6), src: where, session: `ph-${d}` });
  };
  runPerson(a);
}

// B10 new laptop: a new managed laptop from day 9 (Seoul); a new laptop reported unmanaged for its first two days (Nairobi)
const B10 = scn('B10-new-laptop', 'switch to a new laptop mid-period (managed; and one unmanaged for its first 2 days)');
for (const [i, h] of ['seoul', 'nairobi'].entries()) {
  const a = agent({ scn: B10, home: P[h], principal: person(`u-b10-${i}`, P[h], 'hooli'), lambda: 1.3 });
  const switchAt = localToUtc(P[h].tz, 9 + i, 11.5);
  const newDev = { id: `lap-${a.n}-new`, managed: true };
  a.deviceAt = (t) => (t < switchAt ? a.device : i === 1 && t < switchAt + 2 * DAY ? { id: newDev.id, managed: false } : newDev);
  runPerson(a);
}

// B11 on-call staff at night (Denver across US DST; Pune)
const B11 = scn('B11-oncall-night', 'on-call SRE agents paged at night from home (usual laptop, home ISP or domestic VPN)');
for (const [i, h] of ['denver', 'pune'].entries()) {
  const a = agent({ scn: B11, home: P[h], principal: person(`u-b11-${i}`, P[h], 'hooli'), domain: 'ops', lambda: 1.0 });
  runPerson(a);
  const r = new R(`oncall:${a.id}`);
  const weeks = i === 0 ? [1] : [0, 2];
  for (const w of weeks) for (let d = w * 7; d < w * 7 + 7; d++) {
    const pages = r.poisson(1.6);
    for (let p = 0; p < pages; p++) {
      const t0 = localToUtc(a.principal.timezone, d, r.range(22, 29.5));
      const n = r.int(15, 90);
      const where = r.chance(0.5) ? src(a.home, 'vpn', a.device, `${a.id}/vpnhome`) : src(a.home, 'home', a.device, `${a.id}/home/0`);
      let c = t0;
      for (let k = 0; k < n; k++) {
        const action = r.weighted({ read: 50, list: 20, search: 15, admin: 5, write: 7, restart: 3 });
        emit(a, c, action, r.pick(DOMAINS.ops), { ...volumeFor(r, a, action), src: where, session: `page-${d}-${p}` });
        c += r.range(4, 60) * 1000;
      }
    }
  }
}

// B12 brand-new agents: of an existing principal; of a brand-new hire; piloted for 4 days then rolled out to a team
const B12 = scn('B12-new-agents', 'brand-new agents (existing principal day 11; new hire day 8)');
const B12R = scn('B12r-new-agent-rollout', 'brand-new agent piloted lightly for 4 days, then rolled out to a team (~20x)');
{
  const a = agent({ scn: B12, home: P.lisbon, principal: person('u-b12-0', P.lisbon, 'acme'), firstDay: 11, lambda: 1.3 });
  runPerson(a);
  const prior = agent({ scn: B12, home: P.lisbon, principal: person('u-b12-0', P.lisbon, 'acme'), lambda: 0.8 });
  prior.device = a.device; // the person's usual laptop
  runPerson(prior);
  const h = agent({ scn: B12, home: P.mexico, principal: person('u-b12-newhire', P.mexico, 'acme'), firstDay: 8, lambda: 1.1, officeDays: [1, 2, 3, 4, 5] });
  runPerson(h);
  const ro = agent({ scn: B12R, home: P.warsaw, principal: person('u-b12-lead', P.warsaw, 'acme'), firstDay: 6, lambda: 1.0, domain: 'finance', officeDays: [1, 2, 3, 4, 5] });
  ro.dayOpts = (d) => ({ scale: d < 10 ? 0.6 : 20 });
  runPerson(ro);
}

// B13 a team that starts working weekends (Adelaide, UTC+10:30) from Sat 2026-10-31
const B13 = scn('B13-weekend-team', 'team of three that starts working Sat/Sun from day 12 (release crunch)');
for (let i = 0; i < 3; i++) {
  const a = agent({ scn: B13, home: P.adelaide, principal: person(`u-b13-${i}`, P.adelaide, 'initech'), domain: 'eng', lambda: 1.5, bursts: 1 });
  a.extraWorkdays = (d) => d >= 12;
  runPerson(a);
}

// ================================================================ ATTACKS
function victim(spec) { return agent({ role: 'victim', ...spec }); }
function statsOf(a, before) {
  const evs = events.filter((e) => e.agent.id === a.id && e._t < before && !e.labels.rq_attack);
  const hb = new Map(), hc = new Map(), db = new Map(), dc = new Map(), rh = new Map();
  for (const e of evs) {
    const h = Math.floor(e._t / HOUR), d = Math.floor(e._t / DAY);
    const b = e.volume?.bytes ?? 0;
    if (e.action === 'download' || e.action === 'export') {
      hb.set(h, (hb.get(h) ?? 0) + b); hc.set(h, (hc.get(h) ?? 0) + 1);
      dc.set(d, (dc.get(d) ?? 0) + 1);
    }
    if (['download', 'export', 'read'].includes(e.action)) db.set(d, (db.get(d) ?? 0) + b);
    if (e.action === 'read' || e.action === 'list') rh.set(h, (rh.get(h) ?? 0) + 1);
  }
  const med = (m) => { const xs = [...m.values()].sort((x, y) => x - y); return xs.length ? xs[Math.floor(xs.length / 2)] : 0; };
  const max = (m) => Math.max(0, ...m.values());
  return { hourMedBytes: med(hb), hourMaxBytes: max(hb), hourMedCount: med(hc), hourMaxCount: max(hc), dayMedBytes: med(db), dayMaxBytes: max(db), dayMedCount: med(dc), dayMaxCount: max(dc), readHourMed: med(rh), readHourMax: max(rh) };
}
function attack(id, kind, a, desc, params, gen) {
  const before = events.length;
  gen();
  const mine = events.slice(before).filter((e) => e.labels.rq_attack === id);
  const ts = mine.map((e) => e._t);
  attacks.push({ id, kind, victim: a.id, desc, params, start: Math.min(...ts), end: Math.max(...ts), events: mine.length, bytes: mine.reduce((s, e) => s + (e.volume?.bytes ?? 0), 0) });
}
const fmt = (b) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);
/** count transfers totalling `total` bytes evenly over [t0, t0+dur) */
function transfers(a, id, t0, dur, n, total, where, opts = {}) {
  const r = new R(`atk:${id}`);
  const res = opts.res ?? DOMAINS[a.domain].filter((x) => x[1] !== 'public');
  for (let k = 0; k < n; k++) {
    const action = opts.action ?? (r.chance(0.7) ? 'download' : 'export');
    emit(a, t0 + (k * dur) / n + r.range(0, dur / n / 2), action, r.pick(res), { bytes: (total / n) * r.range(0.6, 1.4), records: r.int(10, 3000), src: where, attack: id, token: opts.token?.(t0 + (k * dur) / n), session: opts.session ?? `x-${id}` });
  }
}
function reads(a, id, t0, dur, n, where, opts = {}) {
  const r = new R(`atkr:${id}`);
  const res = DOMAINS[a.domain];
  for (let k = 0; k < n; k++) {
    const action = opts.actions ? r.pick(opts.actions) : r.chance(0.85) ? 'read' : 'list';
    emit(a, t0 + (k * dur) / n, action, [r.pick(res)[0], 'confidential', `${opts.prefix ?? 'id'}-${100000 + k}`], { bytes: r.logn(opts.bytes ?? 6e3, 0.7), records: 1, src: where, attack: id, token: opts.token?.(t0 + (k * dur) / n), session: opts.session ?? `x-${id}` });
  }
}
const dayOf = (s) => Math.round((Date.parse(s) - START) / DAY);
const hosting = (place, key, device) => src(place, 'hosting', device, `atk/${key}`);

// ---- A1 3 AM bulk download from a place the agent has never been
{
  const a = victim({ scn: 'A1a-3am-bulk-small', home: P.warsaw, principal: person('u-a1a', P.warsaw), lambda: 1.2 });
  runPerson(a);
  const t0 = localToUtc(P.warsaw.tz, dayOf('2026-10-30'), 3.15);
  const st = statsOf(a, t0);
  const total = 40 * st.hourMaxBytes;
  attack('A1a', '3am-new-place-bulk', a, '03:09 local, Lagos hosting, unmanaged new device; 5 lists then 60 downloads in 30 min', { total: fmt(total), xBusiestHour: 40 }, () => {
    const where = hosting(P.lagos, 'a1a', { id: 'dev-a1a', managed: false });
    reads(a, 'A1a', t0, 2 * MIN, 5, where, { actions: ['list'] });
    transfers(a, 'A1a', t0 + 3 * MIN, 30 * MIN, 60, total, where);
  });
}
{
  const a = victim({ scn: 'A1b-3am-recon-then-bulk', home: P.toronto, principal: person('u-a1b', P.toronto), lambda: 2.2 });
  runPerson(a);
  const t0 = localToUtc(P.toronto.tz, dayOf('2026-11-03'), 2.9);
  const st = statsOf(a, t0);
  const total = 8 * st.hourMaxBytes;
  attack('A1b', '3am-new-place-bulk', a, '02:54 local, Bucharest hosting, no device reported; 75 min of reads/lists, then 30 downloads in 45 min', { total: fmt(total), xBusiestHour: 8, xUsualDay: +(total / st.dayMedBytes).toFixed(1) }, () => {
    const where = hosting(P.bucharest, 'a1b', undefined);
    reads(a, 'A1b', t0, 75 * MIN, 45, where);
    transfers(a, 'A1b', t0 + 76 * MIN, 45 * MIN, 30, total, where);
  });
}
{
  const a = victim({ scn: 'A1c-3am-bulk-heavy', home: P.bengaluru, principal: person('u-a1c', P.bengaluru, 'globex'), dlMed: 1.4e6, exMed: 3e6 });
  a.deviceAt = () => a.device;
  for (let d = 2; d <= DAYS; d++) if (isWorkday(a, d)) heavyDay(a, d);
  const t0 = localToUtc(P.bengaluru.tz, dayOf('2026-11-04'), 3.5);
  const st = statsOf(a, t0);
  const total = 6 * st.hourMaxBytes;
  attack('A1c', '3am-new-place-bulk', a, 'heavy analytics agent; 03:30 local, Amsterdam hosting, unmanaged new device; 200 transfers in 50 min', { total: fmt(total), xBusiestHour: 6, xUsualHour: +(total / st.hourMedBytes).toFixed(1) }, () => {
    transfers(a, 'A1c', t0, 50 * MIN, 200, total, hosting(P.amsterdam, 'a1c', { id: 'dev-a1c', managed: false }));
  });
}
{
  const a = victim({ scn: 'A1d-bulk-new-place-own-hours', home: P.honolulu, principal: person('u-a1d', P.honolulu), lambda: 1.2 });
  runPerson(a);
  const t0 = localToUtc(P.honolulu.tz, dayOf('2026-10-29'), 10.2);
  const st = statsOf(a, t0);
  const total = 20 * st.hourMaxBytes;
  attack('A1d', '3am-new-place-bulk', a, "mimics the person's hours: 10:12 local, Manila hosting, unmanaged new device; 40 downloads in 40 min", { total: fmt(total), xBusiestHour: 20 }, () => {
    transfers(a, 'A1d', t0, 40 * MIN, 40, total, hosting(P.manila, 'a1d', { id: 'dev-a1d', managed: false }));
  });
}

{
  const a = victim({ scn: 'A1e-3am-managed-device-proxy', home: P.mexico, principal: person('u-a1e', P.mexico), lambda: 1.6 });
  runPerson(a);
  const t0 = localToUtc(P.mexico.tz, dayOf('2026-11-05'), 3.0);
  const st = statsOf(a, t0);
  const total = 5 * st.hourMaxBytes;
  attack('A1e', '3am-new-place-bulk', a, "03:00 local from the person's own managed laptop (compromised) through a proxy in Bogota: 70 min of reads/lists, then 3x-busiest-hour transfers", { total: fmt(total), xBusiestHour: 5, xUsualDay: +(total / st.dayMedBytes).toFixed(1), transfers: 3 * st.hourMaxCount }, () => {
    const where = src(P.bogota, 'public', a.device, 'atk/a1e');
    reads(a, 'A1e', t0, 70 * MIN, 40, where);
    transfers(a, 'A1e', t0 + 71 * MIN, 45 * MIN, 3 * st.hourMaxCount, total, where);
  });
}

// ---- A2 runaway delete loops
{
  const a = victim({ scn: 'A2a-delete-loop-fast', home: P.denver, principal: person('u-a2a', P.denver), domain: 'ops' });
  runPerson(a);
  const t0 = localToUtc(P.denver.tz, dayOf('2026-10-28'), 11.1);
  attack('A2a', 'delete-loop', a, '2,400 deletes at 4/s from the usual place and device', { rate: '4/s' }, () => {
    const where = src(a.home, 'home', a.device, `${a.id}/home/0`);
    for (let k = 0; k < 2400; k++) emit(a, t0 + k * 250, 'delete', ['ticket.issue', 'internal', `iss-${50000 + k}`], { src: where, attack: 'A2a', session: 'loop' });
  });
}
{
  const a = victim({ scn: 'A2b-delete-loop-llm-paced', home: P.pune, principal: person('u-a2b', P.pune), domain: 'eng', lambda: 2, bursts: 2 });
  runPerson(a);
  const t0 = localToUtc(P.pune.tz, dayOf('2026-11-02'), 11.0);
  attack('A2b', 'delete-loop', a, 'runaway agent loop at LLM speed: one delete every 2.5-4.5 s for 3 h (~3,400 deletes)', { rate: '~20/min' }, () => {
    const r = new R('a2b');
    const where = src(a.office, 'corporate', a.device, `${a.id}/office`);
    let t = t0;
    let k = 0;
    while (t < t0 + 3 * HOUR) { emit(a, t, 'delete', ['code.file', 'internal', `f-${k++}`], { src: where, attack: 'A2b', session: 'loop' }); t += r.range(2500, 4500); }
  });
}
{
  const a = victim({ scn: 'A2c-delete-loop-cleanup-agent', home: P.lisbon, principal: person('u-a2c', P.lisbon), domain: 'ops', lambda: 0.8 });
  a.afterDay = (a, d) => {
    if (dowOf(d) !== 4) return;
    const r = a.r;
    const t1 = localToUtc(P.lisbon.tz, d, 15.0 + r.range(-0.2, 0.2));
    const n = r.int(30, 90);
    for (let k = 0; k < n; k++) emit(a, t1 + k * 6000, 'delete', ['ci.artifact', 'internal', `art-${d}-${k}`], { src: whereFor(a, d, t1, r) });
  };
  runPerson(a);
  const t0 = localToUtc(P.lisbon.tz, dayOf('2026-11-05'), 15.05);
  attack('A2c', 'delete-loop', a, "the weekly clean-up agent loops at its usual hour: 700 deletes at 2/s", { rate: '2/s' }, () => {
    const where = src(a.office, 'corporate', a.device, `${a.id}/office`);
    for (let k = 0; k < 700; k++) emit(a, t0 + k * 500, 'delete', ['ci.artifact', 'internal', `art-x-${k}`], { src: where, attack: 'A2c' });
  });
}

// ---- A3 token replayed from another continent minutes after legitimate use
function replay(id, scnId, home, from, gapMin, opts = {}) {
  const a = victim({ scn: scnId, home: P[home], principal: person(`u-${id}`, P[home]), lambda: 2.0, noCoords: opts.noCoords, officeDays: [1, 2, 3, 4, 5] });
  runPerson(a);
  const day = dayOf(opts.day);
  const legit = events.filter((e) => e.agent.id === a.id && e._t >= START + day * DAY && localHour(P[home].tz, e._t) > 10.5).sort((x, y) => x._t - y._t);
  const ref = legit[0];
  const t0 = ref._t + gapMin * MIN;
  attack(id, 'token-replay', a, `token ${ref.token.id} used ${gapMin} min after legit use, from ${from}${opts.noCoords ? ' (emitter sends country and ip, no coordinates)' : ''}`, { gapMin }, () => {
    const where = src(P[from], opts.network ?? 'hosting', opts.device, `atk/${id}`, { noCoords: opts.noCoords });
    reads(a, id, t0, 20 * MIN, 40, where, { token: () => ref.token.id, actions: ['read', 'list', 'search', 'download'], bytes: 40e3 });
  });
}
replay('A3a', 'A3a-token-replay', 'bengaluru', 'amsterdam', 6, { day: '2026-10-27', device: { id: 'dev-a3a', managed: false } });
replay('A3b', 'A3b-token-replay-country-only', 'chicago', 'vilnius', 8, { day: '2026-10-29', device: { id: 'dev-a3b', managed: false }, noCoords: true });
replay('A3c', 'A3c-token-replay-commercial-vpn', 'seoul', 'saopaulo', 35, { day: '2026-11-03', network: 'vpn' });

// ---- A4 scraping floods
{
  const a = victim({ scn: 'A4a-scrape-small', home: P.nairobi, principal: person('u-a4a', P.nairobi), lambda: 1.0 });
  runPerson(a);
  const t0 = localToUtc(P.nairobi.tz, dayOf('2026-10-28'), 14.0);
  attack('A4a', 'scrape', a, '9,000 sequential reads in 25 min from the usual place', { perMin: 360 }, () => reads(a, 'A4a', t0, 25 * MIN, 9000, whereFor(a, dayOf('2026-10-28'), t0, a.r), { prefix: 'acct' }));
}
{
  const a = victim({ scn: 'A4b-scrape-heavy-6x', home: P.chicago, principal: person('u-a4b', P.chicago, 'globex'), dlMed: 1.4e6, exMed: 3e6 });
  a.deviceAt = () => a.device;
  for (let d = 2; d <= DAYS; d++) if (isWorkday(a, d)) heavyDay(a, d);
  const t0 = localToUtc(P.chicago.tz, dayOf('2026-11-04'), 10.0);
  const st = statsOf(a, t0);
  const n = 6 * st.readHourMax * 1.5; // 6x the busiest hour's reads, sustained 90 min
  attack('A4b', 'scrape', a, "heavy agent scraped at 6x its busiest hour's read rate for 90 min", { reads: Math.round(n), busiestHourReads: st.readHourMax }, () => reads(a, 'A4b', t0, 90 * MIN, Math.round(n), whereFor(a, dayOf('2026-11-04'), t0, a.r), { prefix: 'row' }));
}
{
  const a = victim({ scn: 'A4c-scrape-paced', home: P.santiago, principal: person('u-a4c', P.santiago), lambda: 1.8 });
  runPerson(a);
  const t0 = localToUtc(P.santiago.tz, dayOf('2026-11-02'), 9.5);
  attack('A4c', 'scrape', a, 'paced scrape: 15 reads/min for 8 h (7,200 reads) from the usual place', { perMin: 15 }, () => reads(a, 'A4c', t0, 8 * HOUR, 7200, whereFor(a, dayOf('2026-11-02'), t0, a.r), { prefix: 'ct' }));
}

// ---- A5 bulk export in normal hours, light and heavy agents
function bulk(id, scnId, home, dayS, hourLocal, mult, basis, durMin, nTrans, heavy) {
  const a = victim({ scn: scnId, home: P[home], principal: person(`u-${id}`, P[home], heavy ? 'globex' : 'acme'), lambda: 1.4, ...(heavy ? { dlMed: 1.4e6, exMed: 3e6 } : {}) });
  if (heavy) { a.deviceAt = () => a.device; for (let d = 2; d <= DAYS; d++) if (isWorkday(a, d)) heavyDay(a, d); } else runPerson(a);
  const t0 = localToUtc(P[home].tz, dayOf(dayS), hourLocal);
  const st = statsOf(a, t0);
  const base = basis === 'day' ? st.dayMedBytes : basis === 'hourMax' ? st.hourMaxBytes : st.hourMedBytes;
  const total = mult * base;
  const n = typeof nTrans === 'function' ? nTrans(st) : nTrans;
  attack(id, 'bulk-export', a, `${mult}x the agent's ${basis === 'day' ? 'usual day' : basis === 'hourMax' ? 'busiest hour' : 'usual hour'} in ${n} transfers over ${durMin} min, usual place and device`, { total: fmt(total), xUsualDay: +(total / st.dayMedBytes).toFixed(1), xBusiestHour: +(total / st.hourMaxBytes).toFixed(1), transfers: n, busiestHourTransfers: st.hourMaxCount }, () =>
    transfers(a, id, t0, durMin * MIN, n, total, whereFor(a, dayOf(dayS), t0, a.r)));
}
bulk('A5a', 'A5a-bulk-export-small-30x', 'santiago', '2026-10-29', 11, 30, 'day', 60, 50, false);
bulk('A5b', 'A5b-bulk-export-small-8x-day', 'seoul', '2026-11-04', 14.5, 8, 'day', 60, 14, false);
bulk('A5c', 'A5c-bulk-export-heavy-8x-day', 'pune', '2026-11-02', 11, 8, 'day', 120, (st) => 3 * st.hourMaxCount, true);
bulk('A5d', 'A5d-bulk-export-heavy-5x-day', 'denver', '2026-11-05', 13, 5, 'day', 60, (st) => 2 * st.hourMaxCount, true);
bulk('A5e', 'A5e-bulk-export-small-6x-busiest-hour', 'adelaide', '2026-11-03', 10, 6, 'hourMax', 45, 25, false);

// ---- A6 service account outside its schedule from a new place
function svcVictim(scnId, b) { const a = victim({ scn: scnId, ...b, principal: null, rot: 'daily', host: `host-v${agentN + 1}` }); return a; }
{
  const a = svcVictim('A6a-svc-offschedule', { dc: P.frankfurt, dcTz: 'UTC', runAt: 2.0, calls: [150, 260], durMin: [30, 60], nightBytes: 3e9, domain: 'finance' });
  for (let d = -1; d <= DAYS; d++) batchNight(a, d);
  const t0 = Date.parse('2026-10-30T14:20:00Z');
  attack('A6a', 'svc-offschedule', a, 'nightly job token used 14:20 UTC Fri from Bucharest hosting, no device; 80 exports of ~30 MB', {}, () => transfers(a, 'A6a', t0, 50 * MIN, 80, 80 * 30e6, hosting(P.bucharest, 'a6a'), { action: 'export', token: () => tokenAt(a, t0) }));
}
{
  const a = svcVictim('A6b-svc-own-hours', { dc: P.ashburn, dcTz: 'UTC', runAt: 4.0, calls: [150, 260], durMin: [30, 60], nightBytes: 5e9, domain: 'data' });
  for (let d = -1; d <= DAYS; d++) batchNight(a, d);
  const t0 = Date.parse('2026-11-04T04:50:00Z');
  attack('A6b', 'svc-offschedule', a, "mimics the job's hours: 04:50 UTC (its run is 04:00-05:00) from Sao Paulo hosting, unknown host; 60 exports of ~40 MB", {}, () => transfers(a, 'A6b', t0, 40 * MIN, 60, 60 * 40e6, hosting(P.saopaulo, 'a6b', { id: 'host-unknown', managed: false }), { action: 'export', token: () => tokenAt(a, t0) }));
}
{
  const a = svcVictim('A6c-svc-weekly-offschedule', { dc: P.singapore, dcTz: 'UTC', runAt: 3.0, calls: [60, 90], durMin: [15, 25], nightBytes: 6e8, domain: 'people' });
  for (let d = -1; d <= DAYS; d++) if (dowOf(d) === 0) batchNight(a, d);
  const t0 = Date.parse('2026-11-04T15:10:00Z');
  attack('A6c', 'svc-offschedule', a, 'weekly (Sunday 03:00 UTC) job token used Wed 15:10 UTC from Jakarta hosting; 30 lists/reads then 40 exports', {}, () => {
    const where = hosting(P.jakarta, 'a6c');
    reads(a, 'A6c', t0, 10 * MIN, 30, where, { token: () => tokenAt(a, t0) });
    transfers(a, 'A6c', t0 + 11 * MIN, 30 * MIN, 40, 40 * 20e6, where, { action: 'export', token: () => tokenAt(a, t0) });
  });
}

// ---- A7 slow exfiltration over a working day
function slow(id, scnId, home, dayS, mult, transfersOf, heavy, extra = {}) {
  const a = victim({ scn: scnId, home: P[home], principal: person(`u-${id}`, P[home], heavy ? 'globex' : 'acme'), lambda: 1.6, ...(heavy ? { dlMed: 1.4e6, exMed: 3e6 } : {}), ...extra });
  if (heavy) { a.deviceAt = () => a.device; for (let d = 2; d <= DAYS; d++) if (isWorkday(a, d)) heavyDay(a, d); } else runPerson(a);
  const t0 = localToUtc(P[home].tz, dayOf(dayS), 9.0);
  const st = statsOf(a, t0);
  const total = mult * st.dayMedBytes;
  const n = transfersOf(st);
  attack(id, 'slow-exfil', a, `${mult}x the usual day's bytes in ${n} transfers spread evenly over 8 h (usual day: ${st.dayMedCount} transfers)`, { total: fmt(total), transfers: n, usualDayTransfers: st.dayMedCount, xBiggestDay: +(total / st.dayMaxBytes).toFixed(1) }, () =>
    transfers(a, id, t0, 8 * HOUR, n, total, whereFor(a, dayOf(dayS), t0, a.r)));
}
slow('A7a', 'A7a-slow-exfil-small-10x', 'warsaw', '2026-11-03', 10, () => 120, false);
slow('A7b', 'A7b-slow-exfil-medium-6x', 'mexico', '2026-11-04', 6, (st) => 2 * st.dayMedCount, false, { lambda: 3 });
slow('A7c', 'A7c-slow-exfil-heavy-5x', 'chicago', '2026-11-05', 5, (st) => Math.round(1.5 * st.dayMedCount), true);

// ---- A8 stolen token of a brand-new agent, another continent, unknown device
function stolenNew(id, scnId, home, firstDayS, gapMin, from, device, o = {}) {
  const pid = o.newHire ? `u-${id}-newhire` : `u-${id}`;
  if (!o.newHire) { const older = victim({ scn: scnId, home: P[home], principal: person(pid, P[home]), lambda: 1.0 }); runPerson(older); }
  const a = victim({ scn: scnId, home: P[home], principal: person(pid, P[home]), firstDay: dayOf(firstDayS), lambda: 1.5, officeDays: [1, 2, 3, 4, 5] });
  runPerson(a);
  const mineEv = events.filter((e) => e.agent.id === a.id);
  const first = mineEv.reduce((m, e) => Math.min(m, e._t), Infinity);
  // o.afterQuiet: the gap counts from the owner's last event of its first day (the attacker waits until a plausible flight time has passed)
  const lastFirstDay = mineEv.filter((e) => e._t < first + 14 * HOUR).reduce((m, e) => Math.max(m, e._t), 0);
  const t0 = (o.afterQuiet ? lastFirstDay : first) + gapMin * MIN;
  attack(id, 'new-agent-stolen', a, `new agent (first event ${new Date(first).toISOString()}${o.newHire ? ', principal is a new hire' : ''}); token used ${gapMin} min after the owner's ${o.afterQuiet ? 'last event of its first day' : 'first event'} from ${from}, ${device ? (device.managed === false ? 'unmanaged new device' : 'new device, no managed flag') : 'no device'}`, { gapMin }, () => {
    reads(a, id, t0, 25 * MIN, 50, hosting(P[from], id, device), { token: (t) => tokenAt(a, t), actions: ['read', 'list', 'download', 'export'], bytes: 200e3 });
  });
}
stolenNew('A8a', 'A8a-new-agent-stolen', 'warsaw', '2026-10-29', 40, 'jakarta', { id: 'dev-a8a', managed: false });
stolenNew('A8b', 'A8b-new-agent-stolen-new-hire', 'toronto', '2026-10-28', 5 * 60, 'vilnius', { id: 'dev-a8b', managed: false }, { newHire: true });
stolenNew('A8c', 'A8c-new-agent-stolen-no-device', 'adelaide', '2026-11-02', 15, 'cairo', undefined);
stolenNew('A8d', 'A8d-new-agent-stolen-new-hire-quiet', 'toronto', '2026-11-02', 11 * 60, 'lisbon', { id: 'dev-a8d', managed: false }, { newHire: true, afterQuiet: true });
stolenNew('A8e', 'A8e-new-agent-stolen-quiet', 'denver', '2026-11-03', 11 * 60, 'frankfurt', { id: 'dev-a8e', managed: false }, { afterQuiet: true });

// ================================================================ output
events.sort((x, y) => x._t - y._t || (x.id < y.id ? -1 : 1));
const out = fs.createWriteStream(OUT);
for (const e of events) {
  if (ONLY && !ONLY.some((p) => e.labels.rq_scn.startsWith(p))) continue;
  e.time = new Date(e._t).toISOString();
  delete e._t;
  out.write(JSON.stringify(e) + '\n');
}
out.end();
const scenarios = {};
for (const a of agents) (scenarios[a.scn] ??= { role: a.role, agents: [] }).agents.push(a.id);
fs.writeFileSync(MANIFEST, JSON.stringify({ seed: SEED, start: new Date(START).toISOString(), days: DAYS, benign: benignScn, scenarios, attacks: attacks.map((x) => ({ ...x, startIso: new Date(x.start).toISOString(), endIso: new Date(x.end).toISOString() })) }, null, 1));
const per = {};
for (const e of events) per[e.labels.rq_scn] = (per[e.labels.rq_scn] ?? 0) + 1;
process.stderr.write(`gen: ${events.length} events, ${agents.length} agents, ${attacks.length} attacks -> ${OUT} (manifest ${MANIFEST})\n`);
if (process.env.GEN_VERBOSE) process.stderr.write(JSON.stringify(per, null, 1) + '\n');
