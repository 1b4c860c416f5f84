/*
 * The consumer group member: kafkajs eachBatch with autoCommit off and manual offset resolution.
 * A batch's offsets are resolved and committed only after the batch handler made its outputs
 * durable; heartbeats keep going during long batches and waits. A crash kafkajs does not restart
 * itself is logged and the member is recreated with backoff.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { ProcessorConfig } from '../config/index.js';
import type { Metrics } from '../metrics/index.js';
import type { BatchHandler } from './batch.js';

export interface ConsumerOptions {
  kafka: Kafka;
  config: ProcessorConfig;
  handler: BatchHandler;
  metrics: Metrics;
  log: Logger;
  /** Told how many members the consumer group has after each rebalance this member joins. */
  onMembers?: (members: number) => void;
}

export class GroupMember {
  private consumer: Consumer | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private assigned = new Set<number>();
  private joined = false;
  private paused = false;

  constructor(private readonly o: ConsumerOptions) {}

  /** In the group with an assignment (possibly empty), and not crashed. */
  get inGroup(): boolean {
    return this.joined;
  }

  get partitions(): ReadonlySet<number> {
    return this.assigned;
  }

  async start(): Promise<void> {
    const { config, log } = this.o;
    const consumer = this.o.kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.kafka.sessionTimeoutMs,
      heartbeatInterval: config.kafka.heartbeatIntervalMs,
      rebalanceTimeout: config.kafka.rebalanceTimeoutMs,
      maxBytesPerPartition: config.kafka.maxBytesPerPartition,
      // Short long-polls: a stop waits for the fetch in flight.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000, restartOnFailure: async () => true },
    });
    this.consumer = consumer;
    const topic = config.topics.events;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = new Set(payload.memberAssignment[topic] ?? []);
      for (const p of this.assigned) if (!partitions.has(p)) this.o.metrics.consumerLag.remove({ topic, partition: String(p) });
      this.assigned = partitions;
      this.joined = true;
      this.restarts = 0;
      this.o.handler.retain(partitions);
      log.info({ topic, partitions: [...partitions].sort((a, b) => a - b), memberId: payload.memberId }, 'joined the consumer group');
      const onMembers = this.o.onMembers;
      if (onMembers) {
        consumer.describeGroup().then(
          (g) => onMembers(Math.max(1, g.members.length)),
          (err: unknown) => log.warn({ err }, 'could not read the consumer group members'),
        );
      }
    });
    consumer.on(consumer.events.REBALANCING, () => {
      // Out of the group until it joins again: not ready meanwhile.
      this.joined = false;
      log.info('consumer group rebalancing');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      log.error({ err: payload.error, restart: payload.restart }, payload.restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed; restarting it');
      if (!payload.restart) this.scheduleRestart();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: config.startFrom === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    if (this.paused) consumer.pause([{ topic }]);
  }

  /** Stops fetching (the batch in flight keeps retrying); used while the state store is down. */
  pause(): void {
    this.paused = true;
    this.consumer?.pause([{ topic: this.o.config.topics.events }]);
  }

  resume(): void {
    this.paused = false;
    this.consumer?.resume([{ topic: this.o.config.topics.events }]);
  }

  /** Leaves the group after the batch in flight is finished and committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.joined = false;
    await this.consumer?.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary } = payload;
    const { log, metrics, config } = this.o;
    // A heartbeat answered "rebalance in progress" means the group waits for this member to rejoin:
    // a batch retrying through an outage must be given up then, or every member joining (a new pod,
    // a scale-out) waits out the whole rebalance timeout, and this member is evicted anyway.
    let rebalancing = false;
    const beat = async (): Promise<void> => {
      try {
        await heartbeat();
      } catch (err) {
        // Rebalancing, or evicted (the coordinator no longer knows this member): the batch's
        // partition may be another member's now, and this one is not in the group until it rejoins.
        if (isRebalanceInProgress(err) || isUnknownMember(err)) {
          rebalancing = true;
          this.joined = false;
        }
        throw err;
      }
    };
    const ticker = setInterval(() => {
      beat().catch((err: unknown) => log.debug({ err }, 'heartbeat during a batch failed'));
    }, config.kafka.heartbeatIntervalMs);
    try {
      const result = await this.o.handler.handle(
        { topic: batch.topic, partition: batch.partition, messages: batch.messages },
        { heartbeat: beat, alive: () => isRunning() && !isStale() && !this.stopping && !rebalancing },
      );
      if (result === 'abandoned') {
        log.info({ partition: batch.partition, firstOffset: batch.firstOffset() }, 'batch given up uncommitted (stopping or partition reassigned); it will be redelivered');
        return;
      }
      const last = batch.lastOffset();
      resolveOffset(last);
      const next = (BigInt(last) + 1n).toString();
      try {
        await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
      } catch (err) {
        // Lost the partition in a rebalance: its new owner redelivers from the last commit; state is idempotent.
        log.warn({ err, partition: batch.partition, offset: next }, 'commit failed; the batch will be redelivered to the partition owner');
        return;
      }
      metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))));
      log.debug({ partition: batch.partition, offset: next, messages: batch.messages.length }, 'batch committed');
    } finally {
      clearInterval(ticker);
    }
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    const delay = Math.min(30_000, 1_000 * 2 ** Math.min(this.restarts++, 5));
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      void (async () => {
        const old = this.consumer;
        this.consumer = undefined;
        await old?.disconnect().catch(() => undefined);
        if (this.stopping) return;
        try {
          await this.start();
          this.o.log.info('consumer restarted');
        } catch (err) {
          this.o.log.error({ err }, 'restarting the consumer failed; trying again');
          this.scheduleRestart();
        }
      })();
    }, delay);
  }
}

/** The heartbeat errors kafkajs itself takes for "rejoin the group" (its isRebalancing). */
const REJOIN_TYPES: ReadonlySet<string> = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);
const EVICTED_TYPES: ReadonlySet<string> = new Set(['UNKNOWN_MEMBER_ID']);

/** Whether the error, or one it was caused by, is a Kafka protocol error of one of these types. */
function hasKafkaType(err: unknown, types: ReadonlySet<string>): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (types.has(String((e as { type?: unknown }).type))) return true;
  return false;
}

/** Whether a heartbeat error says the coordinator no longer knows this member (evicted: it must join again). */
export function isUnknownMember(err: unknown): boolean {
  return hasKafkaType(err, EVICTED_TYPES);
}

/** Whether a heartbeat error says the group is rebalancing and this member must rejoin. */
export function isRebalanceInProgress(err: unknown): boolean {
  return hasKafkaType(err, REJOIN_TYPES);
}
