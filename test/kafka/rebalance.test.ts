/*
 * A batch retrying through a state store outage heartbeats; when the heartbeat says the group is
 * rebalancing, the batch is given up so this member rejoins at once (a new pod's join would
 * otherwise wait out the whole rebalance timeout). kafkajs's own errors, as its heartbeat throws them.
 */
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRebalanceInProgress, isUnknownMember } from '../../src/kafka/consumer.js';

const { KafkaJSProtocolError, KafkaJSError } = kafkajs;

describe('isRebalanceInProgress', () => {
  it.each([
    [27, 'REBALANCE_IN_PROGRESS'],
    [16, 'NOT_COORDINATOR_FOR_GROUP'],
    [22, 'ILLEGAL_GENERATION'],
  ])('takes Kafka error %i (%s) for "rejoin the group"', (code, type) => {
    const err = new KafkaJSProtocolError({ type, code, retriable: false, message: 'x' } as never);
    expect(err.type).toBe(type);
    expect(isRebalanceInProgress(err)).toBe(true);
    expect(isRebalanceInProgress(new KafkaJSError('heartbeat failed', { cause: err } as never))).toBe(true);
  });

  it('does not take other heartbeat failures for a rebalance; an eviction is its own', () => {
    const evicted = new KafkaJSProtocolError({ type: 'UNKNOWN_MEMBER_ID', code: 25, retriable: false, message: 'x' } as never);
    expect(isRebalanceInProgress(evicted)).toBe(false);
    expect(isUnknownMember(evicted)).toBe(true);
    expect(isUnknownMember(new Error('Connection closed'))).toBe(false);
    expect(isRebalanceInProgress(new Error('Connection closed'))).toBe(false);
    expect(isRebalanceInProgress(undefined)).toBe(false);
  });
});
