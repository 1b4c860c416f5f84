/*
 * Writes the generated rule file JSON Schema to disk (schemas/rules.schema.json), for editors:
 * `# yaml-language-server: $schema=../schemas/rules.schema.json`. A test keeps the file in sync.
 */
import { writeFile } from 'node:fs/promises';
import { ruleFileJsonSchema } from './schema.js';

/** The exact text of schemas/rules.schema.json. */
export function renderRulesSchema(): string {
  return `${JSON.stringify(ruleFileJsonSchema, null, 2)}\n`;
}

export async function writeRulesSchema(path = 'schemas/rules.schema.json'): Promise<void> {
  await writeFile(path, renderRulesSchema(), 'utf8');
}
