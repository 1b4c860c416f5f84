/*
 * The roster: which agents exist, for whom they act, where those people live and work, and each
 * agent's own rhythm and appetite for data. Individual parameters are drawn, not fixed per
 * population, so no two assistants look alike and a rule cannot be fitted to one number.
 */
import { DAY } from './clock.js';
import { DATACENTER_CITIES, OFFICE_CITIES, city, type City } from './geo.js';
import { GB, meanBytesPerAccess } from './operations.js';
import { consumerPlace, datacenterPlace, officePlace, vpnPlace } from './places.js';
import { Rng } from './random.js';
import type { AgentSpec, ProfileKind, Role, SimOptions, Trip } from './types.js';

/** Relative share of each population in the roster. */
const SHARES: Readonly<Record<ProfileKind, number>> = {
  office_assistant: 22,
  crm_support: 7,
  heavy_data: 8,
  nightly_batch: 5,
  coding_agent: 12,
  weekly_cleanup: 4,
  traveler: 6,
  vpn_user: 7,
  evening_phone: 8,
  new_laptop: 4,
  oncall: 6,
  new_agent: 6,
};

const ROLE: Readonly<Record<ProfileKind, Role>> = {
  office_assistant: 'office',
  crm_support: 'crm',
  heavy_data: 'heavy',
  nightly_batch: 'batch',
  coding_agent: 'coding',
  weekly_cleanup: 'cleanup',
  traveler: 'office',
  vpn_user: 'office',
  evening_phone: 'office',
  new_laptop: 'office',
  oncall: 'ops',
  new_agent: 'office',
};

const NAMES: Readonly<Record<Role, readonly string[]>> = {
  office: ['mail-assistant', 'exec-assistant', 'calendar-copilot', 'docs-helper', 'research-assistant', 'meeting-notes'],
  crm: ['support-copilot', 'crm-assistant', 'sales-helper', 'account-notes'],
  heavy: ['analytics-runner', 'reporting-agent', 'forecast-agent', 'bi-exporter'],
  coding: ['code-agent', 'pr-reviewer', 'refactor-bot', 'test-writer'],
  ops: ['ops-copilot', 'incident-helper', 'sre-assistant'],
  batch: ['nightly-etl', 'backup-sync', 'warehouse-loader', 'ledger-export'],
  cleanup: ['retention-sweeper', 'tmp-cleaner', 'bucket-janitor'],
  phone: ['mail-assistant'],
};

const OWNERS: Readonly<Record<Role, readonly string[]>> = {
  office: ['team-sales', 'team-finance', 'team-legal', 'team-marketing', 'team-hr'],
  crm: ['team-support', 'team-sales'],
  heavy: ['team-data', 'team-finance'],
  coding: ['team-eng', 'team-platform'],
  ops: ['team-platform', 'team-sre'],
  batch: ['team-data', 'team-platform'],
  cleanup: ['team-it', 'team-platform'],
  phone: ['team-sales'],
};

const SCOPES: Readonly<Record<Role, readonly string[]>> = {
  office: ['mail.read', 'mail.send', 'docs.read', 'docs.write', 'calendar.read', 'crm.read'],
  crm: ['crm.read', 'crm.write', 'tickets.read', 'tickets.write', 'mail.read'],
  heavy: ['warehouse.read', 'warehouse.export', 'analytics.write', 'finance.read'],
  coding: ['repo.read', 'repo.write', 'ci.run', 'tools.execute'],
  ops: ['logs.read', 'metrics.read', 'infra.admin', 'tickets.write'],
  batch: ['warehouse.read', 'warehouse.export', 'backup.write'],
  cleanup: ['storage.read', 'storage.delete'],
  phone: ['mail.read'],
};

/** Accesses per active hour, by role: the spread is wide on purpose. */
const ACTIVITY: Readonly<Record<Role, [number, number]>> = {
  office: [10, 30],
  crm: [40, 100],
  heavy: [25, 50],
  coding: [30, 90],
  ops: [12, 30],
  batch: [0, 0],
  cleanup: [0, 0],
  phone: [20, 40],
};

