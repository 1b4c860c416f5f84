import { describe, expect, it } from 'vitest';
import { UNREADABLE_LOG_EVERY_MS, unreadableLogger } from '../../src/kafka/processor.js';

describe('the log of unreadable state values', () => {
  it('logs the first at once, then at most one line a minute with how many there were since', () => {
    const lines: { key: string; count: number }[] = [];
    let t = 1_000_000;
    const log = unreadableLogger({ warn: ((fields: { key: string; count: number }) => void lines.push(fields)) as never }, () => t);
    log('k1');
    for (let i = 2; i <= 50; i++) {
      t += 1000;
      log(`k${i}`);
    }
    expect(lines).toEqual([{ key: 'k1', count: 1 }]);
    t += UNREADABLE_LOG_EVERY_MS;
    log('k51');
    expect(lines).toEqual([
      { key: 'k1', count: 1 },
      { key: 'k51', count: 50 },
    ]);
  });
});
