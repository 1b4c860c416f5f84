#!/usr/bin/env node
// node score.mjs EVENTS.jsonl MANIFEST.json DETECTIONS.jsonl
// Attack: restricted (a detection with revoke_token/quarantine_agent on the victim agent between the
// attack's first event and 30 min after its last), alerted only, or missed; events/bytes of the attack
// at or before the first restriction. Benign: every detection on a benign agent, or on a victim agent
// outside its attack window, grouped by scenario.
import fs from 'node:fs';

const [evFile, manFile, detFile] = process.argv.slice(2);
const man = JSON.parse(fs.readFileSync(manFile, 'utf8'));
const dets = fs.readFileSync(detFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const RESTRICT = new Set(['revoke_token', 'quarantine_agent']);
const isRestrict = (d) => d.actions.some((a) => RESTRICT.has(a));
const attackEvents = new Map();
const scnOf = new Map();
for (const line of fs.readFileSync(evFile, 'utf8').split('\n')) {
  if (!line) continue;
  const e = JSON.parse(line);
  scnOf.set(e.agent.id, scnOf.get(e.agent.id) ?? e.labels.rq_scn);
  const id = e.labels.rq_attack;
  if (id) (attackEvents.get(id) ?? attackEvents.set(id, []).get(id)).push({ t: Date.parse(e.time), b: e.volume?.bytes ?? 0 });
}
const used = new Set();
const rows = [];
for (const a of man.attacks) {
  const lo = a.start, hi = a.end + 12 * 3_600_000; // later victim detections are the attack's echo (e.g. the owner's next event after a replay)
  const mine = dets.filter((d) => d.subject.agentId === a.victim && Date.parse(d.time) >= lo && Date.parse(d.time) <= hi);
  mine.forEach((d) => used.add(d.id));
  const r = mine.filter(isRestrict);
  const first = r.length ? Math.min(...r.map((d) => Date.parse(d.time))) : Infinity;
  const evs = attackEvents.get(a.id) ?? [];
  const through = evs.filter((e) => e.t <= first);
  rows.push({
    id: a.id,
    kind: a.kind,
    outcome: r.length ? 'RESTRICTED' : mine.length ? 'alerted only' : 'MISSED',
    restrictRules: [...new Set(r.map((d) => d.rule.id))].join(','),
    firstRestrict: r.length ? `${r.find((d) => Date.parse(d.time) === first).rule.id} +${((first - a.start) / 60000).toFixed(1)}min` : '',
    alertRules: [...new Set(mine.filter((d) => !isRestrict(d)).map((d) => d.rule.id))].join(','),
    through: `${through.length}/${evs.length} ev, ${(through.reduce((s, e) => s + e.b, 0) / 1e6).toFixed(1)}/${(evs.reduce((s, e) => s + e.b, 0) / 1e6).toFixed(1)} MB`,
    desc: a.desc,
    params: JSON.stringify(a.params),
  });
}
console.log('## Attacks');
for (const r of rows) console.log(`${r.id.padEnd(4)} ${r.outcome.padEnd(13)} restrict=[${r.restrictRules}] first=${r.firstRestrict} alert=[${r.alertRules}] through=${r.through}\n      ${r.desc} ${r.params}`);
const counts = rows.reduce((m, r) => ((m[r.outcome] = (m[r.outcome] ?? 0) + 1), m), {});
console.log('totals', JSON.stringify(counts));

console.log('\n## Benign (benign agents, and victims outside their attack window)');
const byScn = new Map();
for (const d of dets) {
  if (used.has(d.id)) continue;
  const s = scnOf.get(d.subject.agentId) ?? '?';
  const k = `${s}`;
  const m = byScn.get(k) ?? byScn.set(k, { restricted: new Map(), alerted: new Map(), agents: new Set() }).get(k);
  const bucket = isRestrict(d) ? m.restricted : m.alerted;
  bucket.set(d.rule.id, (bucket.get(d.rule.id) ?? 0) + 1);
  if (isRestrict(d)) m.agents.add(d.subject.agentId);
}
function byScnCompute(s) { const m = byScn.get(s); if (!m) return { outcome: 'left alone' }; return { outcome: m.restricted.size ? 'RESTRICTED' : 'alerted', restricted: Object.fromEntries(m.restricted), alerted: Object.fromEntries(m.alerted) }; }
if (process.env.JSON) { const ben = {}; for (const s of Object.keys(man.scenarios)) ben[s] = byScnCompute(s); process.stdout.write('\n@@JSON ' + JSON.stringify({ attacks: rows, benign: ben }) + '\n'); }
const allScn = [...new Set([...Object.keys(man.scenarios)])].sort();
for (const s of allScn) {
  const m = byScn.get(s);
  const sc = man.scenarios[s];
  const outcome = !m ? 'left alone' : m.restricted.size ? 'RESTRICTED' : 'alerted';
  const fmt = (mp) => [...mp].map(([k, v]) => `${k}x${v}`).join(',');
  console.log(`${s.padEnd(42)} ${sc.role.padEnd(7)} ${String(sc.agents.length).padStart(2)} agents  ${outcome.padEnd(11)} ${m ? `restrict=[${fmt(m.restricted)}] on ${m.agents.size} agent(s) alert=[${fmt(m.alerted)}]` : ''}`);
}
if (process.env.SHOW) {
  for (const d of dets.filter((d) => !used.has(d.id) && (process.env.SHOW === 'all' || isRestrict(d)))) console.log(scnOf.get(d.subject.agentId), d.time, d.rule.id, d.actions.join('+'), d.reason);
}
