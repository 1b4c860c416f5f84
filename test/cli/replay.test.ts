/*
 * `guardrail replay` as a user runs it: the built binary, events on standard input, bad lines
 * reported by line number (the line reader counts empty lines and CRLF endings like an editor).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const valid = readFileSync('examples/traffic.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 3);

function replay(input: string, ...flags: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/guardrail.js', 'replay', '--events', '-', ...flags], { input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('files that cannot be opened', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/guardrail.js', ...args], { encoding: 'utf8' });
  it.each([
    [['replay', '--events', '/nonexistent/events.jsonl'], 'guardrail replay: /nonexistent/events.jsonl: no such file or directory\n'],
    [['replay', '--events', 'rules'], 'guardrail replay: rules: is a directory\n'],
    [['simulate', '--days', '1', '--agents', '3', '--out', '/nonexistent/dir/t.jsonl'], 'guardrail simulate: /nonexistent/dir/t.jsonl: no such file or directory\n'],
  ])('%j: one sentence naming the file, exit status 1', (args, stderr) => {
    const r = run(...args);
    expect(r.stderr).toBe(stderr);
    expect(r.status).toBe(1);
  });
});

describe('guardrail replay --events -', () => {
  it('reads standard input, names bad lines by their number, and counts every event', () => {
    const input = `${valid[0]}\r\n{"id": oops}\n\n${valid[1]}\n${valid[2]}`;
    const r = replay(input);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^stdin:2: invalid event: /m);
    expect(r.stderr).toContain('replay: 4 events (1 invalid, 0 duplicate, 0 late)');
  });

  const at = (id: string, agent: string, time: string, action = 'read') =>
    JSON.stringify({ id, time, agent: { id: agent }, token: { id: `tok-${agent}` }, action, resource: { type: 'db.row' } });

  it('warns when events go back in time beyond the lateness bound, and says how to sort them', () => {
    const r = replay([at('a-1', 'a', '2026-11-02T10:00:00Z'), at('b-1', 'b', '2026-11-02T09:40:00Z'), at('b-2', 'b', '2026-11-02T09:55:00Z')].join('\n'));
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('replay: 3 events (0 invalid, 0 duplicate, 1 late)');
    expect(r.stderr).toContain('warning: 1 event was older than the newest event before it by more than the lateness bound (10m): only rules that need no state judged it, and no window counted it.');
    expect(r.stderr).toContain('replay it with --sort');
    expect(replay(valid.join('\n')).stderr).not.toContain('warning:');
  });

  it('with --sort, replays a file dumped partition by partition as the stream it was, and names bad lines by their place in the file', () => {
    // Partition 1 (agent a, 10:00Z on) then partition 0: agent d's delete loop an hour earlier, its
    // times written with a +01:00 offset ("10:00:00.500+01:00"), which sorting the text would put
    // after 10:00Z.
    const T = Date.parse('2026-11-02T09:00:00Z');
    const plusOne = (ms: number) => new Date(ms + 3_600_000).toISOString().replace('Z', '+01:00');
    const loop = Array.from({ length: 160 }, (_, i) => at(`d-${i}`, 'd', plusOne(T + i * 500), 'delete'));
    const later = Array.from({ length: 5 }, (_, i) => at(`a-${i}`, 'a', `2026-11-02T10:0${i}:00Z`));
    const input = [...later, '{"id": oops}', ...loop].join('\n');
    const unsorted = replay(input);
    expect(unsorted.stderr).toContain('replay: 166 events (1 invalid, 0 duplicate, 160 late)');
    expect(unsorted.stdout).toBe('');

    const sorted = replay(input, '--sort');
    expect(sorted.status).toBe(0);
    expect(sorted.stderr).toContain('sort: 166 lines ordered by event time; 160 of them came after a later event in the input');
    expect(sorted.stderr).toContain('replay: 166 events (1 invalid, 0 duplicate, 0 late)');
    expect(sorted.stderr).toMatch(/^stdin:6: invalid event: /m);
    const detections = sorted.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: { id: string }; subject: { agentId: string } });
    expect(detections.map((d) => `${d.rule.id} ${d.subject.agentId}`)).toContain('destructive-burst d');
  });
});
