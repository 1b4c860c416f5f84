/*
 * Consumer lag on a timer: every GUARDRAIL_LAG_INTERVAL the group's committed offsets are read against
 * the topic's high watermarks for the partitions this instance owns. The batch path sets the same
 * gauge after each commit, but a processor that consumes nothing (paused by fail mode closed, stuck,
 * or idle) runs no batch, and a last-batch value would hide exactly the lag its alerts exist to see.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/index.js';

export interface LagMonitorOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  /** Where a partition without a committed offset starts: earliest counts the whole partition as lag. */
  startFrom: 'earliest' | 'latest';
  intervalMs: number;
  /** The partitions this instance owns now (only those are reported, so a sum over instances is the group's lag). */
  partitions: () => ReadonlySet<number>;
  metrics: Metrics;
  log: Logger;
}

export class LagMonitor {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failing = false;
  private closed = false;

  constructor(private readonly o: LagMonitorOptions) {}

  async start(): Promise<void> {
    this.admin = this.o.kafka.admin();
    await this.admin.connect();
    this.timer = setInterval(() => void this.refresh(), this.o.intervalMs);
    this.timer.unref();
  }

  /** Reads and sets the lag now; a refresh already in flight is awaited instead of doubled. */
  refresh(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    await this.admin?.disconnect();
  }

  private async read(): Promise<void> {
    const { topic, groupId, metrics, log } = this.o;
    const owned = this.o.partitions();
    if (!this.admin || this.closed || owned.size === 0) return;
    try {
      const [[committed], ends] = await Promise.all([this.admin.fetchOffsets({ groupId, topics: [topic] }), this.admin.fetchTopicOffsets(topic)]);
      const commits = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      const now = this.o.partitions();
      for (const end of ends) {
        // Checked again after the round trip: a partition lost meanwhile has had its series removed.
        if (!now.has(end.partition) || this.closed) continue;
        const high = BigInt(end.high);
        const commit = commits.get(end.partition) ?? -1n;
        const from = commit >= 0n ? commit : this.o.startFrom === 'earliest' ? BigInt(end.low) : high;
        metrics.consumerLag.set({ topic, partition: String(end.partition) }, Number(high > from ? high - from : 0n));
      }
      if (this.failing) log.info('reading consumer lag works again');
      this.failing = false;
    } catch (err) {
      // Once per run of failures: Kafka being away is reported by the consumer and producer already.
      if (!this.failing) log.warn({ err }, 'reading consumer lag failed; the gauge keeps its last values until it works again');
      this.failing = true;
    }
  }
}
