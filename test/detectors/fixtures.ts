/* Minimal compiled rules for detector unit tests, without going through the YAML loader. */
import type { CompiledRule, Matcher } from '../../src/rules/types.js';

export const matchAll: Matcher = { conditions: [], test: () => true };

export function rule<R extends CompiledRule>(fields: Partial<R> & Pick<R, 'kind'>): R {
  return {
    id: 'r',
    severity: 'high',
    mode: 'enforce',
    match: matchAll,
    groupBy: ['agent.id'],
    actions: ['alert'],
    cooldownMs: 900_000,
    except: [],
    source: { file: 'test.yaml', line: 1, column: 1 },
    ...fields,
  } as R;
}