/** Splits `total` agents over the populations by share, every population getting at least one. */
export function allocate(total: number): ProfileKind[] {
  const kinds = Object.keys(SHARES) as ProfileKind[];
  const sum = kinds.reduce((s, k) => s + SHARES[k], 0);
  const exact = kinds.map((k) => (total * SHARES[k]) / sum);
  const counts = exact.map(Math.floor);
  const order = kinds.map((_, i) => i).sort((a, b) => (exact[b] as number) - Math.floor(exact[b] as number) - ((exact[a] as number) - Math.floor(exact[a] as number)));
  let left = total - counts.reduce((s, n) => s + n, 0);
  for (const i of order) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] as number) + 1;
  }
  if (total >= kinds.length) {
    for (let i = 0; i < kinds.length; i++) {
      while ((counts[i] as number) < 1) {
        counts[i] = 1;
        counts[0] = (counts[0] as number) - 1;
      }
    }
  }
  const out: ProfileKind[] = [];
  kinds.forEach((k, i) => {
    for (let n = 0; n < (counts[i] as number); n++) out.push(k);
  });
  return out;
}

export function buildRoster(opts: SimOptions): AgentSpec[] {
  const rng = new Rng(`${opts.seed}:roster`);
  const kinds = rng.shuffle(allocate(opts.agents));
  return kinds.map((profile, index) => buildAgent(new Rng(`${opts.seed}:agent:${index}`), profile, index, opts));
}

function buildAgent(rng: Rng, profile: ProfileKind, index: number, opts: SimOptions): AgentSpec {
  const role = ROLE[profile];
  const service = profile === 'nightly_batch' || (profile === 'weekly_cleanup' && rng.chance(0.5));
  const home = service ? city(rng.pick(DATACENTER_CITIES)) : city(rng.weighted(OFFICE_CITIES));
  const [lo, hi] = ACTIVITY[role];
  const spec: AgentSpec = {
    index,
    id: `agent-${rng.id(8)}`,
    name: rng.pick(NAMES[role]),
    owner: rng.pick(OWNERS[role]),
    profile,
    role,
    principal: service ? undefined : { id: `u-${rng.id(7)}`, tenant: rng.chance(0.9) ? 'acme' : 'acme-eu', timezone: home.timezone },
    home,
    zone: home.timezone,
    firstDay: 0,
    issuer: 'https://auth.acme.example',
    scopes: pickScopes(rng, SCOPES[role]),
    labels: { sim_profile: profile, ...(service || rng.chance(0.15) ? { env: 'prod' } : {}) },
    countries: new Set([home.country]),
    office: officePlace(rng, home),
    homePlace: consumerPlace(rng, home, 'residential'),
    vpn: undefined,
    datacenter: undefined,
    laptop: { id: `dev-${rng.id(10)}`, managed: true },
    newLaptop: undefined,
    phone: undefined,
    trips: [],
    remoteShare: rng.uniform(0.15, 0.35),
    workStart: rng.uniform(7.5, 10),
    workHours: rng.uniform(7.5, 9.5),
    activity: rng.uniform(lo, hi) * (opts.activity ?? 1),
    busyness: opts.activity ?? 1,
    volume: role === 'heavy' ? rng.logNormal(0.5, 0.35) : rng.logNormal(1, 0.3),
    typicalDailyBytes: 0,
    batch: undefined,
    cleanup: undefined,
    oncallNights: 0,
  };
  if (service) {
    spec.datacenter = datacenterPlace(rng, home);
    spec.office = spec.datacenter;
    spec.laptop = { id: `srv-${home.key}-${rng.id(6)}`, managed: true };
  }
  spec.typicalDailyBytes = spec.activity * spec.workHours * meanBytesPerAccess(role) * spec.volume;

  switch (profile) {
    case 'nightly_batch':
      spec.batch = { hour: rng.uniform(1, 2), weekdaysOnly: rng.chance(0.35), healthcheck: rng.chance(0.45) };
      spec.typicalDailyBytes = Math.exp(rng.uniform(Math.log(2 * GB), Math.log(25 * GB)));
      spec.volume = 1;
      break;
    case 'weekly_cleanup':
      spec.cleanup = service
        ? { weekday: rng.int(0, 6), hour: rng.uniform(2, 5), items: [20, 90] }
        : { weekday: rng.int(1, 5), hour: rng.uniform(15, 17), items: [15, 60] };
      spec.typicalDailyBytes = 50 * 6 * 1000;
      break;
    case 'traveler':
      spec.trips = planTrips(rng, spec, opts.days);
      break;
    case 'vpn_user':
      spec.vpn = vpnPlace(rng, home);
      spec.countries.add(spec.vpn.city.country);
      spec.remoteShare = rng.uniform(0.35, 0.6);
      break;
    case 'evening_phone': {
      const midRun = rng.chance(0.3) && opts.days >= 10;
      spec.phone = {
        device: { id: `dev-${rng.id(10)}`, managed: false },
        place: rng.chance(0.5) ? spec.homePlace : consumerPlace(rng, home, 'mobile'),
        fromDay: midRun ? rng.int(Math.floor(opts.days * 0.3), Math.floor(opts.days * 0.6)) : rng.int(0, 2),
        share: rng.uniform(0.35, 0.75),
      };
      break;
    }
    case 'new_laptop':
      spec.newLaptop = { day: rng.int(Math.floor(opts.days * 0.3), Math.max(1, Math.floor(opts.days * 0.7))), device: { id: `dev-${rng.id(10)}`, managed: true } };
      break;
    case 'oncall':
      spec.oncallNights = rng.uniform(0.25, 0.5);
      break;
    case 'new_agent':
      spec.firstDay = newAgentFirstDay(rng, opts);
      spec.activity *= 0.7;
      spec.typicalDailyBytes *= 0.7;
      break;
    default:
      break;
  }
  return spec;
}

