/*
 * Scheduled automation: nightly batch jobs that move gigabytes between 01:00 and 03:00 from a
 * fixed datacenter (some also answer an hourly health check by day), and weekly clean-up jobs
 * that delete dozens of items in one sitting and only look around on other days.
 */
import { MB, OPERATIONS, pickOperation } from '../operations.js';
import type { AgentRuntime } from '../runtime.js';
import type { Operation, Pending, Place, Source } from '../types.js';

const HEALTHCHECK: Operation = { action: 'list', type: 'job.queue', sensitivity: 'internal', pool: 5, bytesMedian: 800, bytesSigma: 0.2, records: [0, 20], weight: 1 };
/** Sustained transfer rate of a batch job, so big exports take realistic time. */
const BATCH_BYTES_PER_MS = 60 * MB / 1000;

function servicePlace(rt: AgentRuntime): Place {
  return rt.spec.datacenter ?? rt.spec.office;
}

export function nightlyBatch(rt: AgentRuntime, day: number, out: Pending[]): void {
  const { spec, rng, cal } = rt;
  const batch = spec.batch;
  if (!batch) return;
  const source = rt.source(servicePlace(rt), spec.laptop);
  if (!(batch.weekdaysOnly && cal.isWeekend(day))) nightlyRun(rt, day, source, out);
  if (batch.healthcheck) {
    for (let h = 8; h < 19; h++) {
      const t = cal.at(spec.zone, day, h + rng.uniform(0, 0.05));
      const n = rng.int(1, 2);
      for (let i = 0; i < n; i++) out.push(rt.event(t + i * 400, rt.access(HEALTHCHECK, 1), rt.credentialAt(t), source));
    }
  }
}

function nightlyRun(rt: AgentRuntime, day: number, source: Source, out: Pending[]): void {
  const { spec, rng, cal } = rt;
  const batch = spec.batch as NonNullable<typeof spec.batch>;

  // Month-end and month-start runs carry more: closing the books, monthly snapshots.
  const date = new Date(cal.startMs + day * 86_400_000);
  const nextDate = new Date(cal.startMs + (day + 1) * 86_400_000);
  const monthEdge = date.getUTCDate() === 1 || nextDate.getUTCDate() === 1;
  const target = spec.typicalDailyBytes * rng.logNormal(1, 0.15) * (monthEdge ? rng.uniform(1.8, 2.6) : 1);

  let t = cal.at(spec.zone, day, batch.hour + rng.normal(0, 0.08));
  const cred = rt.startSession(t);
  const ops = OPERATIONS.batch;
  const list = ops[0] as Operation;
  const lists = rng.int(5, 25);
  for (let i = 0; i < lists; i++) {
    out.push(rt.event(Math.round(t), rt.access(list, 1), cred, source));
    t += rng.uniform(200, 1500);
  }
  let moved = 0;
  while (moved < target) {
    const o = pickOperation(ops.slice(1), rng.next());
    const a = rt.access(o, spec.volume);
    out.push(rt.event(Math.round(t), a, rt.credentialAt(t), source));
    moved += a.bytes;
    t += a.bytes / BATCH_BYTES_PER_MS + rng.exponential(20_000);
  }
}

export function weeklyCleanup(rt: AgentRuntime, day: number, out: Pending[]): void {
  const { spec, rng, cal } = rt;
  const cleanup = spec.cleanup;
  if (!cleanup) return;
  const place = servicePlace(rt);
  const source = rt.source(place, spec.principal ? rt.laptopOn(day) : spec.laptop);
  const [list, del] = OPERATIONS.cleanup as [Operation, Operation];
  const weekday = cal.weekday(day);
  if (weekday !== cleanup.weekday) {
    // A daily look at what has piled up.
    if (spec.principal && cal.isWeekend(day)) return;
    const t = cal.at(spec.zone, day, cleanup.hour + rng.uniform(-0.2, 0.2));
    const cred = rt.startSession(t);
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) out.push(rt.event(t + i * 900, rt.access(list, 1), cred, source));
    return;
  }
  let t = cal.at(spec.zone, day, cleanup.hour + rng.uniform(-0.1, 0.1));
  const cred = rt.startSession(t);
  const lists = rng.int(3, 10);
  for (let i = 0; i < lists; i++) {
    out.push(rt.event(Math.round(t), rt.access(list, 1), cred, source));
    t += rng.uniform(300, 2_000);
  }
  const items = rng.int(cleanup.items[0], cleanup.items[1]);
  const pace = rng.uniform(3_000, 10_000);
  for (let i = 0; i < items; i++) {
    out.push(rt.event(Math.round(t), rt.access(del, 1), rt.credentialAt(t), source));
    t += rng.exponential(pace);
  }
}
