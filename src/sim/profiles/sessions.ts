/*
 * How accesses are spread over a session. People's assistants work in small tasks (a few calls,
 * then minutes of nothing); support and analytics agents work steadily; coding agents fire bursts
 * of dozens to hundreds of tool calls within a minute and then sit idle.
 */
import { MINUTE } from '../clock.js';
import { OPERATIONS, pickOperation } from '../operations.js';
import type { AgentRuntime } from '../runtime.js';
import type { Operation, Pending, Role, Source } from '../types.js';

export type Pace = 'tasks' | 'steady' | 'bursts';

export interface SessionSpec {
  start: number;
  end: number;
  source: Source;
  role: Role;
  /** Accesses per hour, on average over the session. */
  perHour: number;
  volume: number;
  pace: Pace;
}

export function fillSession(rt: AgentRuntime, s: SessionSpec, out: Pending[]): void {
  const start = Math.max(s.start, rt.busyUntil);
  if (start >= s.end || s.perHour <= 0) return;
  rt.startSession(start);
  const ops = OPERATIONS[s.role];
  if (s.pace === 'tasks') tasks(rt, s, ops, start, out);
  else if (s.pace === 'steady') steady(rt, s, ops, start, out);
  else bursts(rt, s, ops, start, out);
}

function emit(rt: AgentRuntime, t: number, o: Operation, s: SessionSpec, out: Pending[]): void {
  out.push(rt.event(t, rt.access(o, s.volume), rt.credentialAt(t), s.source));
}

function tasks(rt: AgentRuntime, s: SessionSpec, ops: readonly Operation[], start: number, out: Pending[]): void {
  const rng = rt.rng;
  const meanTask = 4;
  const gap = (60 * MINUTE * meanTask) / s.perHour;
  let t = start + rng.uniform(0, 2 * MINUTE);
  while (t < s.end) {
    const n = 1 + rng.poisson(meanTask - 1);
    for (let i = 0; i < n && t < s.end; i++) {
      emit(rt, Math.round(t), pickOperation(ops, rng.next()), s, out);
      t += 300 + rng.exponential(2_500);
    }
    t += rng.exponential(gap);
  }
}

function steady(rt: AgentRuntime, s: SessionSpec, ops: readonly Operation[], start: number, out: Pending[]): void {
  const rng = rt.rng;
  const gap = (60 * MINUTE) / s.perHour;
  let t = start + rng.uniform(0, MINUTE);
  while (t < s.end) {
    const o = pickOperation(ops, rng.next());
    if (o.action === 'list' && rng.chance(0.3)) {
      // Paging through a result set: one list per page, a second or two apart.
      const pages = rng.int(3, 15);
      for (let i = 0; i < pages && t < s.end; i++) {
        emit(rt, Math.round(t), o, s, out);
        t += 600 + rng.exponential(1_200);
      }
    } else emit(rt, Math.round(t), o, s, out);
    t += rng.exponential(gap);
  }
}

function bursts(rt: AgentRuntime, s: SessionSpec, ops: readonly Operation[], start: number, out: Pending[]): void {
  const rng = rt.rng;
  const meanBurst = 70;
  const gap = (60 * MINUTE * meanBurst) / s.perHour;
  let t = start + rng.exponential(gap / 2);
  while (t < s.end) {
    const calls = Math.min(400, Math.max(12, Math.round(rng.logNormal(meanBurst * 0.8, 0.7))));
    const span = rng.uniform(15_000, 120_000);
    const step = span / calls;
    for (let i = 0; i < calls; i++) {
      emit(rt, Math.round(t), pickOperation(ops, rng.next()), s, out);
      t += step * rng.uniform(0.3, 1.7);
    }
    t += rng.exponential(gap);
  }
}
