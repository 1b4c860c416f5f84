/*
 * `guardrail schema rules|event [--out FILE]`: prints (or writes) the JSON Schema of rule files or
 * of AgentAccessEvent v1, both generated from the definitions the loader and decoder run.
 */
import { writeFile } from 'node:fs/promises';
import { UsageError } from '../errors/index.js';
import { eventJsonSchema } from '../events/index.js';
import { ruleFileJsonSchema } from '../rules/index.js';
import { parse } from './args.js';
import { SCHEMA_USAGE } from './usage.js';

const SCHEMAS: Record<string, unknown> = { rules: ruleFileJsonSchema, event: eventJsonSchema };

export async function schemaCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, SCHEMA_USAGE.options, true);
  const [name, ...extra] = positionals;
  if (name === undefined || !(name in SCHEMAS) || extra.length > 0) throw new UsageError(`usage: ${SCHEMA_USAGE.synopsis}`);
  const text = `${JSON.stringify(SCHEMAS[name], null, 2)}\n`;
  if (values.out === undefined) process.stdout.write(text);
  else await writeFile(values.out, text, 'utf8');
  return 0;
}
