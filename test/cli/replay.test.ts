/*
 * `guardrail replay` as a user runs it: the built binary, events on standard input, bad lines
 * reported by line number (the line reader counts empty lines and CRLF endings like an editor).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const valid = readFileSync('examples/traffic.jsonl', 'utf8').split('\n').filter(Boolean).slice(0, 3);

function replay(input: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/guardrail.js', 'replay', '--events', '-'], { input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('guardrail replay --events -', () => {
  it('reads standard input, names bad lines by their number, and counts every event', () => {
    const input = `${valid[0]}\r\n{"id": oops}\n\n${valid[1]}\n${valid[2]}`;
    const r = replay(input);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^stdin:2: invalid event: /m);
    expect(r.stderr).toContain('replay: 4 events (1 invalid, 0 duplicate, 0 late)');
  });

  it('warns when events go back in time beyond the lateness bound, and says how to sort them', () => {
    const at = (id: string, agent: string, time: string) =>
      JSON.stringify({ id, time, agent: { id: agent }, token: { id: `tok-${agent}` }, action: 'read', resource: { type: 'crm.contact' } });
    const r = replay([at('a-1', 'a', '2026-11-02T10:00:00Z'), at('b-1', 'b', '2026-11-02T09:40:00Z'), at('b-2', 'b', '2026-11-02T09:55:00Z')].join('\n'));
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('replay: 3 events (0 invalid, 0 duplicate, 1 late)');
    expect(r.stderr).toContain('warning: 1 event was older than the newest event before it by more than the lateness bound (10m) and not counted in windows.');
    expect(r.stderr).toContain(`jq -c -s 'sort_by(.time)[]' FILE`);
    expect(replay(valid.join('\n')).stderr).not.toContain('warning:');
  });
});
