import { describe, expect, it } from 'vitest';
import { eventTimeMs, sortByEventTime } from '../../src/cli/sort.js';

async function* chunks(...cs: string[][]): AsyncGenerator<string[]> {
  yield* cs;
}

const line = (id: string, time: unknown) => JSON.stringify({ id, time });

describe('replay --sort', () => {
  it('orders by the instant, not the text of the time, keeps equal instants in file order, and remembers each line number', async () => {
    const input = [line('a', '2026-11-02T10:00:00Z'), line('b', '2026-11-02T10:30:00+01:00'), line('c', '2026-11-02T09:30:00Z'), 'not json', line('d', '2026-11-02T09:30:00.000Z')];
    const s = await sortByEventTime(chunks(input.slice(0, 2), input.slice(2)));
    // b (10:30+01:00) is 09:30Z, the instant of c and d: the three keep their order in the file.
    expect(s.lines).toEqual(['not json', input[1], input[2], input[4], input[0]]);
    expect([...s.lineNumbers]).toEqual([4, 2, 3, 5, 1]);
    // b, c and d each come after a's 10:00Z; the line without a time is not counted.
    expect(s.moved).toBe(3);
  });

  it('reads no time from lines that have none, or a bad one', () => {
    for (const bad of ['', '   ', 'not json', '[1]', 'null', line('x', 12), line('x', '2026-13-01T00:00:00Z'), JSON.stringify({ labels: { time: '2026-11-02T10:00:00Z' } })]) {
      expect(eventTimeMs(bad), bad).toBe(-Infinity);
    }
    expect(eventTimeMs(line('x', '2026-11-02T10:00:00+01:00'))).toBe(Date.parse('2026-11-02T09:00:00Z'));
  });
});
