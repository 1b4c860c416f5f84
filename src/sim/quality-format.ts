/*
 * The quality report as a table a security engineer reads at a glance: per attack kind what was
 * caught and what leaked first, then the false restrictions and benign alerts by rule.
 */
import type { KindScore, QualityReport } from './quality.js';

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const s = ms / 1000;
  if (s < 59.5) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  // Rounded first, then split: 119.6 s is 2m00s, not 1m60s.
  if (s < 3570) {
    const whole = Math.round(s);
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.round(s / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function row(label: string, k: Omit<KindScore, 'kind'>): string {
  return [
    label.padEnd(18),
    String(k.attacks).padStart(7),
    `${k.restricted}/${k.attacks}`.padStart(11),
    `${k.detected}/${k.attacks}`.padStart(9),
    `${k.leakedEvents}/${k.events}`.padStart(15),
    `${formatBytes(k.leakedBytes)} of ${formatBytes(k.bytes)}`.padStart(24),
    `${formatDuration(k.medianTimeToRestrictMs)} / ${formatDuration(k.maxTimeToRestrictMs)}`.padStart(18),
  ].join(' ');
}

function byCount(rec: Record<string, number>): [string, number][] {
  return Object.entries(rec).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function formatQualityReport(r: QualityReport): string {
  const lines: string[] = [];
  lines.push(`quality: ${r.events} events (${r.attackEvents} attack events), ${r.detections} detections`);
  lines.push('');
  lines.push(
    [
      'attack kind'.padEnd(18),
      'attacks'.padStart(7),
      'restricted'.padStart(11),
      'detected'.padStart(9),
      'leaked events'.padStart(15),
      'leaked bytes'.padStart(24),
      'to restrict med/max'.padStart(18),
    ].join(' '),
  );
  for (const k of r.kinds) lines.push(row(k.kind, k));
  lines.push(row('all', r.overall));
  if (r.overall.missed.length > 0) lines.push('', `not restricted: ${r.overall.missed.join(', ')}`);

  if (r.sameTokenRestrictions > 0) {
    lines.push('', `restrictions fired by a benign event on a token an attack was using (a stolen token's owner using it next, or an agent misusing its own token), counted as catches: ${r.sameTokenRestrictions}`);
  }
  if (r.inWindowRestrictions > 0) lines.push('', `restrictions fired by a benign event with attack traffic still in the rule's window (counted as catches): ${r.inWindowRestrictions}`);
  lines.push('', `false restrictions: ${r.falseRestrictions.total}`);
  const pairs: Record<string, number> = {};
  for (const f of r.falseRestrictions.list) pairs[`${f.rule}\t${f.profile}`] = (pairs[`${f.rule}\t${f.profile}`] ?? 0) + 1;
  for (const [key, n] of byCount(pairs)) {
    const [rule, profile] = key.split('\t');
    lines.push(`  ${String(n).padStart(6)}  ${(rule ?? '').padEnd(36)} ${profile ?? ''}`);
  }
  lines.push('', `benign alerts (not restricting): ${r.benignAlerts.total}`);
  for (const [rule, n] of byCount(r.benignAlerts.byRule)) lines.push(`  ${String(n).padStart(6)}  ${rule}`);
  const verdict =
    r.overall.attacks === 0
      ? 'result: FAIL (no labelled attack events: nothing was scored; label attack events with labels.sim_attack_id)'
      : r.pass
        ? 'result: every attack restricted, no false restriction'
        : 'result: FAIL (attacks not restricted or false restrictions)';
  lines.push('', verdict);
  return lines.join('\n') + '\n';
}
