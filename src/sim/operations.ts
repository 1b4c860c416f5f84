/*
 * What each kind of agent does, as weighted tables of accesses (verb, resource, sensitivity and
 * the size of what moves). Sizes are log-normal around a median, which is how request sizes look
 * in real access logs: mostly small, with a long tail.
 */
import type { Operation, Role } from './types.js';

const KB = 1_000;
const MB = 1_000_000;
const GB = 1_000_000_000;

function op(weight: number, action: string, type: string, sensitivity: Operation['sensitivity'], bytesMedian: number, bytesSigma: number, records: [number, number] = [1, 1], pool = 2_000): Operation {
  return { action, type, sensitivity, pool, bytesMedian, bytesSigma, records, weight };
}

export const OPERATIONS: Readonly<Record<Role, readonly Operation[]>> = {
  office: [
    op(24, 'read', 'mail.message', 'internal', 10 * KB, 0.8, [1, 1], 20_000),
    op(8, 'list', 'mail.message', 'internal', 3 * KB, 0.5, [10, 50]),
    op(8, 'read', 'calendar.event', 'internal', 2 * KB, 0.5, [1, 1]),
    op(13, 'read', 'docs.file', 'internal', 30 * KB, 1.0, [1, 1], 5_000),
    op(5, 'read', 'docs.file', 'confidential', 40 * KB, 1.0, [1, 1], 1_000),
    op(8, 'search', 'docs.file', 'internal', 5 * KB, 0.5, [5, 20]),
    op(5, 'list', 'drive.folder', 'internal', 4 * KB, 0.5, [5, 40], 300),
    op(4, 'download', 'docs.file', 'internal', 200 * KB, 1.1, [1, 1], 5_000),
    op(2, 'download', 'docs.file', 'confidential', 250 * KB, 1.1, [1, 1], 1_000),
    op(6, 'write', 'docs.file', 'internal', 20 * KB, 0.9, [1, 1], 5_000),
    op(4, 'write', 'mail.message', 'internal', 8 * KB, 0.8),
    op(5, 'read', 'crm.contact', 'confidential', 3 * KB, 0.4, [1, 1], 50_000),
    op(5, 'read', 'wiki.page', 'internal', 20 * KB, 0.8, [1, 1], 8_000),
    op(1, 'delete', 'mail.message', 'internal', 0, 0, [1, 1], 20_000),
  ],
  phone: [
    op(50, 'read', 'mail.message', 'internal', 8 * KB, 0.7, [1, 1], 20_000),
    op(20, 'list', 'mail.message', 'internal', 3 * KB, 0.5, [10, 30]),
    op(20, 'read', 'calendar.event', 'internal', 2 * KB, 0.5),
    op(10, 'read', 'docs.file', 'internal', 25 * KB, 0.9, [1, 1], 5_000),
  ],
  crm: [
    op(40, 'read', 'crm.contact', 'confidential', 3 * KB, 0.4, [1, 1], 50_000),
    op(14, 'list', 'crm.contact', 'confidential', 25 * KB, 0.5, [25, 100], 50_000),
    op(10, 'write', 'crm.contact', 'confidential', 2 * KB, 0.4, [1, 1], 50_000),
    op(8, 'read', 'crm.account', 'internal', 5 * KB, 0.6, [1, 1], 5_000),
    op(12, 'read', 'ticket.issue', 'internal', 6 * KB, 0.7, [1, 1], 30_000),
    op(6, 'write', 'ticket.issue', 'internal', 3 * KB, 0.6, [1, 1], 30_000),
    op(6, 'read', 'mail.message', 'internal', 10 * KB, 0.8, [1, 1], 20_000),
    op(2, 'download', 'docs.file', 'internal', 300 * KB, 1.0, [1, 1], 2_000),
    op(0.3, 'export', 'crm.contact', 'confidential', 2 * MB, 0.6, [200, 2_000], 50_000),
  ],
  heavy: [
    op(26, 'read', 'warehouse.table', 'confidential', 400 * KB, 1.0, [100, 20_000], 600),
    op(12, 'export', 'warehouse.table', 'confidential', 12 * MB, 0.9, [10_000, 500_000], 600),
    op(3, 'export', 'warehouse.table', 'restricted', 10 * MB, 0.9, [10_000, 300_000], 100),
    op(10, 'download', 'analytics.dataset', 'confidential', 18 * MB, 0.9, [1, 1], 400),
    op(10, 'list', 'warehouse.table', 'internal', 6 * KB, 0.5, [20, 200], 600),
    op(8, 'read', 'finance.report', 'confidential', 500 * KB, 0.8, [1, 1], 300),
    op(7, 'write', 'analytics.dataset', 'internal', 2 * MB, 1.0, [1, 1], 400),
    op(14, 'query', 'metrics.dashboard', 'internal', 30 * KB, 0.7, [1, 1], 200),
  ],
  coding: [
    op(34, 'read', 'repo.file', 'internal', 8 * KB, 0.9, [1, 1], 20_000),
    op(14, 'write', 'repo.file', 'internal', 6 * KB, 0.9, [1, 1], 20_000),
    op(10, 'search', 'repo.file', 'internal', 4 * KB, 0.6, [5, 50], 20_000),
    op(6, 'list', 'repo.file', 'internal', 3 * KB, 0.5, [10, 200], 2_000),
    op(15, 'execute', 'tool.call', 'internal', 2 * KB, 0.8, [1, 1], 50),
    op(8, 'read', 'ci.job', 'internal', 20 * KB, 1.0, [1, 1], 5_000),
    op(3, 'execute', 'ci.job', 'internal', 1 * KB, 0.3, [1, 1], 5_000),
    op(5, 'read', 'wiki.page', 'internal', 15 * KB, 0.8, [1, 1], 8_000),
    op(1.5, 'delete', 'repo.file', 'internal', 0, 0, [1, 1], 20_000),
  ],
  ops: [
    op(24, 'read', 'logs.stream', 'internal', 50 * KB, 1.0, [50, 2_000], 500),
    op(20, 'query', 'metrics.dashboard', 'internal', 10 * KB, 0.6, [1, 1], 200),
    op(14, 'read', 'ticket.issue', 'internal', 6 * KB, 0.7, [1, 1], 30_000),
    op(8, 'write', 'ticket.issue', 'internal', 3 * KB, 0.6, [1, 1], 30_000),
    op(4, 'download', 'logs.stream', 'internal', 2 * MB, 1.0, [1_000, 50_000], 500),
    op(10, 'list', 'infra.service', 'internal', 5 * KB, 0.5, [10, 100], 300),
    op(2, 'admin', 'infra.service', 'internal', 1 * KB, 0.3, [1, 1], 300),
    op(10, 'read', 'wiki.page', 'internal', 15 * KB, 0.8, [1, 1], 8_000),
    op(2, 'read', 'secrets.metadata', 'restricted', 1 * KB, 0.3, [1, 1], 200),
  ],
  batch: [
    op(1, 'list', 'warehouse.table', 'internal', 8 * KB, 0.5, [20, 400], 600),
    op(6, 'export', 'warehouse.table', 'confidential', 200 * MB, 0.6, [100_000, 5_000_000], 600),
    op(2, 'export', 'warehouse.table', 'restricted', 150 * MB, 0.6, [100_000, 3_000_000], 100),
    op(2, 'write', 'backup.snapshot', 'restricted', 300 * MB, 0.5, [1, 1], 100),
  ],
  cleanup: [
    op(1, 'list', 'storage.object', 'internal', 6 * KB, 0.5, [50, 1_000], 200),
    op(1, 'delete', 'storage.object', 'internal', 0, 0, [1, 1], 100_000),
  ],
};

/** Mean of a log-normal with this median and sigma: what an op moves on average. */
export function meanBytes(o: Operation): number {
  return o.bytesMedian * Math.exp((o.bytesSigma * o.bytesSigma) / 2);
}

/** Expected bytes per access for a role's mix. */
export function meanBytesPerAccess(role: Role): number {
  let total = 0;
  let weight = 0;
  for (const o of OPERATIONS[role]) {
    total += o.weight * meanBytes(o);
    weight += o.weight;
  }
  return total / weight;
}

/** Picks an operation by weight; the role tables are short, so a linear scan is fastest. */
export function pickOperation(ops: readonly Operation[], r: number): Operation {
  let total = 0;
  for (const o of ops) total += o.weight;
  let x = r * total;
  for (const o of ops) {
    x -= o.weight;
    if (x < 0) return o;
  }
  return ops[ops.length - 1] as Operation;
}

export { KB, MB, GB };