/** Least privilege varies: each agent's tokens carry the role's core scopes and some of the rest. */
function pickScopes(rng: Rng, all: readonly string[]): string[] {
  return all.filter((_, i) => i < 2 || rng.chance(0.5));
}

/** A new agent appears on a weekday, early enough that it has a day or two left in the run. */
function newAgentFirstDay(rng: Rng, opts: SimOptions): number {
  const last = Math.max(1, opts.days - 3);
  const day = rng.int(1, last);
  for (let d = day; d <= last; d++) {
    const w = new Date(opts.startMs + d * DAY).getUTCDay();
    if (w !== 0 && w !== 6) return d;
  }
  return day;
}

function planTrips(rng: Rng, spec: AgentSpec, days: number): Trip[] {
  const trips: Trip[] = [];
  let from = 1;
  const wanted = days >= 14 ? rng.int(1, 2) : 1;
  for (let n = 0; n < wanted && from <= days - 3; n++) {
    const departDay = rng.int(from, Math.min(days - 3, from + 10));
    const returnDay = Math.min(days - 1, departDay + rng.int(2, 6));
    const farAway = rng.chance(0.6);
    let dest: City = spec.home;
    for (let tries = 0; tries < 50 && (dest.country === spec.home.country || farAway !== (dest.continent !== spec.home.continent)); tries++) {
      dest = city(rng.weighted(OFFICE_CITIES));
    }
    if (dest.country === spec.home.country) continue;
    trips.push({
      dest,
      departDay,
      departHour: rng.uniform(11, 15),
      returnDay,
      returnHour: rng.uniform(10, 14),
      office: rng.chance(0.6) ? officePlace(rng, dest) : undefined,
      hotel: consumerPlace(rng, dest, 'public'),
    });
    spec.countries.add(dest.country);
    from = returnDay + 3;
  }
  return trips;
}
