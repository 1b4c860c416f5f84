/* Builders for engine tests: rules from YAML text, and events from a few fields. */
import type { DecodedEvent } from '../../src/events/types.js';
import { compileRuleFiles } from '../../src/rules/index.js';
import type { Ruleset } from '../../src/rules/types.js';

export function rules(yaml: string): Ruleset {
  return compileRuleFiles([{ file: 'test.yaml', text: yaml }]);
}

export const T0 = Date.parse('2026-11-02T10:00:00Z'); // a Monday

let n = 0;
export function event(fields: Record<string, unknown> & { t?: number }): DecodedEvent {
  const { t = T0, ...rest } = fields;
  const e = {
    id: `e${++n}`,
    time: new Date(t).toISOString(),
    agent: { id: 'a-1' },
    token: { id: 't-1' },
    principal: { id: 'u-7', timezone: 'Europe/Berlin' },
    action: 'read',
    resource: { type: 'crm.contact' },
    ...rest,
  };
  return { event: e as DecodedEvent['event'], timeMs: Date.parse(e.time) };
}
